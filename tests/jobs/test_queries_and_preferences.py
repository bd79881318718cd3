"""The scan's query count stays flat as the trust grows; people choose how they are told."""

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects import jobs
from projects.models import Initiative, OverloadFlag, Scope
from qiportal.models import Channel, NotificationKind, NotificationPreference, Ward
from tests.factories import DirectorateFactory, InitiativeFactory, PriorityFactory, UserFactory, WardFactory

pytestmark = pytest.mark.django_db


def build_trust(wards: int, initiatives: int, seed: int) -> None:
    rng = random.Random(seed)
    directorates = [DirectorateFactory() for _ in range(max(2, wards // 25))]
    ward_list = [WardFactory(directorate=rng.choice(directorates), overload_threshold=50) for _ in range(wards)]
    priority = PriorityFactory()
    people = [UserFactory() for _ in range(5)]
    through = []
    for index in range(initiatives):
        scope = rng.choice([Scope.WARDS] * 8 + [Scope.DIRECTORATE, Scope.TRUST])
        initiative = InitiativeFactory.build(
            scope=scope,
            directorate=None if scope == Scope.TRUST else rng.choice(directorates),
            priority=priority,
            lead=rng.choice(people),
            sponsor=rng.choice(people),
            created_by=people[0],
            title=f"Initiative {index}",
        )
        initiative.save()
        if scope == Scope.WARDS:
            for ward in rng.sample(ward_list, 2):
                through.append(Initiative.wards.through(initiative_id=initiative.pk, ward_id=ward.pk))
    Initiative.wards.through.objects.bulk_create(through)
    jobs.repair_ward_loads()  # stored loads as the services would have kept them


def drift_every_ward() -> None:
    """Stored loads wrong everywhere, as after a bulk import that bypassed the services."""
    Ward.objects.update(live_on_ward=99, live_load=99)


def scan_queries() -> tuple[int, int]:
    """Queries of a first scan and of a second one that finds nothing new."""
    with CaptureQueriesContext(connection) as first:
        jobs.scan_wards()
    with CaptureQueriesContext(connection) as second:
        jobs.scan_wards()
    return len(first), len(second)


def test_the_scan_uses_the_same_number_of_queries_at_two_sizes(monkeypatch):
    monkeypatch.setattr(jobs, "REPAIR_BATCH", 1000)  # one batch of wards at both sizes (batches: the test below)
    build_trust(wards=30, initiatives=60, seed=1)
    small = scan_queries()
    build_trust(wards=120, initiatives=340, seed=2)  # 150 wards, 400 initiatives in all
    large = scan_queries()
    assert small == large
    assert max(large) <= 14  # 12, and the two updates that keep each initiative's overloaded-ward mark


def test_repairing_drifted_loads_costs_the_same_per_batch_at_two_sizes():
    """Counted afresh and fixed batch by batch: queries follow the number of batches, never wards or initiatives."""

    def repair_queries(batch_size: int) -> int:
        drift_every_ward()
        with CaptureQueriesContext(connection) as captured:
            repaired = jobs.repair_ward_loads(batch_size=batch_size)
        assert len(repaired) == Ward.objects.count()
        return len(captured)

    build_trust(wards=30, initiatives=60, seed=1)
    small = repair_queries(batch_size=10)  # three batches of 10
    build_trust(wards=120, initiatives=340, seed=2)
    large = repair_queries(batch_size=50)  # three batches of 50 over 150 wards and 400 initiatives
    assert small == large
    # The weights; per batch a savepoint, the wards, three counts, the open flags, one update and the release;
    # then the empty batch that ends the walk.
    assert large == 1 + 3 * 8 + 3


def test_repair_restores_what_the_services_keep():
    build_trust(wards=20, initiatives=40, seed=4)
    kept = list(
        Ward.objects.order_by("pk").values_list("live_on_ward", "live_on_directorate", "live_trust_wide", "live_load")
    )
    drift_every_ward()
    jobs.scan_wards()
    assert (
        list(
            Ward.objects.order_by("pk").values_list(
                "live_on_ward", "live_on_directorate", "live_trust_wide", "live_load"
            )
        )
        == kept
    )


def test_opening_flags_does_not_grow_with_unflagged_wards():
    """Flagging costs queries per flag opened (its notifications), never per ward or initiative."""
    build_trust(wards=150, initiatives=300, seed=3)
    ward = WardFactory(overload_threshold=1)
    for _ in range(2):
        InitiativeFactory(wards=[ward], directorate=ward.directorate)
    jobs.scan_wards()
    assert OverloadFlag.objects.open().filter(ward=ward).exists()


def test_people_choose_how_they_hear_about_each_kind(client, sponsor):
    client.force_login(sponsor)
    page = client.get("/notifications/preferences/")
    body = page.content.decode()
    assert page.status_code == 200 and "How you are told – QI Portal" in body
    assert "Ward overload (initiativitis) flags" in body
    data = dict.fromkeys(NotificationKind.values, Channel.EMAIL)
    data[NotificationKind.OVERLOAD] = Channel.DIGEST
    data[NotificationKind.STALLED] = Channel.IN_APP
    response = client.post("/notifications/preferences/", data, follow=True)
    assert "Your notification preferences are saved." in response.content.decode()
    chosen = dict(NotificationPreference.objects.filter(user=sponsor).values_list("kind", "channel"))
    assert chosen[NotificationKind.OVERLOAD] == Channel.DIGEST
    assert chosen[NotificationKind.STALLED] == Channel.IN_APP


def test_the_digest_cannot_wait_for_itself(client, sponsor):
    client.force_login(sponsor)
    data = dict.fromkeys(NotificationKind.values, Channel.EMAIL)
    data[NotificationKind.DIGEST] = Channel.DIGEST
    body = client.post("/notifications/preferences/", data).content.decode()
    assert "Error: How you are told" in body
    assert not NotificationPreference.objects.filter(user=sponsor).exists()


def test_the_notifications_page_links_to_preferences(client, staff):
    client.force_login(staff)
    assert "/notifications/preferences/" in client.get("/notifications/").content.decode()
