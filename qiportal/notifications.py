"""The one notification service: every email and in-app message of the product goes through notify().

A Notification row is written in the caller's transaction and its email is queued only after commit,
so a rolled-back decision sends nothing. Each row's dedupe key is unique: a retry, a second beat run
or two runs at once cannot create, or send, the same message twice.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone

from qiportal.models import Channel, Notification, NotificationKind, NotificationPreference, User

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def preferred_channel(user: User, kind: str) -> str:
    preference = NotificationPreference.objects.filter(user=user, kind=kind).values_list("channel", flat=True).first()
    return preference or Channel.EMAIL


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str,
    subject: Model | None = None,
    url: str = "",
    period: str = "",
    event: str = "",
    cc: Iterable[str] = (),
) -> list[Notification]:
    """Record one notification per distinct recipient and queue its email after commit.

    `event` distinguishes separate happenings about the same subject (a decision's id, say); `period`
    names the week or day a reminder covers. Together with kind, subject and recipient they make the
    dedupe key, so calling this twice for the same thing creates nothing new.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind: {kind!r}")
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    subject_id = subject.pk if subject is not None else None
    created = []
    seen = set()
    for recipient in recipients:
        if recipient is None or recipient.pk in seen or not recipient.is_active:
            continue
        seen.add(recipient.pk)
        key = ":".join(
            str(part)
            for part in (kind, subject_type.pk if subject_type else "-", subject_id or "-", event, period, recipient.pk)
        )
        channel = preferred_channel(recipient, kind)
        status = {
            Channel.EMAIL: Notification.Status.PENDING,
            Channel.DIGEST: Notification.Status.DIGEST,
            Channel.IN_APP: Notification.Status.IN_APP,
        }[channel]
        if channel == Channel.EMAIL and not recipient.email:
            status = Notification.Status.IN_APP
        try:
            with transaction.atomic():
                notification, was_created = Notification.objects.get_or_create(
                    dedupe_key=key[:200],
                    defaults={
                        "recipient": recipient,
                        "kind": kind,
                        "subject_type": subject_type,
                        "subject_id": subject_id,
                        "period": period,
                        "channel": channel,
                        "status": status,
                        "title": title[:300],
                        "body": body,
                        "url": url,
                        "cc": sorted(set(cc) - {recipient.email}),
                    },
                )
        except IntegrityError:  # a concurrent run created it first: nothing to add
            continue
        if was_created:
            created.append(notification)
            if notification.status == Notification.Status.PENDING:
                _queue_email(notification.pk)
    return created


def _queue_email(notification_id: int) -> None:
    """Queue the email after commit. If the broker is down the row stays pending and retry_failed() requeues it."""
    from qiportal.queueing import enqueue
    from qiportal.tasks import send_notification_email

    transaction.on_commit(lambda: enqueue(send_notification_email, notification_id))


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


# A pending row older than this was never picked up (the broker was down when it was queued, or the worker
# died holding it): requeue it. Younger ones are still on their way through a healthy queue.
PENDING_GRACE = timedelta(minutes=10)


def retry_failed(limit: int = 500, pending_older_than: timedelta | None = PENDING_GRACE) -> int:
    """Queue again every failed email with attempts left, and every email stuck pending. Returns how many.

    Sending is idempotent (deliver() locks the row and skips anything already sent), so requeueing a row
    that is in fact still queued sends it once, not twice.
    """
    stuck = Q(status=Notification.Status.PENDING)
    if pending_older_than is not None:
        stuck &= Q(created_at__lt=timezone.now() - pending_older_than)
    ids = list(
        Notification.objects.filter(Q(status=Notification.Status.FAILED) | stuck, attempts__lt=MAX_ATTEMPTS)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        _queue_email(pk)
    return len(ids)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
