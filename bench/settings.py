"""Settings for `make bench`: the app's own settings, served plainly on loopback, plus a floor page.

bench/bench_pages.py sets the environment (SECRET_KEY, DATABASE_URL, CACHE_URL...) before Django reads this.
"""

import os

from qiportal.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405  # seed_scale
ROOT_URLCONF = "bench.floor_urls"
# Axes would lock the benchmark's sign-in out after a few failed tries during development of the bench.
AXES_ENABLED = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}

# Static files are collected into the run's temporary folder (the manifest storage needs them collected).
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
