"""The one notification service: every email and in-app message of the product goes through notify().

A Notification row is written in the caller's transaction and its email is queued only after commit,
so a rolled-back decision sends nothing. Each row's dedupe key is unique: a retry, a second beat run
or two runs at once cannot create, or send, the same message twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Model, Q
from django.utils import timezone

from qiportal.delivery import MAX_ATTEMPTS
from qiportal.models import Channel, Notification, NotificationKind, NotificationPreference, User
from qiportal.queueing import enqueue
from qiportal.tasks import send_notification_email


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
    transaction.on_commit(lambda: enqueue(send_notification_email, notification_id))


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


@dataclass(frozen=True)
class Note:
    """One notify() call, for notify_many(): the same arguments."""

    recipients: list[User]
    kind: str
    title: str
    body: str
    subject: Model | None = None
    url: str = ""
    period: str = ""
    event: str = ""
    cc: tuple[str, ...] = field(default=())


def notify_many(notes: Iterable[Note]) -> list[Notification]:
    """What notify() records for each note, in a fixed number of queries for them all (a scan opening a hundred
    flags tells a thousand people): the preferences, the existing keys and one insert. The same dedupe keys, so a
    note already recorded creates nothing; if a concurrent run inserts one of them first, each note falls back to
    notify(), which skips what exists."""
    notes = list(notes)
    for note in notes:
        if note.kind not in NotificationKind.values:
            raise ValueError(f"Unknown notification kind: {note.kind!r}")
    planned: list[tuple[Note, User, str]] = []
    for note in notes:
        subject_type = ContentType.objects.get_for_model(note.subject) if note.subject is not None else None
        subject_id = note.subject.pk if note.subject is not None else None
        seen = set()
        for recipient in note.recipients:
            if recipient is None or recipient.pk in seen or not recipient.is_active:
                continue
            seen.add(recipient.pk)
            parts = (note.kind, subject_type.pk if subject_type else "-", subject_id or "-", note.event, note.period)
            key = ":".join(str(part) for part in (*parts, recipient.pk))[:200]
            planned.append((note, recipient, key))
    if not planned:
        return []
    chosen = {
        (user_id, kind): channel
        for user_id, kind, channel in NotificationPreference.objects.filter(
            user_id__in={recipient.pk for _, recipient, _ in planned}, kind__in={note.kind for note in notes}
        ).values_list("user_id", "kind", "channel")
    }
    existing = set(
        Notification.objects.filter(dedupe_key__in=[key for _, _, key in planned]).values_list("dedupe_key", flat=True)
    )
    rows = []
    for note, recipient, key in planned:
        if key in existing:
            continue
        channel = chosen.get((recipient.pk, note.kind), Channel.EMAIL)
        status = {
            Channel.EMAIL: Notification.Status.PENDING,
            Channel.DIGEST: Notification.Status.DIGEST,
            Channel.IN_APP: Notification.Status.IN_APP,
        }[channel]
        if channel == Channel.EMAIL and not recipient.email:
            status = Notification.Status.IN_APP
        rows.append(
            Notification(
                dedupe_key=key,
                recipient=recipient,
                kind=note.kind,
                subject_type=ContentType.objects.get_for_model(note.subject) if note.subject is not None else None,
                subject_id=note.subject.pk if note.subject is not None else None,
                period=note.period,
                channel=channel,
                status=status,
                title=note.title[:300],
                body=note.body,
                url=note.url,
                cc=sorted(set(note.cc) - {recipient.email}),
            )
        )
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows)
    except IntegrityError:  # another run recorded some of these a moment ago: one by one, skipping those
        created = []
        for note in notes:
            created += notify(
                recipients=note.recipients,
                kind=note.kind,
                title=note.title,
                body=note.body,
                subject=note.subject,
                url=note.url,
                period=note.period,
                event=note.event,
                cc=note.cc,
            )
        return created
    for notification in created:
        if notification.status == Notification.Status.PENDING:
            _queue_email(notification.pk)
    return created
