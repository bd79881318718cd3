"""Scheduled work for run charts: the Monday reminder for last week's missing data."""

from datetime import date

from django.utils import timezone

from qiportal import notifications
from qiportal.jobs import JobResult, iso_week
from qiportal.models import NotificationKind
from runcharts.selectors import last_complete_week, measures_missing_data


def remind_data_missing(*, today: date | None = None) -> JobResult:
    """One reminder per measure with no value for last week, to its owner (or the initiative's lead)."""
    result = JobResult("remind_data_missing")
    today = today or timezone.localdate()
    week = last_complete_week(today)
    period = iso_week(week)
    measures = measures_missing_data(today).select_related("initiative__lead").order_by("pk")
    for measure in measures:
        person = measure.owner or measure.initiative.lead
        sent = notifications.notify(
            recipients=[person],
            kind=NotificationKind.DATA_MISSING,
            title=f"Add last week's value for ‘{measure.name}’",
            body=(
                f"‘{measure.name}’ ({measure.initiative.title}) has no value for the week starting "
                f"{week:%-d %B %Y}. Weekly data keeps the run chart honest."
            ),
            subject=measure,
            url=measure.get_absolute_url(),
            period=period,
        )
        if sent:
            result.add(f"Reminded {person} about ‘{measure.name}’.", "sent")
    result.add(f"{result.count('sent')} data reminders for the week starting {week:%-d %B %Y}.")
    return result
