"""The one notification service: every email and in-app message of the product goes through notify().

A Notification row is written in the caller's transaction and its email is queued only after commit,
so a rolled-back decision sends nothing. Each row's dedupe key is unique: a retry, a second beat run
or two runs at once cannot create, or send, the same message twice.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from qiportal.delivery import MAX_ATTEMPTS
from qiportal.models import Channel, Notification, NotificationKind, NotificationPreference, ReminderLog, User
from qiportal.queueing import enqueue
from qiportal.tasks import send_notification_email

STATUS_FOR_CHANNEL = {
    Channel.EMAIL: Notification.Status.PENDING,
    Channel.DIGEST: Notification.Status.DIGEST,
    Channel.IN_APP: Notification.Status.IN_APP,
}


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
        status = STATUS_FOR_CHANNEL[channel]
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


WEEKLY = timedelta(days=7)


@dataclass
class Reminder:
    """One thing due for some people: what the job adds to its batch.

    `every` is the reminder period (None: once only, per topic); `topic` separates reminders about the same
    thing (a review date, a missing week); `says` is the job's report line when anyone was reminded, where
    "{who}" becomes their names and "{n}" their number. `notice` marks news rather than a reminder (a flag just
    opened, an initiative just stalled): sent once (its `every` is None), and a message of several is headed as new
    things.
    """

    recipients: list[User]
    kind: str
    subject: Model
    title: str
    body: str
    url: str
    every: timedelta | None = WEEKLY
    topic: str = ""
    says: str = ""
    notice: bool = False
    result: object = None  # the JobResult of the job that added it
    reminded: list[User] = field(default_factory=list)

    def __post_init__(self):
        if self.notice:
            self.every = None


def send_reminders(reminders: list[Reminder]) -> list[Notification]:
    """Send reminders gathered by one job run (or one run of every job): one message per person and channel.

    Each (person, thing) is sent only when its ReminderLog says its period has passed (or it was never sent), and
    is then stamped, in the same transaction as the messages. Every person's items due by email go in one email;
    those they chose to hear about weekly wait for the digest as one entry; in-app only ones make one entry. The
    number of queries does not grow with the number of reminders or of people (tests/jobs/test_batching.py).
    Sets `reminder.reminded` to the people reminded this time.
    """
    now = timezone.now()
    today = timezone.localdate(now)
    wanted: dict[tuple, tuple[Reminder, User]] = {}
    for reminder in reminders:
        subject_type = ContentType.objects.get_for_model(reminder.subject)  # cached after the first
        for person in reminder.recipients:
            if not person.is_active:
                continue
            key = (person.pk, reminder.kind, subject_type.pk, reminder.subject.pk, reminder.topic)
            wanted.setdefault(key, (reminder, person))
    if not wanted:
        return []
    with transaction.atomic():
        ReminderLog.objects.bulk_create(
            [
                ReminderLog(recipient_id=k[0], kind=k[1], subject_type_id=k[2], subject_id=k[3], topic=k[4])
                for k in wanted
            ],
            ignore_conflicts=True,  # a row already there (or made by a run at the same moment) is kept
        )
        logs = {
            (log.recipient_id, log.kind, log.subject_type_id, log.subject_id, log.topic): log
            for log in ReminderLog.objects.select_for_update().filter(
                recipient_id__in={k[0] for k in wanted},
                kind__in={k[1] for k in wanted},
                subject_id__in={k[3] for k in wanted},
            )
        }
        due = []
        for key, (reminder, person) in wanted.items():
            log = logs.get(key)
            if log is None:
                continue
            last = log.last_reminded_at
            if last is None or (reminder.every is not None and timezone.localdate(last) <= today - reminder.every):
                due.append((key, log, reminder, person))
        if not due:
            return []
        ReminderLog.objects.filter(pk__in=[log.pk for _, log, _, _ in due]).update(
            last_reminded_at=now, times=F("times") + 1
        )
        people = {person.pk: person for _, _, _, person in due}
        chosen = {
            (user_id, kind): channel
            for user_id, kind, channel in NotificationPreference.objects.filter(user_id__in=people).values_list(
                "user_id", "kind", "channel"
            )
        }
        groups: dict[tuple[int, str], list[tuple[tuple, Reminder]]] = defaultdict(list)
        for key, _, reminder, person in due:
            channel = chosen.get((person.pk, reminder.kind), Channel.EMAIL)
            if channel == Channel.EMAIL and not person.email:
                channel = Channel.IN_APP
            groups[(person.pk, channel)].append((key, reminder))
            reminder.reminded.append(person)
        batch = uuid.uuid4().hex
        made = Notification.objects.bulk_create(
            [_batched(people[user_id], channel, items, batch) for (user_id, channel), items in groups.items()]
        )
    for notification in made:
        if notification.status == Notification.Status.PENDING:
            _queue_email(notification.pk)
    return made


def _batched(person: User, channel: str, items: list[tuple[tuple, Reminder]], batch: str) -> Notification:
    """One person's message for the reminders due to them in one channel."""
    listed = [
        {
            "kind": reminder.kind,
            "title": reminder.title,
            "body": reminder.body,
            "url": reminder.url,
            "subject": f"{key[2]}:{key[3]}",
        }
        for key, reminder in items
    ]
    first_key, first = items[0]
    kinds = {reminder.kind for _, reminder in items}
    if len(items) == 1:
        title, body, url = first.title, first.body, first.url
    else:
        labels = [NotificationKind(kind).label for kind in dict.fromkeys(r.kind for _, r in items)]
        if all(reminder.notice for _, reminder in items):
            title = f"{labels[0]}: {len(items)} new" if len(labels) == 1 else f"{len(items)} new things in QI Portal"
        else:
            what = labels[0].lower() if len(labels) == 1 else "things waiting for you in QI Portal"
            title = f"{len(items)} reminders: {what}"
        body = reminder_list_text(listed)
        url = ""
    return Notification(
        recipient=person,
        kind=first.kind if len(kinds) == 1 else NotificationKind.REMINDERS,
        subject_type_id=first_key[2] if len(items) == 1 else None,
        subject_id=first_key[3] if len(items) == 1 else None,
        channel=channel,
        status=STATUS_FOR_CHANNEL[channel],
        dedupe_key=f"reminders:{batch}:{person.pk}:{channel}",
        title=title[:300],
        body=body,
        url=url,
        items=listed if len(items) > 1 else [],
    )


def reminder_list_text(items: list[dict]) -> str:
    """A batch's reminders as plain text, grouped by kind, each with its link: the body of the one email."""
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        by_kind[item["kind"]].append(item)
    parts = []
    for kind, listed in by_kind.items():
        lines = [f"{NotificationKind(kind).label} ({len(listed)}):"]
        for item in listed:
            lines.append(f"- {item['title']}")
            if item["body"]:
                lines.append(f"  {item['body']}")
            if item["url"]:
                lines.append(f"  {settings.SITE_URL}{item['url']}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


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
