"""The weekly digest: one email per person per week gathering what they chose to hear about weekly.

It goes to everyone with notifications waiting for the digest (the kinds they chose to hear about
weekly), and adds what needs them now: reviews due, proposals to review, PDSA cycles overdue. Nobody
gets an empty digest. The digest is
itself a notification with the ISO week as its period, so a second run in the same week sends nothing.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from projects.models import Initiative, PdsaCycle, Status
from qiportal import notifications
from qiportal.jobs import JobResult, iso_week
from qiportal.models import Notification, NotificationKind, User


def needs_for(users: list[User], today: date) -> dict[int, list[str]]:
    """What needs each person now, as short lines; three queries whatever the number of people."""
    ids = [user.pk for user in users]
    needs: dict[int, list[str]] = {pk: [] for pk in ids}
    reviews = (
        Initiative.objects.filter(sponsor_id__in=ids, status=Status.LIVE, next_review_on__lte=today + timedelta(days=7))
        .values("sponsor_id")
        .annotate(n=Count("pk"))
    )
    for row in reviews:
        needs[row["sponsor_id"]].append(f"{row['n']} initiative review{'s' if row['n'] != 1 else ''} due or overdue")
    proposals = (
        Initiative.objects.filter(sponsor_id__in=ids, status=Status.SUBMITTED)
        .values("sponsor_id")
        .annotate(n=Count("pk"))
    )
    for row in proposals:
        needs[row["sponsor_id"]].append(f"{row['n']} proposal{'s' if row['n'] != 1 else ''} awaiting your review")
    cycles = (
        PdsaCycle.objects.filter(PdsaCycle.overdue(today), initiative__lead_id__in=ids, initiative__status=Status.LIVE)
        .values("initiative__lead_id")
        .annotate(n=Count("pk"))
    )
    for row in cycles:
        needs[row["initiative__lead_id"]].append(
            f"{row['n']} PDSA cycle{'s' if row['n'] != 1 else ''} past the planned end"
        )
    return needs


def send_weekly_digest(*, today: date | None = None) -> JobResult:
    result = JobResult("send_weekly_digest")
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
        lines = []
        if needs[pk]:
            lines.append("What needs you now:")
            lines += [f"- {line}" for line in needs[pk]]
        if gathered:
            lines.append("")
            lines.append(f"Since your last digest ({len(gathered)}):")
            lines += [f"- {n.title}" for n in gathered]
        with transaction.atomic():
            created = notifications.notify(
                recipients=[user],
                kind=NotificationKind.DIGEST,
                title=f"Your QI Portal week: {len(gathered) + len(needs[pk])} things",
                body="\n".join(lines).strip(),
                url=reverse("notification_list"),
                period=period,
            )
            if created:
                Notification.objects.filter(pk__in=[n.pk for n in gathered], status=Notification.Status.DIGEST).update(
                    status=Notification.Status.SENT, sent_at=timezone.now()
                )
        if created:
            result.add(
                f"Digest for {user}: {len(gathered)} notifications, {len(needs[pk])} things needing them.", "sent"
            )
    result.add(f"{result.count('sent')} digests for {period}.")
    return result
