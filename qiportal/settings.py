"""QI Portal settings: one module, read from the environment.

With nothing set, the app runs embedded: SQLite in the project folder, Celery tasks run in-process
(eager), email printed to the console and DEBUG off unless asked for. Production sets DATABASE_URL,
CELERY_BROKER_URL, EMAIL_URL, SECRET_KEY and ALLOWED_HOSTS (see README.md and .env.example).
"""

import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is read if present (READ_DOTENV=false skips it); variables already in the environment win.
if env.bool("READ_DOTENV", default=True):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def required(name: str, why: str):
    """Stop start-up with a message a person can act on, rather than a KeyError."""
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is false: {why} See README.md, 'Configuration'.")


DEBUG = env.bool("DEBUG", default=False)

if "SECRET_KEY" in env:
    SECRET_KEY = env("SECRET_KEY")
elif DEBUG:
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105 - used only with DEBUG on
else:
    required("SECRET_KEY", "it signs sessions and password-reset links.")

if "ALLOWED_HOSTS" in env:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
elif DEBUG:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
else:
    required("ALLOWED_HOSTS", "list the host names the service answers to, separated by commas.")

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "django_filters",
    "django_htmx",
    "simple_history",
    "axes",
    "csp",
    "qiportal",
    "projects",
    "ffit",
    "runcharts",
    "excellence",
    "hub",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and charts compressed for browsers that accept it (gunicorn serves them with no proxy in front): a list
    # page is 30-130 KB of HTML, a form listing the trust's staff 700 KB. After WhiteNoise, which serves static files
    # compressed ahead of time. Django adds random bytes to each compressed response against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "qiportal.middleware.renew_idle_session",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes last, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "qiportal.urls"
WSGI_APPLICATION = "qiportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hub.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Every form's choice list is read with QuerySet.iterator(), which on PostgreSQL declares a server-side cursor:
# outside a transaction that is a WITH HOLD cursor the server materialises anyway, at three round trips where one
# plain query does (the log's filter form with its three lists: about 3 ms a page at the scale trust; issue 15).
# Plain cursors also let a transaction-pooling PgBouncer sit in front of the database.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must take a few writers at once (two people saving together, a job running):
    # - write-ahead logging, so readers never block the writer or each other;
    # - BEGIN IMMEDIATE for every transaction, so a transaction that will write takes the write lock at its
    #   start and waits for it (a deferred one that reads first cannot wait: it fails with "database is locked");
    # - a busy timeout of 20 s, how long a writer waits for the lock before giving up.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The review index carries the queue's flags beside its key on PostgreSQL (projects.Initiative); SQLite keeps
    # the key columns alone, which is plenty at the embedded default's size, and Django says so on every migrate.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds only what is expensive, shared and keyed by the data it was drawn from (chart drawings, run-chart
# signals). It is optional: with Redis down every page still renders and every write returns its normal response.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://qiportal")}
# Keys carry the release, so a deploy never serves a drawing made by the previous code.
CACHES["default"]["KEY_PREFIX"] = f"qiportal-{env('RELEASE', default='local')}"
if CACHES["default"]["BACKEND"] in ("django.core.cache.backends.redis.RedisCache", "django_redis.cache.RedisCache"):
    # django-redis rather than Django's own client: it can ignore a Redis outage (logged, then treated as a miss).
    CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        IGNORE_EXCEPTIONS=True, SOCKET_CONNECT_TIMEOUT=0.25, SOCKET_TIMEOUT=0.25
    )
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
if CACHES["default"]["BACKEND"].endswith(("LocMemCache", "FileBasedCache")):
    # Chart drawings and per-measure signals are cached one entry each; the default 300 entries would cull
    # them (and everything else) on a trust-sized portfolio. Production shares a Redis cache (CACHE_URL).
    CACHES["default"].setdefault("OPTIONS", {})["MAX_ENTRIES"] = 50_000

