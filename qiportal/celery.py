"""The Celery app. Settings come from Django's settings under the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiportal.settings")

app = Celery("qiportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def load_pages_before_the_first_job(**kwargs) -> None:
    """A worker loads every page's code as it starts (before forking its pool), so its first job does not wait
    for it: jobs write links to pages."""
    import django

    django.setup()  # a no-op in a worker, where Celery's Django fixup has set Django up; the views need it
    from qiportal.warmup import load_pages

    load_pages()
