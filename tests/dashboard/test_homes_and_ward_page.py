"""Each role's home shows what that role needs today; the ward page shows who works on what there."""

import re
from datetime import UTC, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from ffit.models import Audit, Response
from projects.models import Status
from projects.selectors import review_counts
from qiportal.models import Role
from runcharts.selectors import last_complete_week
from tests.dashboard.conftest import closed_audit
from tests.factories import DataPointFactory, InitiativeFactory, MeasureFactory, UserFactory, with_role


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


# QI lead -------------------------------------------------------------------------------------------------------


def test_qi_lead_sees_what_each_initiative_needs_next(client, qi_lead, grow):
    grow()
    response = home(client, qi_lead)
    assertContains(response, "You lead or work on 1 open initiative; 1 needs something from you.")
    assertContains(response, "Enter last week’s data for")  # the concern measure's data stops in March
    assertContains(response, "1 PDSA cycle past planned end")
    assertContains(response, "Sponsor review was due on")
    assertContains(response, "You have 1 unread notification.")
    assertContains(response, "Update on ")


def test_qi_lead_with_nothing_due_is_told_so(client, qi_lead, ward):
    initiative = InitiativeFactory(lead=qi_lead, wards=[ward], next_review_on=timezone.localdate() + timedelta(days=40))
    measure = MeasureFactory(initiative=initiative)
    DataPointFactory(measure=measure, week_start=last_complete_week(timezone.localdate()))
    response = home(client, qi_lead)
    assertContains(response, "0 need something from you")
    assertContains(response, "Nothing due: data is up to date")


def test_qi_lead_is_told_a_draft_without_measures_has_none_yet(client, qi_lead, ward):
    """Issue 17: a draft with no measures said "Nothing due: data is up to date"; it has no data to be due."""
    draft = InitiativeFactory(lead=qi_lead, wards=[ward], status=Status.DRAFT, next_review_on=None)
    response = home(client, qi_lead)
    assertNotContains(response, "data is up to date")
    assertContains(response, "1 needs something from you")
    add = reverse("runcharts:measure_create_for", args=[draft.pk])
    assertContains(
        response, f'<a href="{add}">No measures yet: add one to show whether the changes are improvements</a>'
    )
    client.force_login(qi_lead)
    assert client.get(add).status_code == 200  # the link leads somewhere the lead may add it


def test_qi_lead_home_leaves_out_ended_initiatives(client, qi_lead, ward):
    InitiativeFactory(lead=qi_lead, wards=[ward], status=Status.COMPLETED, title="Finished work")
    assertNotContains(home(client, qi_lead), "Finished work")


# Senior manager ------------------------------------------------------------------------------------------------


def test_senior_manager_sees_queue_flags_and_stalled_initiatives(client, sponsor, grow):
    grow(2)
    counts = review_counts(sponsor)
    response = home(client, sponsor)
    assertContains(response, f"{counts['total']} initiatives to review")
    assertContains(response, "Overload flags on your wards")
    assert response.content.decode().count("No decision yet") == 2
    html = response.content.decode()
    stalled = html[html.index("Stalled initiatives you sponsor") :]
    assert stalled.count(">Stalled</strong>") == 2


def test_senior_manager_sees_only_flags_on_wards_they_oversee(client, other_sponsor, grow):
    grow()
    response = home(client, other_sponsor)
    assertContains(response, "No ward you oversee has an open overload flag.")
    assertContains(response, "None of the initiatives you sponsor has stalled.")


# Ward manager --------------------------------------------------------------------------------------------------


def test_ward_manager_sees_wards_audits_conversations_and_readiness(client, ward_manager, ward, grow):
    grow()
    audit = Audit.objects.create(ward=ward, owner=UserFactory())
    Response.objects.create(audit=audit, respondent=ward_manager)
    closed_audit(ward, ward_manager, UserFactory())
    response = home(client, ward_manager)
    assertContains(response, f'href="{ward.get_absolute_url()}"')
    assertContains(response, "Load 1 of 3 – within threshold")
    assertContains(response, f"Readiness audit of {ward.name}")
    assertContains(response, "1 excellence report about your staff or wards needs a conversation.")
    assertContains(response, "Oak Ward: readiness (FFIT)")
    assertContains(response, "Latest audit closed on")


# Staff ---------------------------------------------------------------------------------------------------------


def test_staff_see_reports_and_initiatives_on_their_ward_with_the_lead_to_contact(client, staff, qi_lead, grow):
    grow()
    response = home(client, staff)
    assertContains(response, reverse("excellence:report_create"))
    assertContains(response, "You have reported excellence 1 time.")
    assertContains(response, "Colleagues have reported your excellence 1 time.")
    assertContains(response, f"mailto:{qi_lead.email}")
    assertContains(response, "Contact the initiative's lead")


def test_staff_do_not_see_initiatives_elsewhere(client, staff, other_ward):
    InitiativeFactory(title="Surgery checklist", wards=[other_ward], directorate=other_ward.directorate)
    assertNotContains(home(client, staff), "Surgery checklist")


