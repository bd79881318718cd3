"""Scheduled work for run charts: the Monday reminder for last week's (or last month's) missing data."""

from datetime import date

from django.utils import timezone

from qiportal.jobs import JobResult, ReminderBatch, iso_week
from qiportal.models import NotificationKind
from runcharts import kinds
from runcharts.selectors import last_complete_week, measures_missing_data


def remind_data_missing(*, today: date | None = None) -> JobResult:
    """One reminder per measure with nothing for its last complete week or month, to its owner (or the lead).

    A monthly measure is reminded once a month: its reminders share the month as their period.
    """
    result = JobResult("remind_data_missing")
    today = today or timezone.localdate()
    week = last_complete_week(today)
    month = kinds.last_complete_period(kinds.MONTHLY, today)
    measures = measures_missing_data(today).select_related("initiative__lead", "owner").order_by("pk")
    batch = ReminderBatch(result)
    for measure in measures:
        person = measure.owner or measure.initiative.lead
        noun = measure.period_noun
        missing = month if measure.frequency == kinds.MONTHLY else week
        batch.add(
            recipients=[person],
            kind=NotificationKind.DATA_MISSING,
            subject=measure,
            # Once per missing week (or month): the next missing period is a new reminder.
            topic=f"{month:%Y-%m}" if measure.frequency == kinds.MONTHLY else iso_week(week),
            every=None,
            title=f"Add last {noun}'s value for ‘{measure.name}’",
            body=(
                f"‘{measure.name}’ ({measure.initiative.title}) has no value for "
                f"{kinds.period_label(measure.frequency, missing)}. "
                f"Data every {noun} keeps the chart honest."
            ),
            url=measure.get_absolute_url(),
            says=f"Reminded {{who}} about ‘{measure.name}’.",
        )
    batch.send(summary=f"{{n}} data reminders for the week starting {week:%-d %B %Y}.")
    return result
