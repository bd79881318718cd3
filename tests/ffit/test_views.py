import csv
import io
import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from ffit import charts, services
from ffit.models import Audit
from ffit.questionnaire import CAVEAT, SECTIONS
from tests.factories import UserFactory
from tests.ffit.helpers import all_answers, answer_everything, audit_with_answers

pytestmark = pytest.mark.django_db


def test_ward_manager_opens_an_audit_and_invites(
    client, ward, ward_manager, qi_lead, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(ward_manager)
    response = client.post(reverse("ffit:audit_open"), {"ward": ward.pk}, follow=True)
    audit = Audit.objects.get()
    assertContains(response, "You opened a readiness audit for Oak Ward")
    assertContains(response, "Priya Shah")  # suggested: QI leads
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ffit:audit_invite", args=[audit.pk]), {"people": [qi_lead.pk]}, follow=True)
    assertContains(response, "You invited Priya Shah")
    assert [m.to for m in mailoutbox] == [[qi_lead.email]]


def test_open_form_shows_errors_and_only_managed_wards(client, ward, other_ward, ward_manager):
    client.force_login(ward_manager)
    response = client.get(reverse("ffit:audit_open"))
    assertContains(response, "Oak Ward")
    assertNotContains(response, "Heron Ward")
    response = client.post(reverse("ffit:audit_open"), {"ward": other_ward.pk})
    assertContains(response, "There is a problem")
    assertContains(response, "Choose one of the wards")
    assert response.context["form"].errors
    assert not Audit.objects.exists()


def test_invite_someone_by_username_and_report_unknown_people(client, ward, ward_manager):
    audit = services.open_audit(ward=ward, owner=ward_manager)
    UserFactory(username="farawaynurse", first_name="Ada", last_name="Jones")
    client.force_login(ward_manager)
    url = reverse("ffit:audit_invite", args=[audit.pk])
    response = client.post(url, {"other": "nobody"})
    assertContains(response, "Enter the username or email address of someone in the staff directory")
    assertContains(response, 'value="nobody"')
    response = client.post(url, {})
    assertContains(response, "Select at least one person to invite")
    response = client.post(url, {"other": "farawaynurse"}, follow=True)
    assertContains(response, "You invited Ada Jones")


def test_answering_section_by_section_then_checking_and_submitting(client, ward, ward_manager):
    audit = services.open_audit(ward=ward, owner=ward_manager)
    client.force_login(ward_manager)
    page = client.get(reverse("ffit:answer_section", args=[audit.pk, 3]))
    assertContains(page, "Section 3 of 7")
    assertContains(page, "0 – Not at all")
    assertContains(page, "5 – To a very great extent")
    assertContains(page, SECTIONS[2].items[0].text)

    # Moving on needs every question answered; the error summary names what is missing.
    page = client.post(reverse("ffit:answer_section", args=[audit.pk, 1]), {"s1_01": "4", "continue": ""})
    assertContains(page, "There is a problem")
    assertContains(page, "Select an answer for ‘feel able to challenge suboptimal practice?’")
    assert page.context["form"]["s1_01"].value() == "4"

    # Save and come back later keeps a partial section.
    page = client.post(reverse("ffit:answer_section", args=[audit.pk, 1]), {"s1_01": "4", "later": ""}, follow=True)
    assertContains(page, "Your answers to section 1 are saved")
    assertContains(page, "Continue your answers")

    for section in SECTIONS:
        data = {item.key: "3" for item in section.items} | {"continue": ""}
        page = client.post(reverse("ffit:answer_section", args=[audit.pk, section.number]), data)
    assert page.url == reverse("ffit:answer_check", args=[audit.pk])
    check = client.get(page.url)
    assertContains(check, "Check your answers")
    assertContains(check, "3 – To a moderate extent", count=45)
    assertContains(check, f"{reverse('ffit:answer_section', args=[audit.pk, 5])}?from=check")

    # Changing an answer from the check page comes back to it.
    page = client.post(
        reverse("ffit:answer_section", args=[audit.pk, 5]) + "?from=check",
        {item.key: "5" for item in SECTIONS[4].items} | {"continue": "", "from": "check"},
    )
    assert page.url == reverse("ffit:answer_check", args=[audit.pk])
    done = client.post(reverse("ffit:answer_check", args=[audit.pk]), follow=True)
    assertContains(done, "Answers submitted")
    assert audit.responses.get().answers["s5_01"] == 5


def test_submitting_with_gaps_shows_which_sections(client, ward, ward_manager):
    audit = services.open_audit(ward=ward, owner=ward_manager)
    answer_everything(audit.responses.get(), {**all_answers(3), "s4_02": None}, submit=False)
    client.force_login(ward_manager)
    page = client.post(reverse("ffit:answer_check", args=[audit.pk]))
    assertContains(page, "Answer every question in section 4")
    assert page.context["error"]
    assertContains(page, "<title>Error: Check your answers", html=False)


def test_results_show_each_respondents_scores_combined_and_disagreements(client, ward, ward_manager, qi_lead):
    audit = audit_with_answers(
        ward,
        ward_manager,
        {ward_manager: all_answers(4, resourcing=1), qi_lead: all_answers(4, resourcing=4, managers=2)},
    )
    client.force_login(ward_manager)
    page = client.get(reverse("ffit:audit_results", args=[audit.pk]))
    assertContains(page, CAVEAT)
    # Resourcing has 7 items: 7 of 35 (20%) and 28 of 35 (80%); combined 17.5 of 35 (50%).
    assertContains(page, "7 of 35 (20%)")
    assertContains(page, "28 of 35 (80%)")
    assertContains(page, "17.5 of 35 (50%)")
    # Front-line staff: 44 of 55 for each.
    assertContains(page, "44 of 55 (80%)", count=3)
    assertContains(page, "Something to talk about")
    assertContains(page, "staffing levels in the clinical units concerned?")
    assertContains(page, "Grace Mensah: 1 – To a small extent")
    # Managers 2 vs 4 differ by 2 as well; Learning 4 vs 4 does not.
    assertContains(page, "Section 3: Managers (")
    assertNotContains(page, "Section 6: Learning")
    # Guidance for the two weakest sections: resourcing (50%) then managers (60%).
    assertContains(page, "Securing the resources to do the job")
    assertContains(page, "Timing, coordination and momentum")
    assertContains(page, 'alt="Bar chart of the combined percentage score for each FFIT section: Front-line staff 80%')
    assertContains(page, reverse("ffit:audit_chart", args=[audit.pk]))


def test_chart_is_an_svg(client, ward, ward_manager):
    audit = audit_with_answers(ward, ward_manager, {ward_manager: all_answers(3)})
    client.force_login(ward_manager)
    response = client.get(reverse("ffit:audit_chart", args=[audit.pk]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml")
    assert b"Front-line staff" in response.content or b"Front" in response.content


def test_csv_export_has_every_section_for_each_respondent_and_neutralises_formulae(client, ward, ward_manager):
    sneaky = UserFactory(first_name="=HYPERLINK(1)", last_name="x")
    audit = audit_with_answers(ward, ward_manager, {ward_manager: all_answers(5), sneaky: all_answers(0)})
    client.force_login(ward_manager)
    response = client.get(reverse("ffit:audit_csv", args=[audit.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 7 * 3
    combined = [row for row in rows if row["Respondent"].startswith("Combined")]
    assert [row["Percent"] for row in combined] == ["50.0"] * 7
    assert {row["Respondent"] for row in rows} >= {"Grace Mensah", "'=HYPERLINK(1) x"}
    first = next(row for row in rows if row["Respondent"] == "Grace Mensah")
    assert (first["Section name"], first["Total"], first["Maximum"], first["Percent"]) == (
        "Front-line staff",
        "55",
        "55",
        "100.0",
    )


def test_closing_the_audit(client, ward, ward_manager, qi_lead):
    audit = services.open_audit(ward=ward, owner=ward_manager, respondents=[qi_lead])
    client.force_login(ward_manager)
    page = client.post(reverse("ffit:audit_close", args=[audit.pk]))
    assertContains(page, "Nobody has submitted their answers yet")
    answer_everything(audit.responses.get(respondent=ward_manager), all_answers(3))
    page = client.get(reverse("ffit:audit_close", args=[audit.pk]))
    assertContains(page, "Priya Shah")  # not yet answered
    page = client.post(reverse("ffit:audit_close", args=[audit.pk]), follow=True)
    assertContains(page, "You closed the readiness audit for Oak Ward")
    assertContains(page, "Oak Ward readiness results")


def test_ward_history_shows_each_closed_audit_by_section(client, ward, ward_manager, settings):
    audit_with_answers(ward, ward_manager, {ward_manager: all_answers(1)})
    audit_with_answers(ward, ward_manager, {ward_manager: all_answers(4)})
    client.force_login(ward_manager)
    page = client.get(reverse("ffit:ward_history", args=[ward.slug]))
    assertContains(page, "Oak Ward readiness over time")
    assertContains(page, "20%", count=7)
    assertContains(page, "80%", count=7)
    assertContains(page, CAVEAT)


def test_audit_list_shows_what_to_complete(client, ward, ward_manager, qi_lead):
    services.open_audit(ward=ward, owner=ward_manager, respondents=[qi_lead])
    client.force_login(qi_lead)
    page = client.get(reverse("ffit:audit_list"))
    assertContains(page, "To complete")
    assertContains(page, "Oak Ward audit")
    assertContains(page, "Not started")
    assertContains(page, "Readiness audits")


def test_disagreements_are_grouped_under_a_heading_per_section(client, ward, ward_manager, qi_lead):
    audit = audit_with_answers(
        ward,
        ward_manager,
        {ward_manager: all_answers(4, resourcing=1), qi_lead: all_answers(4, resourcing=4, managers=2)},
    )
    client.force_login(ward_manager)
    html = client.get(reverse("ffit:audit_results", args=[audit.pk])).content.decode()
    resourcing = next(s for s in SECTIONS if s.key == "resourcing")
    managers = next(s for s in SECTIONS if s.key == "managers")
    headings = re.findall(r'<h3 class="nhsuk-heading-s" id="disagreements-section-\d+">([^<]*)</h3>', html)
    assert headings == sorted(
        [
            f"Section {managers.number}: Managers ({len(managers.items)} questions)",
            f"Section {resourcing.number}: Resourcing ({len(resourcing.items)} questions)",
        ],
        key=lambda heading: int(heading.split()[1].rstrip(":")),
    )
    # Each question sits once, under its own section's heading, not in one long ungrouped list.
    start = html.index(f"Section {resourcing.number}: Resourcing")
    following = html[start:]
    after = following[: following.index("</table>")]
    assert all(item.text in after for item in resourcing.items)
    assert not any(item.text in after for item in managers.items)
    assert html.count(resourcing.items[0].text) == 1


def test_the_chart_lettering_is_readable_on_a_320px_screen(client, ward, ward_manager):
    audit = audit_with_answers(ward, ward_manager, {ward_manager: all_answers(3)})
    client.force_login(ward_manager)
    svg = client.get(reverse("ffit:audit_chart", args=[audit.pk])).content.decode()
    width = float(re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg).group(1))
    sizes = [float(size) for size in re.findall(r"<text[^>]*font-size: ([\d.]+)px", svg)]
    assert len(sizes) >= 7  # the lettering is text, one label per section at least
    # Shrunk to the 288 px a 320 px screen leaves it, no letter is smaller than 12 px.
    assert min(sizes) * charts.READABLE_AT / width >= 12
    for name in ("Front-line staff", "Managers", "Learning"):
        assert f">{name}<" in svg
    page = client.get(reverse("ffit:audit_results", args=[audit.pk]))
    assertContains(page, "Bar chart of the combined percentage score for each FFIT section: Front-line staff 60%")


def test_the_open_form_offers_only_initiatives_on_the_audits_ward(client, ward, other_ward, qi_lead):
    from projects.models import Status
    from tests.factories import InitiativeFactory

    here = InitiativeFactory(title="Safer insulin on Oak", status=Status.SUBMITTED, wards=[ward])
    InitiativeFactory(title="Heron falls", status=Status.SUBMITTED, wards=[other_ward])
    client.force_login(qi_lead)
    first = client.get(reverse("ffit:audit_open"))  # a QI lead may audit any ward: the ward comes first
    assertContains(first, "Which ward is the audit for?")
    assertNotContains(first, "Safer insulin on Oak")
    assertNotContains(first, "Heron falls")
    page = client.get(reverse("ffit:audit_open"), {"ward": ward.pk})
    assertContains(page, "Safer insulin on Oak")
    assertNotContains(page, "Heron falls")
    assertContains(page, "Initiatives that include Oak Ward.")
    response = client.post(reverse("ffit:audit_open"), {"ward": ward.pk, "initiative": here.pk})
    assert response.status_code == 302
    assert Audit.objects.get().initiative == here
