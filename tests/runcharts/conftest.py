from datetime import date, timedelta

import pytest

from tests.factories import InitiativeFactory, MeasureFactory

# A fixed "today" for every test here: Wednesday 11 March 2026, so the current week starts Monday 9 March
# and the last complete week starts Monday 2 March.
TODAY = date(2026, 3, 11)


@pytest.fixture
def today(time_machine):
    time_machine.move_to(TODAY)
    return TODAY


@pytest.fixture
def initiative(qi_lead):
    return InitiativeFactory(lead=qi_lead, title="Handover at night")


@pytest.fixture
def measure(initiative):
    return MeasureFactory(initiative=initiative, name="Handovers on time", unit="percent")


def mondays(start: date, count: int) -> list[date]:
    return [start + timedelta(weeks=k) for k in range(count)]
