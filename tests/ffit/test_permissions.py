"""Who may do what with a readiness audit, for every view and role.

The audit is of Oak Ward, opened by its ward manager, who has submitted answers; `invited` is a member of staff
invited who has not answered, `responded` one who has. Out-of-scope audits are a 404, like missing ones.
"""

import pytest
from django.urls import reverse

from ffit import services
from ffit.models import Audit
from qiportal.models import Role
from tests.factories import UserFactory, with_role
from tests.ffit.helpers import all_answers, answer_everything

pytestmark = pytest.mark.django_db

ROLES = [
    "staff",
    "invited",
    "responded",
    "ward_manager",
    "other_ward_manager",
    "qi_lead",
    "sponsor",
    "other_sponsor",
    "trust_sponsor",
    "coach",
    "admin_user",
]


@pytest.fixture
def people(request, ward, ward_manager):
    invited = with_role(UserFactory(username="invitednurse"), Role.STAFF)
    responded = with_role(UserFactory(username="respondednurse"), Role.STAFF)
    audit = services.open_audit(ward=ward, owner=ward_manager, respondents=[invited, responded])
    answer_everything(audit.responses.get(respondent=ward_manager), all_answers(3))
    answer_everything(audit.responses.get(respondent=responded), all_answers(2))
    found = {"invited": invited, "responded": responded}
    for name in ROLES:
        if name not in found:
            found[name] = request.getfixturevalue(name)
    return audit, found


def _status(client, user, url, method="get"):
    client.force_login(user)
    return getattr(client, method)(url).status_code


OK, DENIED, HIDDEN = 200, 403, 404

EXPECTED = {
    # view: {role: status}; roles not named get the default in the second element
    "audit_list": ({}, OK),
    "audit_open": ({"ward_manager": OK, "other_ward_manager": OK, "qi_lead": OK, "admin_user": OK}, DENIED),
    "audit_detail": (
        {"staff": HIDDEN, "other_ward_manager": HIDDEN, "other_sponsor": HIDDEN, "coach": HIDDEN},
        OK,
    ),
    "audit_invite": (
        {
            "ward_manager": OK,
            "admin_user": OK,
            "staff": HIDDEN,
            "other_ward_manager": HIDDEN,
            "other_sponsor": HIDDEN,
            "coach": HIDDEN,
        },
        DENIED,
    ),
    "answer_section": (
        {"invited": OK, "staff": HIDDEN, "other_ward_manager": HIDDEN, "other_sponsor": HIDDEN, "coach": HIDDEN},
        DENIED,
    ),
    "answer_check": (
        {"invited": OK, "staff": HIDDEN, "other_ward_manager": HIDDEN, "other_sponsor": HIDDEN, "coach": HIDDEN},
        DENIED,
    ),
    "audit_results": (
        {"invited": DENIED, "staff": HIDDEN, "other_ward_manager": HIDDEN, "other_sponsor": HIDDEN, "coach": HIDDEN},
        OK,
    ),
    "ward_history": ({"ward_manager": OK, "qi_lead": OK, "sponsor": OK, "trust_sponsor": OK, "admin_user": OK}, DENIED),
}
EXPECTED["audit_close"] = EXPECTED["audit_invite"]
EXPECTED["audit_chart"] = EXPECTED["audit_results"]
EXPECTED["audit_csv"] = EXPECTED["audit_results"]


def _url(view, audit):
    if view in ("audit_list", "audit_open"):
        return reverse(f"ffit:{view}")
    if view == "ward_history":
        return reverse("ffit:ward_history", args=[audit.ward.slug])
    if view == "answer_section":
        return reverse("ffit:answer_section", args=[audit.pk, 1])
    return reverse(f"ffit:{view}", args=[audit.pk])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", sorted(EXPECTED))
def test_permission_table(client, people, view, role):
    audit, found = people
    overrides, default = EXPECTED[view]
    assert _status(client, found[role], _url(view, audit)) == overrides.get(role, default)


def test_a_ward_manager_cannot_open_an_audit_for_another_ward(client, ward, other_ward_manager):
    client.force_login(other_ward_manager)
    response = client.post(reverse("ffit:audit_open"), {"ward": ward.pk})
    assert response.status_code == 200
    assert "Choose one of the wards" in response.content.decode()
    assert not Audit.objects.exists()


def test_a_ward_manager_invited_to_another_wards_audit_can_answer_it(client, ward, ward_manager, other_ward_manager):
    audit = services.open_audit(ward=ward, owner=ward_manager, respondents=[other_ward_manager])
    assert _status(client, other_ward_manager, reverse("ffit:audit_detail", args=[audit.pk])) == OK
    assert _status(client, other_ward_manager, reverse("ffit:answer_section", args=[audit.pk, 1])) == OK
    assert _status(client, other_ward_manager, reverse("ffit:audit_invite", args=[audit.pk])) == DENIED


def test_nobody_answers_for_someone_else(client, people):
    audit, found = people
    client.force_login(found["qi_lead"])
    response = client.post(reverse("ffit:answer_section", args=[audit.pk, 1]), {"s1_01": "5", "later": ""})
    assert response.status_code == DENIED
    assert audit.responses.get(respondent=found["invited"]).answers == {}


def test_nothing_can_be_answered_invited_or_closed_once_closed(client, people):
    audit, found = people
    services.close_audit(audit_id=audit.pk, by=audit.owner)
    assert _status(client, found["invited"], reverse("ffit:answer_section", args=[audit.pk, 1])) == DENIED
    assert _status(client, found["ward_manager"], reverse("ffit:audit_invite", args=[audit.pk])) == DENIED
    assert _status(client, found["ward_manager"], reverse("ffit:audit_close", args=[audit.pk])) == DENIED
    assert _status(client, found["responded"], reverse("ffit:audit_results", args=[audit.pk])) == OK


def test_the_page_offers_only_what_the_user_may_do(client, people):
    audit, found = people
    client.force_login(found["sponsor"])
    page = client.get(reverse("ffit:audit_detail", args=[audit.pk])).content.decode()
    assert "Close the audit" not in page and "Invite people" not in page and "View the results" in page
    client.force_login(found["ward_manager"])
    page = client.get(reverse("ffit:audit_detail", args=[audit.pk])).content.decode()
    assert "Close the audit" in page and "Invite people" in page
    client.force_login(found["invited"])
    page = client.get(reverse("ffit:audit_detail", args=[audit.pk])).content.decode()
    assert "Start answering" in page and "View the results" not in page
