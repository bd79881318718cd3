"""The kit every scheduled job uses: what a job reports, the week it belongs to, and who to tell on a ward.

Job logic lives in each app's `jobs.py` as plain functions returning a JobResult; `tasks.py` only wraps them for
Celery, and `hub.jobs` lists them by name for beat, `manage.py run_jobs` and the README.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from qiportal.models import Role, RoleAssignment, User


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
