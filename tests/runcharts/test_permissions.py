"""Who may see and change measures: viewers of the initiative see; its lead, team, the owner and admins change."""

import pytest
from django.urls import reverse

from qiportal import permissions
from qiportal.models import Role
from tests.factories import InitiativeFactory, MeasureFactory, UserFactory, with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(qi_lead, staff, sponsor, admin_user):
    team_member = with_role(UserFactory(username="teammember"), Role.STAFF)
    owner = with_role(UserFactory(username="owner"), Role.STAFF)
    initiative = InitiativeFactory(lead=qi_lead, sponsor=sponsor)
    initiative.team.add(team_member)
    measure = MeasureFactory(initiative=initiative, owner=owner)
    return {
        "lead": qi_lead,
        "team": team_member,
        "owner": owner,
        "admin": admin_user,
        "staff": staff,
        "sponsor": sponsor,
        "measure": measure,
    }


EDITORS = {"lead", "team", "owner", "admin"}


@pytest.mark.parametrize("who", ["lead", "team", "owner", "admin", "staff", "sponsor"])
def test_rules(people, who):
    user, measure = people[who], people["measure"]
    assert permissions.can_view_measure(user, measure)
    assert permissions.can_edit_measure(user, measure) == (who in EDITORS)
    assert permissions.can_add_measure(user, measure.initiative) == (who in {"lead", "team", "admin"})


VIEW_ONLY = ["measure_detail", "chart_svg", "data_csv"]
EDIT_VIEWS = ["measure_edit", "data_entry", "upload", "upload_template", "rephase_add", "annotation_add"]


def url_for(name, measure):
    if name == "chart_svg":
        return reverse("runcharts:chart", args=[measure.pk, "svg"])
    if name == "upload_template":
        return reverse("runcharts:upload_template", args=[measure.pk, "csv"])
    return reverse(f"runcharts:{name}", args=[measure.pk])


@pytest.mark.parametrize("who", ["lead", "team", "owner", "admin", "staff", "sponsor"])
@pytest.mark.parametrize("view", VIEW_ONLY + EDIT_VIEWS)
def test_views_answer_per_role(client, people, who, view):
    client.force_login(people[who])
    response = client.get(url_for(view, people["measure"]))
    expected = 200 if view in VIEW_ONLY or who in EDITORS else 403
    assert response.status_code == expected


@pytest.mark.parametrize("who", ["lead", "team", "admin", "staff", "owner"])
def test_adding_a_measure_per_role(client, people, who):
    client.force_login(people[who])
    response = client.get(reverse("runcharts:measure_create") + f"?initiative={people['measure'].initiative_id}")
    assert response.status_code == (200 if who in {"lead", "team", "admin"} else 403)


def test_a_measure_of_someone_elses_draft_is_not_found(client, staff):
    measure = MeasureFactory(initiative=InitiativeFactory(status="draft"))
    client.force_login(staff)
    assert client.get(measure.get_absolute_url()).status_code == 404
    assert client.get(reverse("runcharts:chart", args=[measure.pk, "svg"])).status_code == 404
    assert client.get(reverse("runcharts:measure_create_for", args=[measure.initiative_id])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, people):
    response = client.get(people["measure"].get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_staff_cannot_post_data(client, people):
    client.force_login(people["staff"])
    response = client.post(reverse("runcharts:data_entry", args=[people["measure"].pk]), {"week_2026-03-02": "4"})
    assert response.status_code == 403
    assert not people["measure"].points.exists()
