"""Initiatives that ended before the ended-initiative rule lose their next review date (projects 0008)."""

from datetime import date

import pytest

from projects import lifecycle
from projects.models import Initiative
from tests.factories import InitiativeFactory


@pytest.mark.django_db(transaction=True)
def test_ended_initiatives_lose_their_next_review_and_running_ones_keep_it(migrator, ward, sponsor):
    due = date(2027, 1, 11)
    ended = {status: InitiativeFactory(sponsor=sponsor, wards=[ward], status=status) for status in lifecycle.ENDED}
    live = InitiativeFactory(sponsor=sponsor, wards=[ward], status="live")
    paused = InitiativeFactory(sponsor=sponsor, wards=[ward], status="paused")
    Initiative.objects.update(next_review_on=due)  # as initiatives seeded before the rule were left
    migrator(("projects", "0007_backfill_ward_loads"))
    migrator(("projects", "0008_clear_ended_next_reviews"))
    assert set(ended) == {"completed", "halted", "not_approved"}  # the statuses the migration names
    for initiative in ended.values():
        initiative.refresh_from_db(fields=["next_review_on"])  # the columns this migration state has
        assert initiative.next_review_on is None, initiative.status
    for initiative in (live, paused):
        initiative.refresh_from_db(fields=["next_review_on"])
        assert initiative.next_review_on == due
