"""The test run's settings: the one settings module, with the environment a test run needs.

Tests run with DEBUG off, like production. Only what cannot work over the test client's plain HTTP
(secure cookies, the HTTPS redirect) is relaxed, and jobs run in-process unless a test starts a worker.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-not-a-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("TESTING", "true")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
# Playwright's sync API runs an event loop in the test thread; the ORM calls there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from qiportal.settings import *  # noqa: F403

# The trust-scale generator and its seed_scale command live in bench/, installed for tests and benchmarks only.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405

# The real-worker tests start their own worker against CELERY_BROKER_URL; every other test runs jobs in-process.
CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
