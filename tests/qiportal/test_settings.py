"""Settings come from the environment: defaults give the embedded set-up, production fails loudly."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789",
    "ALLOWED_HOSTS": "qi.example.nhs.uk",
    "DATABASE_URL": "sqlite:///:memory:",
    "CACHE_URL": "redis://redis.example.nhs.uk:6379/1",
}


def read_settings(env: dict[str, str], *names: str) -> subprocess.CompletedProcess:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: str(getattr(settings, n)) for n in {list(names)!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "DATABASE_", "EMAIL_"))}
    clean = {k: v for k, v in clean.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "TESTING")}
    clean = {k: v for k, v in clean.items() if not k.startswith("OIDC_") and k != "LOCAL_PASSWORDS"}
    clean = {k: v for k, v in clean.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "qiportal.settings", **env})
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "READ_DOTENV": "false"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_defaults_give_the_embedded_set_up():
    result = read_settings(
        {"DEBUG": "true"}, "DATABASES", "CELERY_TASK_ALWAYS_EAGER", "EMAIL_BACKEND", "DEBUG", "SECURE_SSL_REDIRECT"
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert "sqlite3" in values["DATABASES"] and "db.sqlite3" in values["DATABASES"]
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "True"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["DEBUG"] == "True"
    assert values["SECURE_SSL_REDIRECT"] == "False"


def test_debug_is_off_unless_asked_for():
    result = read_settings({"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "qi.example.nhs.uk"}, "DEBUG")
    assert json.loads(result.stdout)["DEBUG"] == "False"


def test_service_urls_switch_to_postgres_redis_and_smtp():
    result = read_settings(
        {
            **PRODUCTION,
            "DATABASE_URL": "postgres://qi:pw@db:5432/qiportal",
            "CELERY_BROKER_URL": "redis://redis:6379/0",
            "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.nhs.uk:587",
        },
        "DATABASES",
        "CELERY_TASK_ALWAYS_EAGER",
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_USE_TLS",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert "postgresql" in values["DATABASES"] and "'NAME': 'qiportal'" in values["DATABASES"]
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "False"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["EMAIL_HOST"] == "smtp.example.nhs.uk"
    assert values["EMAIL_USE_TLS"] == "True"


@pytest.mark.parametrize(
    ("missing", "message"),
    [("SECRET_KEY", "SECRET_KEY must be set when DEBUG is false"), ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set")],
)
def test_production_without_secret_or_hosts_stops_with_a_clear_message(missing, message):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = read_settings(env, "DEBUG")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def deploy_check(production: dict[str, str]) -> subprocess.CompletedProcess:
    """`check --deploy` with these settings and none of this machine's own (a CI runner may set some)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "CACHE_"))}
    clean = {k: v for k, v in clean.items() if k not in ("DEBUG", "TESTING") and not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **production, "READ_DOTENV": "false"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings():
    result = deploy_check(PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# Single sign-on as README's "Single sign-on" section shows it for Microsoft Entra ID.
ENTRA = {
    "OIDC_ISSUER": "https://login.microsoftonline.com/4f8a1c2e-0000-4000-8000-000000000000/v2.0",
    "OIDC_CLIENT_ID": "1b2c3d4e-0000-4000-8000-000000000000",
    "OIDC_CLIENT_SECRET": "a-client-secret-from-entra",
}


def test_single_sign_on_only_drops_the_password_backend_and_lets_sign_out_reach_the_provider():
    result = read_settings(
        {**PRODUCTION, **ENTRA, "LOCAL_PASSWORDS": "false"}, "AUTHENTICATION_BACKENDS", "CONTENT_SECURITY_POLICY"
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert "ModelBackend" not in values["AUTHENTICATION_BACKENDS"]
    assert "qiportal.auth.backends.SingleSignOnBackend" in values["AUTHENTICATION_BACKENDS"]
    assert "'form-action': [\"'self'\", 'https://login.microsoftonline.com']" in values["CONTENT_SECURITY_POLICY"]


def test_by_default_local_passwords_stay_and_single_sign_on_is_off():
    result = read_settings(PRODUCTION, "AUTHENTICATION_BACKENDS", "LOCAL_PASSWORDS", "OIDC")
    values = json.loads(result.stdout)
    assert "django.contrib.auth.backends.ModelBackend" in values["AUTHENTICATION_BACKENDS"]
    assert values["LOCAL_PASSWORDS"] == "True"
    assert "'ISSUER': ''" in values["OIDC"] and "'DISCOVERY_URL': ''" in values["OIDC"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOCAL_PASSWORDS": "false"}, "LOCAL_PASSWORDS=false needs single sign-on"),
        ({**ENTRA, "OIDC_CLIENT_ID": ""}, "OIDC_CLIENT_ID must be set"),
        ({**ENTRA, "OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_SECRET must be set"),
        ({**ENTRA, "OIDC_TOKEN_AUTH_METHOD": "private_key_jwt"}, "OIDC_CLIENT_PRIVATE_KEY must be set"),
    ],
    ids=["no-way-to-sign-in", "no-client-id", "no-secret", "no-private-key"],
)
def test_incomplete_single_sign_on_settings_stop_with_a_clear_message(env, message):
    result = read_settings({**PRODUCTION, **env}, "DEBUG")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_deploy_check_is_clean_with_single_sign_on_and_no_local_passwords():
    result = deploy_check({**PRODUCTION, **ENTRA, "LOCAL_PASSWORDS": "false"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
