"""The weekly digest: one email per person per week gathering what they chose to hear about weekly.

It goes to everyone with notifications waiting for the digest (the kinds they chose to hear about
weekly), and adds what needs them now: reviews due, proposals to review, PDSA cycles overdue. A reminder about
something already under "what needs you now" is not listed again, and the heading counts what is listed.
Nobody gets an empty digest. The digest is
itself a notification with the ISO week as its period, so a second run in the same week sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from projects.models import Initiative, PdsaCycle, Status
from qiportal import notifications
from qiportal.jobs import JobResult, deliver_pending, iso_week
from qiportal.models import Notification, NotificationKind, User


@dataclass(frozen=True)
class Need:
    """One thing that needs a person now; `covers` is the (kind, subject) of the reminder it makes redundant."""

    title: str
    url: str
    covers: tuple[str, str] | None = None


def needs_for(users: list[User], today: date) -> dict[int, list[Need]]:
    """What needs each person now, one entry per thing; three queries whatever the number of people."""
    ids = [user.pk for user in users]
    needs: dict[int, list[Need]] = {pk: [] for pk in ids}
    initiative_type = ContentType.objects.get_for_model(Initiative).pk
    cycle_type = ContentType.objects.get_for_model(PdsaCycle).pk
    reviews = (
        Initiative.objects.filter(sponsor_id__in=ids, status=Status.LIVE, next_review_on__lte=today + timedelta(days=7))
        .order_by("next_review_on", "pk")
        .values_list("pk", "sponsor_id", "title", "next_review_on")
    )
    for pk, sponsor_id, title, review_on in reviews:
        state = "overdue" if review_on < today else "due"
        needs[sponsor_id].append(
            Need(
                f"Review {state}: ‘{title}’ ({review_on:%-d %B %Y})",
                reverse("review_detail", args=[pk]),
                (NotificationKind.REVIEW_DUE, f"{initiative_type}:{pk}"),
            )
        )
    proposals = (
        Initiative.objects.filter(sponsor_id__in=ids, status=Status.SUBMITTED)
        .order_by("submitted_at", "pk")
        .values_list("pk", "sponsor_id", "title")
    )
    for pk, sponsor_id, title in proposals:
        needs[sponsor_id].append(Need(f"Proposal awaiting your review: ‘{title}’", reverse("review_detail", args=[pk])))
    cycles = (
        PdsaCycle.objects.filter(PdsaCycle.overdue(today), initiative__lead_id__in=ids, initiative__status=Status.LIVE)
        .order_by("planned_end_on", "pk")
        .values_list("pk", "initiative__lead_id", "initiative_id", "number", "initiative__title")
    )
    for pk, lead_id, initiative_id, number, title in cycles:
        needs[lead_id].append(
            Need(
                f"PDSA {number} of ‘{title}’ is past its planned end",
                reverse("projects:pdsa_detail", args=[initiative_id, number]),
                (NotificationKind.PDSA_OVERDUE, f"{cycle_type}:{pk}"),
            )
        )
    return needs


def gathered_items(notification: Notification) -> list[dict]:
    """The things a notification waiting for the digest is about: a batch's items, or the one thing."""
    if notification.items:
        return notification.items
    subject = f"{notification.subject_type_id}:{notification.subject_id}" if notification.subject_id else ""
    return [{"kind": notification.kind, "title": notification.title, "url": notification.url, "subject": subject}]


def send_weekly_digest(*, today: date | None = None) -> JobResult:
    """Each thing once: what needs the person now, then what they heard about since, less anything already above.

    The heading counts the things listed, so it always matches the list below it.
    """
    result = JobResult("send_weekly_digest")
    deliver_pending()  # this run's reminders first: those meant for the digest belong in this one
    today = today or timezone.localdate()
    period = iso_week(today)
    waiting = (
        Notification.objects.filter(status=Notification.Status.DIGEST)
        .select_related("recipient")
        .order_by("recipient_id", "created_at", "pk")
    )
    by_user: dict[int, list[Notification]] = {}
    people: dict[int, User] = {}
    for notification in waiting:
        by_user.setdefault(notification.recipient_id, []).append(notification)
        people[notification.recipient_id] = notification.recipient
    needs = needs_for(list(people.values()), today)
    for pk, user in people.items():
        gathered = by_user[pk]
        now = needs[pk]
        covered = {need.covers for need in now if need.covers}
        since, seen = [], set()
        for notification in gathered:
            for item in gathered_items(notification):
                key = (item["kind"], item["subject"]) if item["subject"] else None
                if key in covered or (key is not None and key in seen):
                    continue
                if key is not None:
                    seen.add(key)
                since.append(item)
        lines = []
        if now:
            lines.append(f"What needs you now ({len(now)}):")
            lines += [f"- {need.title}: {settings.SITE_URL}{need.url}" for need in now]
        if since:
            lines.append("")
            lines.append(f"Since your last digest ({len(since)}):")
            lines += [
                f"- {item['title']}" + (f": {settings.SITE_URL}{item['url']}" if item["url"] else "") for item in since
            ]
        count = len(now) + len(since)
        with transaction.atomic():
            created = notifications.notify(
                recipients=[user],
                kind=NotificationKind.DIGEST,
                title=f"Your QI Portal week: {count} thing{'s' if count != 1 else ''}",
                body="\n".join(lines).strip(),
                url=reverse("notification_list"),
                period=period,
            )
            if created:
                Notification.objects.filter(pk__in=[n.pk for n in gathered], status=Notification.Status.DIGEST).update(
                    status=Notification.Status.IN_DIGEST, sent_at=timezone.now()
                )
        if created:
            result.add(f"Digest for {user}: {len(since)} notifications, {len(now)} things needing them.", "sent")
    result.add(f"{result.count('sent')} digests for {period}.")
    return result
