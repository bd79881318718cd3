"""The mail server is down when a decision is made: the notification is kept as failed, then sent once."""

import pytest
from django.core import mail
from django.urls import reverse

from hub import tasks as hub_tasks
from projects.models import Status
from qiportal import delivery, notifications
from qiportal.models import Notification, NotificationKind
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

BACKENDS = ["tests.faults.backends.RefusingBackend", "tests.faults.backends.SmtpErrorBackend"]


@pytest.fixture
def submitted(sponsor, staff, ward):
    return InitiativeFactory(sponsor=sponsor, lead=staff, status=Status.SUBMITTED, wards=[ward], next_review_on=None)


def approve(client, sponsor, initiative, django_capture_on_commit_callbacks):
    client.force_login(sponsor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:approve", args=[initiative.pk]), {"reason": "A clear aim"})
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.status == Status.LIVE


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_decision_made_while_email_is_down_is_recorded_failed_then_sent_once(
    client, settings, sponsor, staff, submitted, django_capture_on_commit_callbacks, backend
):
    settings.EMAIL_BACKEND = backend
    approve(client, sponsor, submitted, django_capture_on_commit_callbacks)

    to_lead = Notification.objects.get(recipient=staff, kind=NotificationKind.DECISION)
    assert to_lead.status == Notification.Status.FAILED
    assert to_lead.last_error  # the reason is kept, for the admin and the retry
    assert to_lead.attempts == 1
    assert mail.outbox == []
    # The person still sees it in QI Portal while the email waits.
    client.force_login(staff)
    assert submitted.title in client.get(reverse("notification_list")).content.decode()

    # A retry while the server is still down: still failed, attempt counted, nothing sent.
    with django_capture_on_commit_callbacks(execute=True):
        notifications.retry_failed()
    to_lead.refresh_from_db()
    assert (to_lead.status, to_lead.attempts) == (Notification.Status.FAILED, 2)

    # The server is back: the retry job sends each failed email once, and a second run sends nothing.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failed = Notification.objects.filter(status=Notification.Status.FAILED).count()
    assert failed >= 1
    for expected in (failed, 0):
        with django_capture_on_commit_callbacks(execute=True):
            assert hub_tasks.retry_failed_emails.delay().get() == [f"Queued {expected} failed emails to try again."]
    to_lead.refresh_from_db()
    assert to_lead.status == Notification.Status.SENT and to_lead.last_error == ""
    assert len(mail.outbox) == failed
    assert sum(1 for message in mail.outbox if staff.email in message.to) == 1


def test_a_failing_email_stops_being_retried_after_the_last_attempt(
    settings, staff, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = BACKENDS[0]
    with django_capture_on_commit_callbacks(execute=True):
        [notification] = notifications.notify(
            recipients=[staff], kind=NotificationKind.REVIEW_DUE, title="Review due", body="A review is due."
        )
    for _ in range(delivery.MAX_ATTEMPTS + 2):
        delivery.deliver(notification.pk)
        with django_capture_on_commit_callbacks(execute=True):
            notifications.retry_failed()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == delivery.MAX_ATTEMPTS
    assert notifications.retry_failed() == 0


def test_two_workers_delivering_the_same_row_send_it_once(staff):
    [notification] = notifications.notify(
        recipients=[staff], kind=NotificationKind.REVIEW_DUE, title="Review due", body="A review is due.", event="x"
    )
    mail.outbox.clear()
    results = [delivery.deliver(notification.pk) for _ in range(3)]
    assert results.count(True) <= 1
    assert len(mail.outbox) == 1
