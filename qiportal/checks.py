"""System checks of our own, run by `manage.py check` (and with `--deploy` for production-only ones)."""

from django.conf import settings
from django.core import checks

PROCESS_LOCAL_CACHES = ("django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache")


def shared_cache(app_configs, **kwargs) -> list[checks.CheckMessage]:
    """Cached pages and counts (qiportal.datacache) are renewed through the cache: every process must share it."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        checks.Warning(
            "The cache is private to each process, so with several gunicorn workers one worker would not see "
            "another's data changes and could show cached pages up to 10 minutes old.",
            hint="Set CACHE_URL to a Redis database shared by the web workers, e.g. redis://redis:6379/1.",
            id="qiportal.W001",
        )
    ]


def register() -> None:
    checks.register(shared_cache, checks.Tags.caches, deploy=True)
