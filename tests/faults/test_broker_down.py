"""The broker is down: pages keep working, notifications wait as pending, /healthz says so, and they go later."""

import pytest
from django.core import mail
from django.urls import reverse

from projects.models import Decision, Status
from qiportal import notifications
from qiportal.celery import app
from qiportal.models import Notification, NotificationKind
from tests.factories import InitiativeFactory

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker_down(settings):
    # Saved before the settings change: Celery reads its configuration from Django's settings, so saving after
    # would save the broken broker and leave it behind for every later test (they then sent no email at all).
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "broker_connection_retry")}
    saved_options = app.conf.broker_transport_options
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = CLOSED_PORT_BROKER
    app.conf.update(
        task_always_eager=False,
        broker_url=CLOSED_PORT_BROKER,
        broker_transport_options={**(saved_options or {}), "max_retries": 0},
    )
    app._pool = None  # a fresh connection pool for the new broker URL
    yield
    app.conf.update(saved, broker_transport_options=saved_options)
    app._pool = None


@pytest.mark.django_db(transaction=True)
def test_a_decision_still_succeeds_and_its_emails_wait_as_pending(client, broker_down, settings, sponsor, staff, ward):
    initiative = InitiativeFactory(sponsor=sponsor, lead=staff, status=Status.SUBMITTED, wards=[ward])
    client.force_login(sponsor)
    response = client.post(reverse("projects:approve", args=[initiative.pk]), {"reason": "A clear aim"})
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.status == Status.LIVE
    assert Decision.objects.filter(initiative=initiative, kind=Decision.Kind.APPROVE).count() == 1
    to_lead = Notification.objects.get(recipient=staff, kind=NotificationKind.DECISION)
    assert to_lead.status == Notification.Status.PENDING
    assert mail.outbox == []

    # Pages keep working, and /healthz tells the monitoring the broker is down.
    assert client.get(reverse("initiative_detail", args=[initiative.pk])).status_code == 200
    health = client.get(reverse("healthz"))
    assert health.status_code == 503 and health.json()["broker"] == "unavailable"

    # The broker is back: the retry job finds the pending rows and sends each once.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    queued = notifications.retry_failed(pending_older_than=None)
    assert queued >= 1
    to_lead.refresh_from_db()
    assert to_lead.status == Notification.Status.SENT
    assert notifications.retry_failed(pending_older_than=None) == 0
    assert sum(1 for message in mail.outbox if staff.email in message.to) == 1


@pytest.mark.django_db(transaction=True)
def test_notify_outside_a_request_survives_the_broker_being_down(broker_down, staff):
    [notification] = notifications.notify(
        recipients=[staff], kind=NotificationKind.REVIEW_DUE, title="Review due", body="A review is due."
    )
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING


@pytest.mark.django_db
def test_recent_pending_rows_are_left_to_their_own_queued_task(staff, django_capture_on_commit_callbacks):
    """Only pending rows older than a few minutes are requeued, so a healthy queue is not sent twice."""
    Notification.objects.create(
        recipient=staff, kind=NotificationKind.REVIEW_DUE, title="t", body="b", dedupe_key="fresh", channel="email"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications.retry_failed() == 0