AUTH_USER_MODEL = "qiportal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# ASVS level 2 (2.1.1, 2.1.7): at least 12 characters, not like the person's name, username or email, not common.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Shared PCs on wards: a session ends when the browser closes or after an idle hour. The expiry slides with
# activity, renewed at most once a minute (qiportal.middleware), not saved on every page view.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Failed sign-ins are throttled per username *and* address together: a burst of guesses at one username from one
# address pauses only that pair, so nobody can lock a colleague out by guessing their username, and a ward sharing
# one address (or a trust behind one proxy) is not locked out as a whole.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Proxies in front of the app (a TLS-terminating load balancer is 1): the client address is read from the entry the
# nearest of them added to X-Forwarded-For (qiportal/signin.py). 0 means the app is reached directly.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "qiportal.signin.client_address"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env.bool("TESTING", default=False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# runserver and tests without collectstatic: whitenoise finds files in the app folders, and its
# warning about the not-yet-collected STATIC_ROOT is noise there.
WHITENOISE_USE_FINDERS = True
warnings.filterwarnings("ignore", message="No directory at")

CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"

# Email: console by default; EMAIL_URL=smtp://user:pass@host:587/?tls=True (or smtp+tls://) for a real server.
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-emails"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="QI Portal <qi-portal@nhs.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = 10
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Celery: with no broker the embedded set-up runs every task in-process.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
# Static beat schedule (issue 8). Every job is idempotent and dedupes by period, so a missed or doubled
# beat sends nothing twice; `manage.py run_jobs` runs any of them by hand.
CELERY_BEAT_SCHEDULE: dict = {
    # One name per job: the beat entry, the task's name and `manage.py run_jobs --job <name>` (hub.jobs.JOBS).
    "scan_wards": {"task": "projects.tasks.scan_wards", "schedule": crontab(hour=6, minute=0)},
    "remind_reviews_due": {"task": "projects.tasks.remind_reviews_due", "schedule": crontab(hour=7, minute=0)},
    "remind_pdsa_overdue": {"task": "projects.tasks.remind_pdsa_overdue", "schedule": crontab(hour=7, minute=10)},
    "remind_overload_reviews": {
        "task": "projects.tasks.remind_overload_reviews",
        "schedule": crontab(hour=7, minute=15),
    },
    "remind_ffit_missing": {"task": "ffit.tasks.remind_ffit_missing", "schedule": crontab(hour=7, minute=20)},
    "remind_data_missing": {
        "task": "runcharts.tasks.remind_data_missing",
        "schedule": crontab(hour=8, minute=0, day_of_week="mon"),
    },
    "remind_excellence_follow_up": {
        "task": "excellence.tasks.remind_excellence_follow_up",
        "schedule": crontab(hour=7, minute=30),
    },
    "remind_excellence_unopened": {
        "task": "excellence.tasks.remind_excellence_unopened",
        "schedule": crontab(hour=7, minute=40),
    },
    "send_weekly_digest": {
        "task": "hub.tasks.send_weekly_digest",
        "schedule": crontab(hour=8, minute=30, day_of_week="mon"),
    },
    "retry_failed_emails": {"task": "hub.tasks.retry_failed_emails", "schedule": crontab(minute="*/15")},
}

# Security. Behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER_ENABLED=true and keep
# SECURE_SSL_REDIRECT on; with DEBUG on (local runs) none of this applies.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("SECURE_PROXY_SSL_HEADER_ENABLED", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# /healthz must answer a load balancer over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# NHS.UK frontend runs with no inline script or style; charts are served as images.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Product rules the admins may tune (each issue adds its own; documented in README.md).
QI = {
    "REVIEW_INTERVAL_WEEKS": env.int("QI_REVIEW_INTERVAL_WEEKS", default=8),
    "FFIT_STALE_MONTHS": env.int("QI_FFIT_STALE_MONTHS", default=6),
    "FFIT_WEAK_SECTION_PERCENT": env.int("QI_FFIT_WEAK_SECTION_PERCENT", default=40),
    "EXCELLENCE_FOLLOW_UP_DAYS": env.int("QI_EXCELLENCE_FOLLOW_UP_DAYS", default=14),
    "STALLED_WEEKS": env.int("QI_STALLED_WEEKS", default=6),
    "UPLOAD_MAX_BYTES": env.int("QI_UPLOAD_MAX_BYTES", default=2 * 1024 * 1024),
    # An XLSX is a zip: what it may unpack to, checked before any of it is parsed (qiportal/spreadsheets.py).
    "UPLOAD_MAX_UNPACKED_BYTES": env.int("QI_UPLOAD_MAX_UNPACKED_BYTES", default=10 * 1024 * 1024),
}

