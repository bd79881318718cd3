"""Who sees what, for every view and role: involved people, their managers, QI leads, senior managers, admins."""

import pytest
from django.urls import reverse

from excellence import services

# role fixture -> may open the report (a report by `staff` about `colleague` on Oak Ward, in `directorate`)
ROLES = {
    "staff": True,  # the reporter
    "colleague": True,  # the recipient
    "ward_manager": True,  # the recipient's line manager
    "qi_lead": True,
    "sponsor": True,  # senior manager over the ward's directorate
    "trust_sponsor": True,
    "admin_user": True,
    "other_sponsor": False,  # senior manager of another directorate
    "other_ward_manager": False,
    "coach": False,
    "outsider": False,
}


@pytest.fixture
def report(make_report):
    return make_report()


@pytest.mark.parametrize(("role", "allowed"), ROLES.items())
def test_report_page_is_for_the_people_involved(client, request, report, role, allowed):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("excellence:report_detail", args=[report.pk]))
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.parametrize(("role", "allowed"), ROLES.items())
def test_the_list_shows_only_reports_the_viewer_may_see(client, request, report, role, allowed):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse("excellence:report_list"))
    assert response.status_code == 200
    assert (reverse("excellence:report_detail", args=[report.pk]) in response.content.decode()) is allowed


@pytest.mark.parametrize("role", ROLES)
def test_the_wall_shows_only_shared_reports_to_everyone(client, request, make_report, colleague, role):
    private = make_report(what_happened="A private kindness", why_excellent="Kept private")
    shared = make_report(why_excellent="Shared with everyone", reporter_agrees_to_share=True)
    services.set_sharing(report=shared, by=colleague, agrees=True)
    client.force_login(request.getfixturevalue(role))
    for url in (reverse("excellence:wall"), reverse("excellence:ward_wall", args=[shared.ward.slug])):
        page = client.get(url).content.decode()
        assert "Shared with everyone" in page
        assert "Kept private" not in page
    assert private.pk


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("colleague", True), ("staff", False), ("ward_manager", False), ("qi_lead", False), ("outsider", False)],
)
def test_only_recipients_say_thank_you(client, request, report, role, allowed):
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("excellence:thank_you", args=[report.pk]), {"thanks-message": ""})
    assert response.status_code == (302 if allowed else 403 if role != "outsider" else 404)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("colleague", True), ("staff", True), ("ward_manager", False), ("qi_lead", False), ("outsider", False)],
)
def test_only_the_reporter_and_recipients_choose_sharing(client, request, report, role, allowed):
    client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("excellence:sharing", args=[report.pk]), {"sharing-share": "yes"})
    assert response.status_code == (302 if allowed else 403 if role != "outsider" else 404)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("ward_manager", 200),
        ("qi_lead", 200),
        ("staff", 403),
        ("colleague", 403),
        ("sponsor", 403),
        ("admin_user", 403),
        ("outsider", 404),
    ],
)
def test_the_manager_or_a_qi_lead_records_the_conversation(client, request, report, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("excellence:conversation", args=[report.pk])).status_code == status
    assert client.post(reverse("excellence:learning_shared", args=[report.pk])).status_code in (403, 404)


@pytest.mark.parametrize(
    ("role", "status"), [("qi_lead", 302), ("ward_manager", 403), ("sponsor", 403), ("staff", 403), ("outsider", 404)]
)
def test_only_a_qi_lead_starts_an_initiative(client, request, report, role, status, sponsor):
    client.force_login(request.getfixturevalue(role))
    assert client.post(reverse("excellence:start_initiative", args=[report.pk])).status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("qi_lead", 200), ("admin_user", 200), ("ward_manager", 403), ("staff", 403)]
)
def test_the_export_is_for_qi_leads_and_admins(client, request, report, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("excellence:export")).status_code == status


def test_the_confirmation_page_is_for_the_reporter(client, report, colleague, staff):
    client.force_login(colleague)
    assert client.get(reverse("excellence:report_sent", args=[report.pk])).status_code == 403
    client.force_login(staff)
    assert client.get(reverse("excellence:report_sent", args=[report.pk])).status_code == 200


def test_a_team_report_is_seen_by_the_wards_manager(client, make_report, ward, ward_manager, other_ward_manager):
    report = make_report(recipients=[], team_ward=ward)
    client.force_login(ward_manager)
    assert client.get(report.get_absolute_url()).status_code == 200
    client.force_login(other_ward_manager)
    assert client.get(report.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("name", ["report_list", "report_create", "wall", "weekly_chart"])
def test_signed_out_people_are_sent_to_sign_in(client, name):
    response = client.get(reverse(f"excellence:{name}"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
