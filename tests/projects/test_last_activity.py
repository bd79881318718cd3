"""The stalled rule reads one stored fact, an initiative's last activity, kept by the services that record work."""

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from projects import services
from projects.models import Initiative
from runcharts import services as runcharts_services
from runcharts.analysis import Reading
from tests.factories import InitiativeFactory, MeasureFactory, PdsaCycleFactory

pytestmark = pytest.mark.django_db


def test_entering_data_and_planning_a_cycle_record_activity(ward, sponsor):
    with time_machine.travel("2026-09-01 09:00 +00:00", tick=False):
        initiative = InitiativeFactory(sponsor=sponsor, wards=[ward])
        measure = MeasureFactory(initiative=initiative)
    with time_machine.travel("2026-10-05 09:00 +00:00", tick=False):
        runcharts_services.save_values(
            measure_id=measure.pk, by=initiative.lead, values={date(2026, 9, 28): Reading(value=3)}
        )
    initiative.refresh_from_db()
    assert timezone.localdate(initiative.last_activity_at) == date(2026, 10, 5)
    with time_machine.travel("2026-10-12 09:00 +00:00", tick=False):
        services.plan_pdsa_cycle(
            initiative_id=initiative.pk,
            by=initiative.lead,
            title="One bay",
            objective="Try it",
            starts_on=date(2026, 10, 12),
            planned_end_on=date(2026, 10, 26),
        )
    initiative.refresh_from_db()
    assert timezone.localdate(initiative.last_activity_at) == date(2026, 10, 12)


@pytest.mark.django_db(transaction=True)
def test_the_backfill_takes_the_latest_of_creation_cycles_and_data(migrator, ward, sponsor):
    long_ago = timezone.now() - timedelta(weeks=30)
    with time_machine.travel(long_ago, tick=False):
        quiet = InitiativeFactory(sponsor=sponsor, wards=[ward])
        busy = InitiativeFactory(sponsor=sponsor, wards=[ward])
    with time_machine.travel(long_ago + timedelta(weeks=10), tick=False):
        PdsaCycleFactory(initiative=busy)
    Initiative.objects.update(last_activity_at=timezone.now())  # as 0004 leaves them
    migrator(("projects", "0004_initiative_last_activity"))
    migrator(("projects", "0005_backfill_last_activity"))
    quiet.refresh_from_db(fields=["last_activity_at"])  # the columns this migration state has
    busy.refresh_from_db(fields=["last_activity_at"])
    assert abs(quiet.last_activity_at - long_ago) < timedelta(seconds=1)
    assert abs(busy.last_activity_at - (long_ago + timedelta(weeks=10))) < timedelta(seconds=1)
