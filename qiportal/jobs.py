"""The kit every scheduled job uses: what a job reports, the week it belongs to, who to tell on a ward, and the
reminder batch every reminder job sends through.

Job logic lives in each app's `jobs.py` as plain functions returning a JobResult; `tasks.py` only wraps them for
Celery, and `hub.jobs` lists them by name for beat, `manage.py run_jobs` and the README.

Reminders (issue 17): a job adds each thing due to a ReminderBatch and sends the batch once. Each person then
gets one message listing everything due for them (one email, or one entry waiting for the digest, or one
in-app entry, as they chose per kind), and each thing is reminded again only once its period has passed
(`ReminderLog` stores when). Inside `reminder_run()` (what `run_jobs` opens) the batches of every job in the run
are sent together at its end, so a run emails each person at most once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date

from qiportal.models import Role, RoleAssignment, User
from qiportal.notifications import Reminder, send_reminders


@dataclass
class JobResult:
    name: str
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, line: str, count_key: str | None = None) -> None:
        self.lines.append(line)
        if count_key:
            self.counts[count_key] = self.counts.get(count_key, 0) + 1

    def count(self, key: str) -> int:
        return self.counts.get(key, 0)


def iso_week(day: date) -> str:
    """The reminder period a day falls in, as "2026-W48": a reminder is sent at most once per period."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def qi_leads() -> list[User]:
    return list(User.objects.filter(is_active=True, roles__role=Role.QI_LEAD).distinct().order_by("pk"))


def ward_managers(ward_ids: Iterable[int]) -> dict[int, list[User]]:
    """The active managers of each ward, by ward id, in one query: {ward id: [manager, ...]}."""
    found: dict[int, list[User]] = {}
    assignments = (
        RoleAssignment.objects.filter(role=Role.WARD_MANAGER, ward_id__in=list(ward_ids), user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user_id")
    )
    for assignment in assignments:
        people = found.setdefault(assignment.ward_id, [])
        if assignment.user not in people:
            people.append(assignment.user)
    return found


# Reminders -------------------------------------------------------------------------------------------------


class ReminderBatch:
    """Collects a job's reminders and sends them together: `batch.add(...)` for each thing due, then `send()`."""

    def __init__(self, result: JobResult):
        self.result = result
        self.reminders: list[Reminder] = []

    def add(self, *, recipients: Iterable[User | None], **fields) -> None:
        people = [person for person in recipients if person is not None]
        self.reminders.append(Reminder(recipients=people, result=self.result, **fields))

    def send(self, summary: str = "") -> None:
        """Send now, or, inside a reminder_run(), with the run's other reminders at its end.

        `summary` is the job's closing line, "{n}" being how many things were reminded.
        """
        run = _current_run.get()
        if run is not None:
            run.batches.append((self, summary))
            return
        _deliver([(self, summary)])


@dataclass
class _Run:
    batches: list[tuple[ReminderBatch, str]] = field(default_factory=list)


_current_run: ContextVar[_Run | None] = ContextVar("reminder_run", default=None)


@contextlib.contextmanager
def reminder_run() -> Iterator[None]:
    """Send every reminder batch sent inside this block together at its end: one message per person per run.

    If the block fails, nothing it collected is sent (and nothing is marked reminded), so the next run sends it.
    """
    if _current_run.get() is not None:  # already inside a run: its end sends these too
        yield
        return
    run = _Run()
    token = _current_run.set(run)
    try:
        yield
    finally:
        _current_run.reset(token)
    _deliver(run.batches)


def deliver_pending() -> None:
    """Deliver what the current reminder run has collected so far, if inside one. The weekly digest calls this
    first, so the reminders a person asked to get in their digest, made earlier in the same run, are in this
    week's digest rather than waiting for next week's."""
    run = _current_run.get()
    if run is not None and run.batches:
        batches, run.batches = run.batches, []
        _deliver(batches)


def _deliver(batches: list[tuple[ReminderBatch, str]]) -> None:
    reminders = [reminder for batch, _ in batches for reminder in batch.reminders]
    send_reminders(reminders)
    for batch, summary in batches:
        sent = 0
        for reminder in batch.reminders:
            if reminder.reminded:
                sent += 1
                if reminder.says:
                    who = ", ".join(str(person) for person in reminder.reminded)
                    batch.result.add(reminder.says.format(who=who, n=len(reminder.reminded)))
        batch.result.counts["sent"] = batch.result.count("sent") + sent
        if summary:
            batch.result.add(summary.format(n=sent))
