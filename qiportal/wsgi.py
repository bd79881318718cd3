import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiportal.settings")
application = get_wsgi_application()

from qiportal.warmup import load_pages  # noqa: E402  # needs Django set up, as above

load_pages()  # as the worker starts, not in its first request
