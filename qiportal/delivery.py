"""Sending one notification's email: what the Celery task runs, apart from the notification service so that the
service can queue the task and the task can send without either importing the other."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from qiportal.models import EMAIL_ATTEMPTS, Notification

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = EMAIL_ATTEMPTS


def deliver(notification_id: int) -> bool:
    """Send one pending notification's email. Returns True when sent now; records failures with their reason.

    The row is locked while sending so two workers cannot both send it; a row already sent is left alone.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, status__in=[Notification.Status.PENDING, Notification.Status.FAILED])
            .filter(attempts__lt=MAX_ATTEMPTS)  # a row out of attempts stays failed for an admin to look at
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        try:
            _email(notification.recipient.email, notification.title, _email_body(notification), notification.cc)
        except Exception as error:  # noqa: BLE001 - any delivery failure is recorded, then retried later
            notification.status = Notification.Status.FAILED
            notification.last_error = f"{type(error).__name__}: {error}"[:500]
            notification.save(update_fields=["status", "last_error", "attempts"])
            logger.warning("Email for notification %s failed: %s", notification.pk, notification.last_error)
            return False
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.last_error = ""
        notification.save(update_fields=["status", "sent_at", "last_error", "attempts"])
        return True


def _email_body(notification: Notification) -> str:
    link = f"\n\nOpen it in QI Portal: {settings.SITE_URL}{notification.url}" if notification.url else ""
    footer = (
        "\n\n--\nQI Portal. You can choose how you hear about this in QI Portal: Notifications, then "
        "'How you are told'. QI Portal holds no patient-identifiable information: do not reply with patient details."
    )
    return f"{notification.body}{link}{footer}"


def _email(to: str, subject: str, body: str, cc: list[str]) -> None:
    EmailMessage(subject=subject, body=body, to=[to], cc=cc or None).send(fail_silently=False)
