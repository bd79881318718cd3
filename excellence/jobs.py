"""Scheduled work for excellence reporting: overdue follow-up conversations and unopened reports."""

from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils import timezone

from excellence.models import ExcellenceReport, RecipientResponse
from qiportal import notifications
from qiportal.jobs import JobResult, iso_week, ward_managers
from qiportal.models import Notification, NotificationKind

UNOPENED_DAYS = 7


def remind_excellence_follow_up(*, today: date | None = None) -> JobResult:
    """Managers of praised people (or teams) whose conversation is overdue, once a week per report."""
    result = JobResult("remind_excellence_follow_up")
    today = today or timezone.localdate()
    period = iso_week(today)
    reports = list(
        ExcellenceReport.objects.overdue()
        .select_related("ward", "team_ward")
        .prefetch_related("recipients__line_manager")
        .order_by("created_at", "pk")
    )
    managers_by_ward = ward_managers({r.team_ward_id for r in reports if r.team_ward_id})
    for report in reports:
        managers = [person.line_manager for person in report.recipients.all() if person.line_manager]
        managers += managers_by_ward.get(report.team_ward_id, [])
        sent = notifications.notify(
            recipients=managers,
            kind=NotificationKind.EXCELLENCE_FOLLOW_UP,
            title="An excellence conversation is overdue",
            body=(
                f"Excellence was reported on {report.ward} on {timezone.localdate(report.created_at):%-d %B %Y}. "
                "Hold the short appreciative conversation with the people praised and record it."
            ),
            subject=report,
            url=report.get_absolute_url(),
            period=period,
        )
        if sent:
            result.add(f"Reminded {len(sent)} managers about excellence report {report.pk}.", "sent")
    result.add(f"{result.count('sent')} follow-up reminders for {period}.")
    return result


def remind_excellence_unopened(*, now=None) -> JobResult:
    """Each recipient who has not opened a report about them after 7 days, once ever."""
    result = JobResult("remind_excellence_unopened")
    now = now or timezone.now()
    # Leave out those already reminded: notify() would only meet its dedupe key for them (same kind, subject,
    # recipient and period, no event).
    reminded = Notification.objects.filter(
        kind=NotificationKind.EXCELLENCE_UNOPENED,
        subject_type=ContentType.objects.get_for_model(ExcellenceReport),
        subject_id=OuterRef("report_id"),
        recipient=OuterRef("recipient_id"),
        period="once",
    )
    responses = (
        RecipientResponse.objects.filter(
            opened_at__isnull=True, report__created_at__lt=now - timedelta(days=UNOPENED_DAYS)
        )
        .exclude(Exists(reminded))
        .select_related("recipient", "report__ward")
        .order_by("pk")
    )
    for response in responses:
        sent = notifications.notify(
            recipients=[response.recipient],
            kind=NotificationKind.EXCELLENCE_UNOPENED,
            title="Someone reported your excellent work",
            body=(
                f"A colleague reported excellence on {response.report.ward} a week ago and you have not read it yet. "
                "Open it to see what they said and to thank them."
            ),
            subject=response.report,
            url=response.report.get_absolute_url(),
            period="once",
        )
        if sent:
            result.add(f"Reminded {response.recipient} to open excellence report {response.report_id}.", "sent")
    result.add(f"{result.count('sent')} unopened-report reminders.")
    return result
