"""Web and Celery workers load every page's code as they start, so the first person served and the first job run
do not wait about 2 s for the views (and matplotlib, pandas, openpyxl) to be imported."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOADED = "import sys; print('hub.views' in sys.modules and 'runcharts.views.data' in sys.modules)"


def _python(code: str) -> list[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="qiportal.settings", SECRET_KEY="test-only-not-a-secret", CELERY_BROKER_URL="")
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_a_fresh_process_has_not_loaded_the_pages():
    """What the other tests rely on: setting Django up alone imports no view."""
    assert _python(f"import django; django.setup(); {LOADED}") == ["False"]


def test_a_web_worker_loads_every_page_as_it_starts():
    assert _python(f"import qiportal.wsgi; {LOADED}") == ["True"]


def test_a_celery_worker_loads_every_page_before_its_first_job():
    start = "from celery.signals import worker_init; import qiportal.celery"
    code = f"{start}; {LOADED}; worker_init.send(sender=None); {LOADED}"
    assert _python(code) == ["False", "True"]
