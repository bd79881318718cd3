"""Each ward's stored initiative load follows every change that moves it, in the same transaction.

Pages and the approval rule read Ward.live_* (projects.overload.ward_live_load); projects.services keeps them when
an initiative enters or leaves "live" or a live one changes its scope or wards.
"""

from decimal import Decimal

import pytest

from projects import services
from projects.models import Decision, LoadWeights, Scope, Status
from qiportal.models import Ward
from tests.factories import InitiativeFactory, WardFactory

pytestmark = pytest.mark.django_db
K = Decision.Kind


def stored(ward: Ward) -> tuple[int, int, int, Decimal]:
    ward.refresh_from_db()
    return ward.live_on_ward, ward.live_on_directorate, ward.live_trust_wide, ward.live_load


@pytest.fixture
def neighbour(ward):
    """Another ward in Oak Ward's directorate."""
    return WardFactory(name="Birch Ward", directorate=ward.directorate)


@pytest.fixture
def far_ward(other_ward):
    return other_ward


def decide(initiative, kind, by, **extra):
    return services.decide(initiative_id=initiative.pk, kind=kind, by=by, reason="Decided in a test", **extra)


def test_approving_adds_the_initiative_to_its_wards_load_and_nowhere_else(ward, neighbour, sponsor):
    initiative = InitiativeFactory(status=Status.SUBMITTED, wards=[ward], directorate=ward.directorate, sponsor=sponsor)
    assert stored(ward) == (0, 0, 0, 0)
    decide(initiative, K.APPROVE, sponsor)
    assert stored(ward) == (1, 0, 0, Decimal("1"))
    assert stored(neighbour) == (0, 0, 0, 0)


@pytest.mark.parametrize("kind", [K.PAUSE, K.HALT, K.COMPLETE])
def test_leaving_live_takes_the_load_away(ward, sponsor, kind):
    initiative = InitiativeFactory(wards=[ward], directorate=ward.directorate, sponsor=sponsor)
    assert stored(ward) == (1, 0, 0, Decimal("1"))
    decide(initiative, kind, sponsor)
    assert stored(ward) == (0, 0, 0, 0)


def test_resuming_puts_the_load_back(ward, sponsor):
    initiative = InitiativeFactory(wards=[ward], directorate=ward.directorate, sponsor=sponsor)
    decide(initiative, K.PAUSE, sponsor)
    decide(initiative, K.RESUME, sponsor)
    assert stored(ward) == (1, 0, 0, Decimal("1"))


def test_a_decision_that_stays_live_changes_nothing(ward, sponsor):
    initiative = InitiativeFactory(wards=[ward], directorate=ward.directorate, sponsor=sponsor)
    decide(initiative, K.REVIEW_DONE, sponsor)
    assert stored(ward) == (1, 0, 0, Decimal("1"))


def test_directorate_and_trust_wide_initiatives_load_every_ward_they_cover(ward, neighbour, far_ward, sponsor):
    directorate_wide = InitiativeFactory(
        status=Status.SUBMITTED, scope=Scope.DIRECTORATE, directorate=ward.directorate, wards=[], sponsor=sponsor
    )
    trust_wide = InitiativeFactory(
        status=Status.SUBMITTED, scope=Scope.TRUST, directorate=None, wards=[], sponsor=sponsor
    )
    decide(directorate_wide, K.APPROVE, sponsor)
    decide(trust_wide, K.APPROVE, sponsor)
    assert stored(ward) == stored(neighbour) == (0, 1, 1, Decimal("0.75"))
    assert stored(far_ward) == (0, 0, 1, Decimal("0.25"))
    decide(trust_wide, K.HALT, sponsor)
    assert stored(far_ward) == (0, 0, 0, 0)


def test_editing_a_live_initiatives_wards_moves_its_load(ward, neighbour, sponsor):
    initiative = InitiativeFactory(wards=[ward], directorate=ward.directorate, sponsor=sponsor)
    services.update_charter(initiative_id=initiative.pk, by=initiative.lead, wards=[neighbour])
    assert stored(ward) == (0, 0, 0, 0)
    assert stored(neighbour) == (1, 0, 0, Decimal("1"))


def test_widening_a_live_initiative_to_its_directorate_then_the_trust(ward, neighbour, far_ward, sponsor):
    initiative = InitiativeFactory(wards=[ward], directorate=ward.directorate, sponsor=sponsor)
    services.update_charter(
        initiative_id=initiative.pk, by=initiative.lead, scope=Scope.DIRECTORATE, directorate=ward.directorate, wards=[]
    )
    assert stored(ward) == stored(neighbour) == (0, 1, 0, Decimal("0.5"))
    services.update_charter(initiative_id=initiative.pk, by=initiative.lead, scope=Scope.TRUST, wards=[])
    assert stored(ward) == stored(far_ward) == (0, 0, 1, Decimal("0.25"))


def test_editing_a_paused_initiatives_wards_adds_no_load(ward, neighbour, sponsor):
    initiative = InitiativeFactory(wards=[ward], directorate=ward.directorate, sponsor=sponsor)
    decide(initiative, K.PAUSE, sponsor)
    services.update_charter(initiative_id=initiative.pk, by=initiative.lead, wards=[neighbour])
    assert stored(neighbour) == (0, 0, 0, 0)
    decide(initiative, K.RESUME, sponsor)
    assert stored(neighbour) == (1, 0, 0, Decimal("1"))
    assert stored(ward) == (0, 0, 0, 0)


def test_new_weights_reweigh_every_stored_load(ward, sponsor):
    InitiativeFactory(wards=[ward], directorate=ward.directorate, sponsor=sponsor)
    InitiativeFactory(scope=Scope.TRUST, directorate=None, wards=[], sponsor=sponsor)
    LoadWeights(ward_weight=2, directorate_weight=1, trust_weight=1).save()
    assert stored(ward) == (1, 0, 1, Decimal("3"))


def test_the_ward_page_reads_the_stored_load(client, ward, sponsor, qi_lead):
    initiative = InitiativeFactory(status=Status.SUBMITTED, wards=[ward], directorate=ward.directorate, sponsor=sponsor)
    decide(initiative, K.APPROVE, sponsor)
    client.force_login(qi_lead)
    page = client.get(ward.get_absolute_url()).content.decode()
    assert "Load 1 of 3 – within threshold" in page