# Single sign-on with OpenID Connect (issue 20; qiportal/auth/, README "Single sign-on"). Off unless an issuer
# or discovery URL is set; local passwords stay on unless LOCAL_PASSWORDS=false. Read at request time, so a
# test may replace OIDC with `settings.OIDC = {...}`.
OIDC = {
    "PROVIDER_NAME": env("OIDC_PROVIDER_NAME", default="your organisation's account"),
    "ISSUER": env("OIDC_ISSUER", default=""),
    "DISCOVERY_URL": env("OIDC_DISCOVERY_URL", default=""),
    "CLIENT_ID": env("OIDC_CLIENT_ID", default=""),
    "CLIENT_SECRET": env("OIDC_CLIENT_SECRET", default=""),
    # client_secret_basic, client_secret_post, or private_key_jwt with the key below (as CIS2 offers).
    "TOKEN_AUTH_METHOD": env("OIDC_TOKEN_AUTH_METHOD", default="client_secret_basic"),
    "CLIENT_PRIVATE_KEY": env.str("OIDC_CLIENT_PRIVATE_KEY", default="", multiline=True),
    "CLIENT_KEY_ID": env("OIDC_CLIENT_KEY_ID", default=""),
    "SCOPES": env.list("OIDC_SCOPES", default=["openid", "profile", "email"]),
    "PROMPT": env("OIDC_PROMPT", default=""),
    "USERINFO": env.bool("OIDC_USERINFO", default=True),
    "REQUIRED_CLAIMS": env.list("OIDC_REQUIRED_CLAIMS", default=["email"]),
    "CLAIM_SUBJECT": env("OIDC_CLAIM_SUBJECT", default="sub"),
    "CLAIM_USERNAME": env("OIDC_CLAIM_USERNAME", default="preferred_username"),
    "CLAIM_EMAIL": env("OIDC_CLAIM_EMAIL", default="email"),
    "CLAIM_GIVEN_NAME": env("OIDC_CLAIM_GIVEN_NAME", default="given_name"),
    "CLAIM_FAMILY_NAME": env("OIDC_CLAIM_FAMILY_NAME", default="family_name"),
    "CLAIM_JOB_TITLE": env("OIDC_CLAIM_JOB_TITLE", default="job_title"),
    "CLAIM_GROUPS": env("OIDC_CLAIM_GROUPS", default="groups"),
    "TIMEOUT_SECONDS": env.int("OIDC_TIMEOUT_SECONDS", default=10),
}
LOCAL_PASSWORDS = env.bool("LOCAL_PASSWORDS", default=True)
_sso_on = bool(OIDC["ISSUER"] or OIDC["DISCOVERY_URL"])
if _sso_on and not OIDC["CLIENT_ID"]:
    raise ImproperlyConfigured("OIDC_CLIENT_ID must be set for single sign-on. See README.md, 'Single sign-on'.")
_key_jwt = OIDC["TOKEN_AUTH_METHOD"] == "private_key_jwt"  # noqa: S105 - a method's name
if _sso_on and _key_jwt and not OIDC["CLIENT_PRIVATE_KEY"]:
    raise ImproperlyConfigured(
        "OIDC_CLIENT_PRIVATE_KEY must be set for private_key_jwt. See README.md, 'Single sign-on'."
    )
if _sso_on and not _key_jwt and not OIDC["CLIENT_SECRET"]:
    raise ImproperlyConfigured("OIDC_CLIENT_SECRET must be set for single sign-on. See README.md, 'Single sign-on'.")
if not LOCAL_PASSWORDS and not _sso_on:
    raise ImproperlyConfigured(
        "LOCAL_PASSWORDS=false needs single sign-on, or nobody could sign in: set OIDC_ISSUER or OIDC_DISCOVERY_URL "
        "and the client's id and secret. See README.md, 'Single sign-on'."
    )
if not LOCAL_PASSWORDS:  # Django admin and every other password form then refuse passwords too
    AUTHENTICATION_BACKENDS = [b for b in AUTHENTICATION_BACKENDS if b != "django.contrib.auth.backends.ModelBackend"]
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "qiportal.auth.backends.SingleSignOnBackend"]
if _sso_on:
    # Signing out posts a form whose redirect ends at the provider's end-session page: CSP's form-action must allow it.
    _sso_url = urlsplit(OIDC["ISSUER"] or OIDC["DISCOVERY_URL"])
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_sso_url.scheme}://{_sso_url.netloc}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
