from datetime import date, timedelta

import pytest

from runcharts import services
from runcharts.analysis import Reading

FIRST = date(2025, 9, 1)  # a Monday


def weeks(n: int) -> list[date]:
    return [FIRST + timedelta(weeks=k) for k in range(n)]


def with_values(measure, values, by):
    services.save_values(
        measure_id=measure.pk,
        by=by,
        values={week: Reading(value=v) for week, v in zip(weeks(len(values)), values, strict=True)},
    )
    measure.refresh_from_db()
    return measure


CONCERN = [10, 11, 9, 10, 12, 10, 11, 9, 10, 11, 10, 9, 12, 11, 12, 11, 12, 11, 12, 11]  # a shift above the mean
STEADY = [10, 12, 9, 11, 10, 13, 9, 11, 12, 10, 11, 9, 12, 10, 11, 13, 10, 12, 11, 10]


@pytest.fixture
def today(time_machine):
    time_machine.move_to(date(2026, 2, 4))
    return date(2026, 2, 4)
