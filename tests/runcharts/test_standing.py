"""Standing measures: owned by a ward, a directorate or the trust, entered and uploaded like an initiative's."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains

from qiportal import permissions
from runcharts import selectors, services
from runcharts.models import DataPoint, Measure
from tests.factories import InitiativeFactory, MeasureFactory

pytestmark = pytest.mark.django_db

FIELDS = {
    "name": "Falls per 1,000 bed days",
    "definition": "Inpatient falls on the ward per 1,000 occupied bed days, each month.",
    "data_type": "single",
    "frequency": "weekly",
    "unit": "rate",
    "improvement": "decrease",
}


def standing(by, **owner) -> Measure:
    return services.create_standing_measure(by=by, **owner, **FIELDS)


def test_a_ward_standing_measure_has_no_initiative_and_names_its_ward(ward, ward_manager):
    measure = standing(ward_manager, ward=ward)
    assert measure.scope == "ward" and measure.initiative_id is None and measure.ward == ward
    assert measure.owner_label == "Oak Ward"


def test_a_directorate_and_a_trust_measure(directorate, qi_lead):
    assert standing(qi_lead, directorate=directorate).owner_label == "Medicine"
    assert standing(qi_lead).owner_label == "Whole trust"


@pytest.mark.parametrize(
    "owners",
    [
        {"scope": "ward"},  # a ward measure without its ward
        {"scope": "trust", "initiative": True},  # a standing measure that also names an initiative
        {"scope": "initiative"},  # an initiative's measure without its initiative
        {"scope": "directorate", "ward": True},  # no directorate, a ward instead
    ],
)
def test_the_database_holds_exactly_one_owner_kind(ward, owners):
    measure = MeasureFactory(ward=None)
    measure.scope = owners["scope"]
    measure.initiative = measure.initiative if owners.get("initiative") else None
    measure.ward = ward if owners.get("ward") else None
    with pytest.raises(IntegrityError), transaction.atomic():
        measure.save()


def test_existing_measures_stay_initiative_measures():
    measure = MeasureFactory()
    assert measure.scope == "initiative" and measure.owner_label == measure.initiative.title


@pytest.mark.parametrize(
    ("who", "ward_side", "directorate_side", "trust_side"),
    [
        ("ward_manager", True, False, False),
        ("other_ward_manager", False, False, False),
        ("qi_lead", True, True, True),
        ("sponsor", False, True, False),
        ("other_sponsor", False, False, False),
        ("trust_sponsor", False, True, True),
        ("staff", False, False, False),
        ("coach", False, False, False),
        ("admin_user", True, True, True),
    ],
)
def test_who_manages_standing_measures(request, ward, directorate, who, ward_side, directorate_side, trust_side):
    user = request.getfixturevalue(who)
    assert permissions.can_add_standing_measure(user, ward=ward) == ward_side
    assert permissions.can_add_standing_measure(user, directorate=directorate) == directorate_side
    assert permissions.can_add_standing_measure(user) == trust_side
    measure = MeasureFactory(initiative=None, scope="ward", ward=ward, owner=None)
    assert permissions.can_manage_standing_measure(user, measure) == ward_side
    assert permissions.can_edit_measure(user, measure) == ward_side
    assert permissions.can_view_measure(user, measure)


def test_the_service_refuses_someone_who_may_not(ward, staff):
    with pytest.raises(PermissionDenied):
        standing(staff, ward=ward)


def test_a_ward_manager_adds_a_standing_measure_on_the_page(client, ward, ward_manager):
    client.force_login(ward_manager)
    url = reverse("runcharts:standing_create_ward", args=[ward.slug])
    assertContains(client.get(url), "Add a standing measure")
    response = client.post(url, {**FIELDS, "kind": "outcome"}, follow=True)
    measure = Measure.objects.get()
    assert measure.scope == "ward" and measure.ward == ward
    assertContains(response, "You added the standing measure")


def test_standing_data_is_entered_and_uploaded_with_the_same_pages(client, ward, ward_manager, time_machine):
    from datetime import date

    time_machine.move_to(date(2026, 3, 11))
    measure = standing(ward_manager, ward=ward)
    client.force_login(ward_manager)
    assert client.get(reverse("runcharts:data_entry", args=[measure.pk])).status_code == 200
    file = SimpleUploadedFile("falls.csv", b"week_start,value\n2026-02-16,4\n2026-02-23,3\n", content_type="text/csv")
    preview = client.post(reverse("runcharts:upload", args=[measure.pk]), {"file": file})
    client.post(preview.url, {})
    assert sorted(DataPoint.objects.filter(measure=measure).values_list("value", flat=True)) == [3, 4]
    page = client.get(measure.get_absolute_url())
    assertContains(page, "Oak Ward (standing measure)")


def test_staff_see_a_standing_measure_but_may_not_enter_its_data(client, ward, ward_manager, staff):
    measure = standing(ward_manager, ward=ward)
    client.force_login(staff)
    assert client.get(measure.get_absolute_url()).status_code == 200
    assert client.get(reverse("runcharts:data_entry", args=[measure.pk])).status_code == 403


def test_an_initiative_links_a_standing_measure_instead_of_copying_it(client, ward, ward_manager, qi_lead):
    measure = standing(ward_manager, ward=ward)
    initiative = InitiativeFactory(lead=qi_lead, wards=[ward])
    client.force_login(qi_lead)
    url = reverse("runcharts:outcome_link", args=[initiative.pk])
    assertContains(client.get(url), "Falls per 1,000 bed days (Oak Ward)")
    client.post(url, {"measure": measure.pk})
    assert list(selectors.measures_for_initiative(initiative)) == [measure]
    assert Measure.objects.count() == 1  # linked, not copied
    assert list(selectors.standing_measures_for_initiative(initiative)) == []


def test_only_those_who_add_measures_may_link_one(client, ward, ward_manager, staff):
    measure = standing(ward_manager, ward=ward)
    initiative = InitiativeFactory(wards=[ward])
    client.force_login(staff)
    assert (
        client.post(reverse("runcharts:outcome_link", args=[initiative.pk]), {"measure": measure.pk}).status_code == 403
    )
    assert not measure.outcome_for.exists()


def test_the_initiative_page_lists_a_linked_standing_measure(client, ward, ward_manager, qi_lead):
    measure = standing(ward_manager, ward=ward)
    initiative = InitiativeFactory(lead=qi_lead, wards=[ward], status="live")
    services.link_outcome_measure(initiative=initiative, measure_id=measure.pk, by=qi_lead)
    client.force_login(qi_lead)
    page = client.get(reverse("initiative_detail", args=[initiative.pk]))
    assertContains(page, "Falls per 1,000 bed days")
    assertContains(page, "link a standing measure")


def test_an_initiative_stops_using_a_linked_standing_measure(client, ward, ward_manager, qi_lead):
    measure = standing(ward_manager, ward=ward)
    initiative = InitiativeFactory(lead=qi_lead, wards=[ward], status="live")
    services.link_outcome_measure(initiative=initiative, measure_id=measure.pk, by=qi_lead)
    client.force_login(qi_lead)
    url = reverse("runcharts:outcome_unlink", args=[initiative.pk, measure.pk])
    assertContains(client.get(reverse("initiative_detail", args=[initiative.pk])), f'href="{url}"')
    assertContains(client.get(url), "Stop using ‘Falls per 1,000 bed days’ as an outcome measure?")
    assert Measure.objects.filter(pk=measure.pk, outcome_for=initiative).exists()  # asking changes nothing
    response = client.post(url, follow=True)
    assertContains(response, "no longer uses the standing measure ‘Falls per 1,000 bed days’")
    assert list(selectors.measures_for_initiative(initiative)) == []
    assert Measure.objects.filter(pk=measure.pk).exists()  # the ward keeps its measure


def test_only_those_who_link_measures_may_unlink_one(client, ward, ward_manager, qi_lead, staff):
    measure = standing(ward_manager, ward=ward)
    initiative = InitiativeFactory(lead=qi_lead, wards=[ward], status="live")
    services.link_outcome_measure(initiative=initiative, measure_id=measure.pk, by=qi_lead)
    client.force_login(staff)
    url = reverse("runcharts:outcome_unlink", args=[initiative.pk, measure.pk])
    assert client.post(url).status_code == 403
    assert measure.outcome_for.filter(pk=initiative.pk).exists()
    client.force_login(qi_lead)
    other = standing(ward_manager, ward=ward)  # a standing measure the initiative does not use
    assert client.post(reverse("runcharts:outcome_unlink", args=[initiative.pk, other.pk])).status_code == 404


def test_unlinking_needs_the_csrf_token(ward, ward_manager, qi_lead):
    from django.test import Client

    measure = standing(ward_manager, ward=ward)
    initiative = InitiativeFactory(lead=qi_lead, wards=[ward], status="live")
    services.link_outcome_measure(initiative=initiative, measure_id=measure.pk, by=qi_lead)
    client = Client(enforce_csrf_checks=True)
    client.force_login(qi_lead)
    assert client.post(reverse("runcharts:outcome_unlink", args=[initiative.pk, measure.pk])).status_code == 403
    assert measure.outcome_for.filter(pk=initiative.pk).exists()
