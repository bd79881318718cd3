"""Who may see the dashboard, and which part of the trust each senior manager sees on it."""

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from tests.conftest import ROLES
from tests.factories import InitiativeFactory, WardFactory

ALLOWED = {"qi_lead", "sponsor", "other_sponsor", "trust_sponsor", "coach", "admin_user"}


@pytest.mark.parametrize("who", ROLES)
@pytest.mark.parametrize("url", [reverse("dashboard"), reverse("dashboard_chart", args=["status"])])
def test_dashboard_is_for_senior_managers_qi_leads_coaches_and_admins(client, request, who, url):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == (200 if who in ALLOWED else 403)


@pytest.mark.parametrize("who", ROLES)
def test_dashboard_link_in_the_header_only_for_those_allowed(client, request, who):
    client.force_login(request.getfixturevalue(who))
    link = f'href="{reverse("dashboard")}"'
    response = client.get(reverse("home"))
    (assertContains if who in ALLOWED else assertNotContains)(response, link)


@pytest.mark.parametrize("who", ROLES)
def test_every_member_of_staff_sees_any_ward_page(client, request, who, ward, other_ward):
    client.force_login(request.getfixturevalue(who))
    assert client.get(ward.get_absolute_url()).status_code == 200
    assert client.get(other_ward.get_absolute_url()).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.fixture
def two_directorates(ward, other_ward, directorate, other_directorate):
    mine = InitiativeFactory(title="Medicine falls work", directorate=directorate, wards=[ward])
    theirs = InitiativeFactory(title="Surgery checklist work", directorate=other_directorate, wards=[other_ward])
    return mine, theirs


def test_a_directorate_senior_manager_sees_only_their_directorate(client, sponsor, two_directorates, other_ward):
    client.force_login(sponsor)
    response = client.get(reverse("dashboard"))
    assertContains(response, "Dashboard: Medicine")
    assertContains(response, "1 initiative past draft")
    assertContains(response, "Oak Ward")
    assertNotContains(response, other_ward.name)
    assertNotContains(response, "Surgery checklist work")


def test_a_directorate_senior_manager_cannot_ask_for_another_directorate(client, sponsor, other_directorate):
    client.force_login(sponsor)
    assert client.get(reverse("dashboard"), {"directorate": other_directorate.slug}).status_code == 404
    chart = reverse("dashboard_chart", args=["status"])
    assert client.get(chart, {"directorate": other_directorate.slug}).status_code == 404


@pytest.mark.parametrize("who", ["trust_sponsor", "qi_lead", "coach", "admin_user"])
def test_trust_level_users_see_the_trust_and_can_filter_by_directorate(client, request, who, two_directorates):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("dashboard"))
    assertContains(response, "Dashboard: the whole trust")
    assertContains(response, "2 initiatives past draft")
    assertContains(response, "Heron Ward")
    filtered = client.get(reverse("dashboard"), {"directorate": "surgery"})
    assertContains(filtered, "Dashboard: Surgery")
    assertContains(filtered, "1 initiative past draft")
    assertNotContains(filtered, "Oak Ward")


def test_a_senior_manager_over_two_directorates_sees_both_and_can_narrow(client, sponsor, other_directorate, ward):
    from qiportal.models import Role
    from tests.factories import with_role

    with_role(sponsor, Role.SENIOR_MANAGER, directorate=other_directorate)
    WardFactory(name="Heron Ward", directorate=other_directorate)
    client.force_login(sponsor)
    response = client.get(reverse("dashboard"))
    assertContains(response, "Heron Ward")
    assertContains(response, "Oak Ward")
    narrowed = client.get(reverse("dashboard"), {"directorate": "medicine"})
    assertNotContains(narrowed, "Heron Ward")


def test_unknown_chart_is_a_404(client, qi_lead):
    client.force_login(qi_lead)
    assert client.get(reverse("dashboard_chart", args=["pie"])).status_code == 404


def test_drafts_never_reach_the_dashboard(client, qi_lead, ward):
    InitiativeFactory(title="A private draft", status="draft", wards=[ward])
    client.force_login(qi_lead)
    response = client.get(reverse("dashboard"))
    assertContains(response, "0 initiatives past draft")
