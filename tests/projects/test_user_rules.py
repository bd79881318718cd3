"""Issue 17, "Rules a user expects": scope is one of wards, a directorate or the trust; an ended initiative offers
no progress score and shows no next review; charter history names what changed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from projects import services
from projects.models import Decision, Initiative, Scope, Status
from tests.factories import InitiativeFactory, PriorityFactory, UserFactory, WardFactory
from tests.queries import cold_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def priority(db):
    return PriorityFactory(name="Value")


def post_scope(client, data):
    client.get(reverse("projects:initiative_create"))
    return client.post(reverse("projects:initiative_create_step", args=["scope"]), data)


# Scope: one of wards, a directorate or the trust -------------------------------------------------------------


def test_the_wizard_refuses_wards_together_with_a_directorate(client, qi_lead, ward, priority):
    client.force_login(qi_lead)
    response = post_scope(
        client, {"scope": "wards", "wards": [ward.pk], "directorate": ward.directorate.pk, "priority": priority.pk}
    )
    assert response.status_code == 200  # the step is shown again, not passed
    assertContains(response, "There is a problem")
    assertContains(response, "Choose either wards or a whole directorate, not both")
    # The error sits beside the directorate field (its error id), not only in the summary.
    assertContains(response, 'id="id_directorate_error"')


def test_the_wizard_refuses_wards_with_a_whole_directorate_or_the_trust(client, qi_lead, ward, priority):
    client.force_login(qi_lead)
    response = post_scope(
        client,
        {"scope": "directorate", "wards": [ward.pk], "directorate": ward.directorate.pk, "priority": priority.pk},
    )
    assertContains(response, "a whole-directorate initiative covers all its wards, so untick them")
    assertContains(response, 'id="id_wards_error"')
    response = post_scope(client, {"scope": "trust", "wards": [ward.pk], "priority": priority.pk})
    assertContains(response, "A trust-wide initiative covers every ward: untick the wards")
    response = post_scope(client, {"scope": "trust", "directorate": ward.directorate.pk, "priority": priority.pk})
    assertContains(response, "A trust-wide initiative belongs to no one directorate: leave it empty")
    response = post_scope(client, {"scope": "wards", "wards": [ward.pk], "directorate": "", "priority": priority.pk})
    assert response.status_code == 302  # one scope alone passes


def test_the_service_refuses_a_mixed_scope_with_the_field_named(qi_lead, sponsor, ward, priority):
    base = {
        "by": qi_lead,
        "title": "Mixed scope",
        "problem": "P",
        "aim": "A",
        "priority": priority,
        "lead": qi_lead,
        "sponsor": sponsor,
        "planned_start_on": "2026-12-01",
        "planned_end_on": "2027-06-01",
    }
    with pytest.raises(ValidationError) as error:
        services.create_initiative(**base, scope=Scope.WARDS, wards=[ward], directorate=ward.directorate)
    assert "directorate" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.create_initiative(**base, scope=Scope.TRUST, wards=[ward])
    assert "wards" in error.value.message_dict
    assert not Initiative.objects.exists()
    initiative = services.create_initiative(**base, scope=Scope.DIRECTORATE, directorate=ward.directorate)
    assert initiative.directorate == ward.directorate and not initiative.wards.exists()


def test_editing_the_charter_to_a_mixed_scope_is_refused_beside_the_field(client, qi_lead, sponsor, ward):
    from projects.forms import CharterForm

    initiative = InitiativeFactory(lead=qi_lead, sponsor=sponsor, wards=[ward], directorate=ward.directorate)
    client.force_login(qi_lead)
    data = {
        key: (value.pk if hasattr(value, "pk") else value)
        for key, value in CharterForm.initial_for(initiative).items()
        if value is not None
    }
    data.update(
        wards=[ward.pk],
        team=[],
        directorate=ward.directorate.pk,
        planned_start_on=initiative.planned_start_on.isoformat(),
        planned_end_on=initiative.planned_end_on.isoformat(),
    )
    response = client.post(reverse("projects:initiative_edit", args=[initiative.pk]), data)
    assertContains(response, "Choose either wards or a whole directorate, not both")
    assertContains(response, 'id="id_directorate_error"')


# A pause or a resume is a review: the next one falls an interval on ----------------------------------------------


def test_pausing_and_resuming_an_overdue_initiative_sets_its_next_review_an_interval_on(client, sponsor, ward):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    initiative = InitiativeFactory(
        sponsor=sponsor, wards=[ward], status=Status.LIVE, next_review_on=today - timedelta(days=10)
    )
    client.force_login(sponsor)
    assert initiative.title in _overdue_section(client)
    for kind, status in ((Decision.Kind.PAUSE, Status.PAUSED), (Decision.Kind.RESUME, Status.LIVE)):
        decision = services.decide(initiative_id=initiative.pk, kind=kind, by=sponsor, reason="Winter pressures")
        initiative.refresh_from_db()
        expected = today + timedelta(weeks=initiative.review_interval_weeks)
        assert initiative.status == status
        assert initiative.next_review_on == decision.next_review_on == expected
        assert initiative.title not in _overdue_section(client)  # just reviewed: not overdue the moment after
        assert f"next on {expected:%-d %B %Y}" in client.get(initiative.get_absolute_url()).content.decode()


def _overdue_section(client) -> str:
    page = client.get(reverse("projects:review_queue")).content.decode()
    start = page.index('id="overdue"')
    end = page.find("<h2", start)  # the next group's heading
    return page[start : end if end != -1 else len(page)]


# An ended initiative: no progress score to set, no next review -------------------------------------------------


@pytest.mark.parametrize("ending", [Decision.Kind.COMPLETE, Decision.Kind.HALT])
def test_an_ended_initiative_offers_no_progress_score_and_no_next_review(client, qi_lead, sponsor, ward, ending):
    initiative = InitiativeFactory(lead=qi_lead, sponsor=sponsor, wards=[ward], status=Status.LIVE)
    client.force_login(qi_lead)
    page = client.get(initiative.get_absolute_url())
    assertContains(page, "Set progress score")  # while live, it does
    assertContains(page, f"next on {initiative.next_review_on:%-d %B %Y}")
    was_due = f"{initiative.next_review_on:%-d %b %Y}"
    services.decide(initiative_id=initiative.pk, kind=ending, by=sponsor, reason="Done with it")
    initiative.refresh_from_db()
    for user in (qi_lead, sponsor):
        client.force_login(user)
        page = client.get(initiative.get_absolute_url())
        assertNotContains(page, "Set progress score")
        assertNotContains(page, "next on")
    assertNotContains(client.get(reverse("review_detail", args=[initiative.pk])), "next on")
    client.force_login(qi_lead)
    assert client.get(reverse("projects:progress_score", args=[initiative.pk])).status_code == 403
    with pytest.raises(ValidationError, match="cannot be set on an initiative that is"):
        services.set_progress_score(initiative_id=initiative.pk, by=qi_lead, score=Decimal("3.0"), note="Late")
    listing = client.get(reverse("projects:portfolio"))
    assertContains(listing, initiative.title)
    assertNotContains(listing, was_due)


def test_an_ended_initiative_seeded_with_a_review_date_shows_none(client, qi_lead, sponsor, ward):
    """Rows ended before this rule (or seeded) may still hold a date; the pages ask the lifecycle, not the column."""
    initiative = InitiativeFactory(lead=qi_lead, sponsor=sponsor, wards=[ward], status=Status.COMPLETED)
    assert initiative.next_review_on is not None
    client.force_login(qi_lead)
    page = client.get(initiative.get_absolute_url())
    assertNotContains(page, "next on")
    assertNotContains(page, "Set progress score")
    listing = client.get(reverse("projects:portfolio"))
    assertNotContains(listing, f"{initiative.next_review_on:%-d %b %Y}")


# Charter history names what changed ------------------------------------------------------------------------------


def test_charter_history_shows_names_not_database_ids(client, qi_lead, sponsor, trust_sponsor, coach, ward):
    initiative = InitiativeFactory(lead=qi_lead, sponsor=sponsor, wards=[ward], directorate=ward.directorate)
    megan = UserFactory(first_name="Megan", last_name="Clarke")
    tom = UserFactory(first_name="Tom", last_name="Reid")
    willow = WardFactory(name="Willow Ward", directorate=ward.directorate)
    old_priority = initiative.priority
    new_priority = PriorityFactory(name="Staff experience")
    services.update_charter(
        initiative_id=initiative.pk,
        by=qi_lead,
        wards=[ward, willow],
        team=[megan, tom],
        priority=new_priority,
        sponsor=trust_sponsor,
        coach=coach,
        planned_end_on=initiative.planned_start_on.replace(year=initiative.planned_start_on.year + 1),
    )
    services.update_charter(
        initiative_id=initiative.pk, by=qi_lead, scope=Scope.DIRECTORATE, wards=[], directorate=ward.directorate
    )
    client.force_login(qi_lead)
    page = client.get(initiative.get_absolute_url())
    body = page.content.decode()
    history = body[body.index('id="history"') :]
    assert "<strong>Team members</strong>: changed from ‘none’ to ‘Megan Clarke, Tom Reid’" in history
    assert f"<strong>Wards</strong>: changed from ‘{ward.name}’ to ‘{ward.name}, Willow Ward’" in history
    assert f"<strong>Strategic priority</strong>: changed from ‘{old_priority.name}’ to ‘Staff experience’" in history
    assert (
        f"<strong>Sponsor</strong>: changed from ‘{sponsor.display_name}’ to ‘{trust_sponsor.display_name}’" in history
    )
    assert f"<strong>Coach</strong>: changed from ‘none’ to ‘{coach.display_name}’" in history
    assert "<strong>Scope</strong>: changed from ‘One or more wards’ to ‘A whole directorate’" in history
    assert f"<strong>Wards</strong>: changed from ‘{ward.name}, Willow Ward’ to ‘none’" in history
    # No bare ids anywhere in what changed.
    for pk in (megan.pk, tom.pk, willow.pk, new_priority.pk, trust_sponsor.pk, coach.pk):
        assert f"‘{pk}’" not in history and f", {pk}’" not in history


def test_a_long_charter_history_is_read_in_a_fixed_number_of_queries(client, qi_lead, ward):
    """Each record's wards and team are read for the whole history at once, not again for every pair of records."""
    initiative = InitiativeFactory(lead=qi_lead, wards=[ward], directorate=ward.directorate)
    people = UserFactory.create_batch(3)
    willow = WardFactory(name="Willow Ward", directorate=ward.directorate)
    client.force_login(qi_lead)
    counts, edits = [], 0
    for batch in (2, 8):
        for _ in range(batch):
            edits += 1
            services.update_charter(
                initiative_id=initiative.pk,
                by=qi_lead,
                wards=[ward, willow] if edits % 2 else [ward],
                team=people[: edits % 3 + 1],
            )
        with cold_queries() as captured:
            page = client.get(initiative.get_absolute_url()).content.decode()
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    history = page[page.index('id="history"') :]
    assert history.count(f"<strong>Wards</strong>: changed from ‘{ward.name}’ to ‘{ward.name}, Willow Ward’") == 5
    assert history.count(f"<strong>Wards</strong>: changed from ‘{ward.name}, Willow Ward’ to ‘{ward.name}’") == 5
    assert history.count("<strong>Team members</strong>: changed") == 10