# Coach and admin -----------------------------------------------------------------------------------------------


def test_coach_sees_initiatives_they_coach_and_their_progress(client, coach, grow):
    grow()
    response = home(client, coach)
    assertContains(response, "Initiatives you coach and their progress")
    html = response.content.decode()
    assert "1 (0 studied, 1 overdue)" in html
    assert re.search(r"<td class=\"nhsuk-table__cell\">2\.0</td>", html)
    assertContains(response, "Latest signal: </span>Concern")


def test_admin_home_links_to_admin_and_dashboard(client, admin_user):
    response = home(client, admin_user)
    assertContains(response, reverse("admin:index"))
    assertContains(response, reverse("dashboard"))


def test_a_person_with_two_roles_sees_the_home_of_the_first(client, ward_manager):
    with_role(ward_manager, Role.QI_LEAD)
    assertContains(home(client, ward_manager), "Your initiatives")


# Ward page -----------------------------------------------------------------------------------------------------


def test_ward_page_shows_who_works_on_what(client, staff, ward, qi_lead, sponsor, grow):
    grow()
    trust_wide = InitiativeFactory(title="Trust-wide hydration", scope="trust", directorate=None, wards=[])
    client.force_login(staff)
    response = client.get(ward.get_absolute_url())
    assertContains(response, "2 live initiatives touch Oak Ward")
    assertContains(response, trust_wide.title)
    assertContains(response, qi_lead.display_name)
    assertContains(response, sponsor.display_name)
    assertContains(response, "Latest signal: </span>Concern")
    assertContains(response, "Load 1.25 of 3 – within threshold")


def test_ward_page_shows_flag_history_readiness_excellence_and_charts(client, staff, ward, ward_manager, grow):
    from projects.models import OverloadFlag

    grow()
    OverloadFlag.objects.create(
        ward=ward,
        load_at_open=4,
        threshold_at_open=3,
        closed_at=timezone.now(),
        decision="acted",
        decision_reason="Paused the bed-rails audit.",
    )
    closed_audit(ward, ward_manager, UserFactory())
    client.force_login(staff)
    response = client.get(ward.get_absolute_url())
    assertContains(response, "Decision: initiatives paused or halted – Paused the bed-rails audit.")
    assertContains(response, "Latest audit closed on")
    assertNotContains(response, reverse("ffit:ward_history", args=[ward.slug]))  # staff see no audit history
    assertContains(response, "Excellence wall: 1 shared report")
    assertContains(response, reverse("excellence:ward_weekly_chart", args=[ward.slug]))
    measure = ward.measures.get()
    assertContains(response, reverse("runcharts:chart", args=[measure.pk, "svg"]))
    assertContains(response, f'alt="XmR chart of {measure.name}')  # 21 weeks of values: limits, so an XmR chart


def test_ward_manager_gets_the_readiness_history_link(client, ward_manager, ward):
    client.force_login(ward_manager)
    assertContains(client.get(ward.get_absolute_url()), reverse("ffit:ward_history", args=[ward.slug]))


def test_ward_page_charts_are_limited(client, staff, ward):
    initiative = InitiativeFactory(wards=[ward])
    MeasureFactory.create_batch(8, initiative=initiative, ward=ward)
    client.force_login(staff)
    html = client.get(ward.get_absolute_url()).content.decode()
    assert html.count("/chart.svg") == 6


def test_a_stalled_initiative_on_the_sponsors_home_says_when_its_last_activity_was(client, sponsor, ward):
    """'No activity since' is the last PDSA activity or data, not the day the scan marked it stalled."""
    from datetime import date, datetime

    InitiativeFactory(
        sponsor=sponsor,
        wards=[ward],
        status="live",
        title="Quiet rounds",
        is_stalled=True,
        stalled_since=date(2026, 11, 23),
        last_activity_at=datetime(2026, 10, 5, 12, 0, tzinfo=UTC),
    )
    html = home(client, sponsor).content.decode()
    stalled = html[html.index("Stalled initiatives you sponsor") :]
    item = stalled[stalled.index("Quiet rounds") :]
    item = item[: item.index("</li>")]
    assert "no activity since 5 Oct 2026" in item
    assert "stalled since 23 Nov 2026" in item


def test_about_me_names_each_role_with_its_place_and_pages_read_roles_without_joins(client, ward, other_ward):
    person = with_role(UserFactory(), Role.WARD_MANAGER, ward=ward)
    with_role(person, Role.SENIOR_MANAGER, directorate=other_ward.directorate)
    page = home(client, person).content.decode()
    about = re.sub(r"\s+", " ", page[page.index(">Roles<") :][:400])
    assert f"Ward manager – {ward.name}" in about
    assert f"Senior manager (sponsor) – {other_ward.directorate.name}" in about
    # Every page reads the person's roles for the header and the permissions: ids only, no join to the wards,
    # the directorates or the person.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("excellence:report_list")).status_code == 200
    roles = [q["sql"] for q in queries.captured_queries if 'FROM "qiportal_roleassignment"' in q["sql"]]
    assert len(roles) == 1 and "JOIN" not in roles[0], roles
