import pytest
from django.urls import reverse

from qiportal import health


def test_healthz_reports_database_and_eager_broker_without_login(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "eager"}


def test_healthz_is_503_when_the_broker_is_unreachable(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}


def test_healthz_is_503_when_the_database_fails(client, db, monkeypatch):
    monkeypatch.setattr(health, "database_status", lambda: "unavailable")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def test_healthz_reveals_no_settings(client, db, settings):
    body = client.get(reverse("healthz")).content.decode()
    assert settings.SECRET_KEY not in body
    assert "sqlite" not in body.lower() and "redis://" not in body


@pytest.mark.services
def test_healthz_reports_a_real_broker_ok(client, db, settings):
    import os

    from tests.conftest import skip_or_fail

    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker:
        skip_or_fail("CELERY_BROKER_URL is not set: no real broker to check")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = broker
    response = client.get(reverse("healthz"))
    assert response.status_code == 200, response.json()
    assert response.json()["broker"] == "ok"
