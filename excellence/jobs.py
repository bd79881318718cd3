"""Scheduled work for excellence reporting: overdue follow-up conversations and unopened reports."""

from datetime import date, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef
from django.utils import timezone

from excellence import tallies
from excellence.models import ExcellenceReport, RecipientResponse
from qiportal.jobs import JobResult, ReminderBatch, iso_week, ward_managers
from qiportal.models import NotificationKind, ReminderLog

UNOPENED_DAYS = 7


def remind_excellence_follow_up(*, today: date | None = None) -> JobResult:
    """Managers of praised people (or teams) whose conversation is overdue, once a week per report.

    A manager with many reports overdue gets them in one message (issue 17: one run sent a sponsor 14 emails).
    """
    result = JobResult("remind_excellence_follow_up")
    today = today or timezone.localdate()
    for line in tallies.check():  # the stored counts checked against the reports each morning
        result.add(line, "counts_repaired")
    reports = list(
        ExcellenceReport.objects.overdue()
        .select_related("ward", "team_ward")
        .prefetch_related("recipients__line_manager")
        .order_by("created_at", "pk")
    )
    managers_by_ward = ward_managers({r.team_ward_id for r in reports if r.team_ward_id})
    batch = ReminderBatch(result)
    for report in reports:
        managers = [person.line_manager for person in report.recipients.all() if person.line_manager]
        managers += managers_by_ward.get(report.team_ward_id, [])
        reported_on = timezone.localdate(report.created_at)
        batch.add(
            recipients=managers,
            kind=NotificationKind.EXCELLENCE_FOLLOW_UP,
            subject=report,
            title=f"An excellence conversation is overdue: {report.ward}, {reported_on:%-d %B %Y}",
            body=(
                f"Excellence was reported on {report.ward} on {reported_on:%-d %B %Y}. "
                "Hold the short appreciative conversation with the people praised and record it."
            ),
            url=report.get_absolute_url(),
            says=f"Reminded {{n}} managers about excellence report {report.pk}.",
        )
    batch.send(summary=f"{{n}} follow-up reminders for {iso_week(today)}.")
    return result


def remind_excellence_unopened(*, now=None) -> JobResult:
    """Each recipient who has not opened a report about them after 7 days, once ever."""
    result = JobResult("remind_excellence_unopened")
    now = now or timezone.now()
    # Leave out those already reminded, so the candidates do not grow with every report ever sent.
    reminded = ReminderLog.objects.filter(
        kind=NotificationKind.EXCELLENCE_UNOPENED,
        subject_type=ContentType.objects.get_for_model(ExcellenceReport),
        subject_id=OuterRef("report_id"),
        recipient=OuterRef("recipient_id"),
        last_reminded_at__isnull=False,
    )
    responses = (
        RecipientResponse.objects.filter(
            opened_at__isnull=True, report__created_at__lt=now - timedelta(days=UNOPENED_DAYS)
        )
        .exclude(Exists(reminded))
        .select_related("recipient", "report__ward")
        .order_by("pk")
    )
    batch = ReminderBatch(result)
    for response in responses:
        batch.add(
            recipients=[response.recipient],
            kind=NotificationKind.EXCELLENCE_UNOPENED,
            subject=response.report,
            every=None,
            title="Someone reported your excellent work",
            body=(
                f"A colleague reported excellence on {response.report.ward} a week ago and you have not read it yet. "
                "Open it to see what they said and to thank them."
            ),
            url=response.report.get_absolute_url(),
            says=f"Reminded {{who}} to open excellence report {response.report_id}.",
        )
    batch.send(summary="{n} unopened-report reminders.")
    return result
