"""Issue 17 on the initiative forms: "(optional)" only on what is optional, once; written error messages; the
progress score's errors all at once at the top of the page; the charter edited in the wizard's order."""

import html
import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from projects.forms import (
    WIZARD_STEPS,
    CharterForm,
    CharterPeopleForm,
    DecisionForm,
    OverloadDecisionForm,
    PdsaPlanForm,
    stage_form,
)
from projects.models import Decision, PdsaCycle, Status
from tests.factories import InitiativeFactory, PdsaCycleFactory, UserFactory
from tests.test_crispy_nhsuk import Elements, crispy

K = Decision.Kind


def labels(page: str) -> list[str]:
    """The text of every label and legend, as a person reads it."""
    found = re.findall(r"<(?:label|legend)\b[^>]*>(.*?)</(?:label|legend)>", page, re.S)
    return [re.sub(r"<[^>]+>", "", text).strip() for text in found]


def label_of(page: str, start: str) -> str:
    return next(text for text in labels(page) if text.startswith(start))


@pytest.mark.parametrize(
    ("kind", "label"),
    [
        (K.APPROVE, "Anything the team should know? (optional)"),
        (K.RESUME, "Any note on resuming? (optional)"),
        (K.REVIEW_DONE, "Review notes (optional)"),
        (K.PAUSE, "Why are you pausing this initiative?"),
        (K.HALT, "Why are you halting this initiative?"),
    ],
)
def test_a_decision_says_optional_once_and_only_when_it_is(db, kind, label):
    page = crispy(DecisionForm(kind=kind, button="Go"))
    assert label_of(page, label.split("?")[0].split(" (")[0]) == label
    assert "(optional) (optional)" not in page


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (K.PAUSE, "Enter why you are pausing this initiative"),
        (K.HALT, "Enter why you are halting this initiative"),
        (K.REQUEST_CHANGES, "Enter what needs to change"),
        (K.NOT_APPROVE, "Enter why it is not approved"),
        (K.COMPLETE, "Enter what it achieved and whether the change is embedded"),
    ],
)
def test_a_missing_reason_has_a_written_message(db, kind, message):
    form = DecisionForm({"reason": ""}, kind=kind, button="Go")
    assert form.errors["reason"] == [message]


def test_an_approval_against_a_readiness_warning_asks_for_its_reason_and_says_why(db):
    form = DecisionForm({"reason": ""}, kind=K.APPROVE, button="Approve", warning_needed=True)
    page = crispy(form)
    assert label_of(page, "Why are you approving") == "Why are you approving it despite the readiness warning?"
    assert "a ward's readiness audit is missing, out of date or weak" in html.unescape(page)
    assert form.errors["reason"] == ["Enter why you are approving despite the readiness warning"]


def test_pdsa_questions_needed_to_complete_a_stage_say_so_instead_of_optional(db):
    for stage, needed, optional in [
        (PdsaCycle.Stage.DO, "What happened?", "Observations (optional)"),
        (PdsaCycle.Stage.STUDY, "Results against your predictions", "What did you learn? (optional)"),
        (PdsaCycle.Stage.ACT, "What will you do with the change?", "What next? (optional)"),
    ]:
        page = crispy(stage_form(stage)(instance=PdsaCycleFactory.build()))
        assert label_of(page, needed) == needed
        assert label_of(page, optional.split(" (")[0]) == optional
        assert f"Needed to complete the {PdsaCycle.Stage(stage).label} stage" in page


def test_the_overload_decision_says_when_its_conditional_answers_are_needed(db, sponsor, ward):
    page = crispy(OverloadDecisionForm(ward=ward, user=sponsor))
    assert label_of(page, "Initiatives to pause or halt") == "Initiatives to pause or halt"
    assert label_of(page, "Review this decision on") == "Review this decision on"
    assert "Needed if you pause or halt." in page
    assert "Needed if you accept the load for now." in page


def test_team_members_are_checkboxes_not_a_ctrl_click_list(db):
    UserFactory(first_name="Ada", last_name="Jones", job_title="Staff nurse")
    page = crispy(CharterPeopleForm())
    found = Elements(page)
    assert not [attrs for tag, attrs in found.found if tag == "select" and "multiple" in attrs]
    team = [attrs for _, attrs in found.found if attrs.get("name") == "team"]
    assert team and all(attrs["type"] == "checkbox" for attrs in team)
    assert found.by_id("id_team-picker")["class"] == "app-picker"
    assert "Ctrl" not in page
    assert "---------" not in page


def test_plan_dates_are_nhs_date_inputs_with_named_errors(db):
    initiative = InitiativeFactory()
    answers = {"title": "Huddle", "objective": "Test it"}
    answers |= {"starts_on_day": "2", "starts_on_month": "", "starts_on_year": "2026"}
    answers |= {"planned_end_on_day": "30", "planned_end_on_month": "2", "planned_end_on_year": "2026"}
    form = PdsaPlanForm(answers, initiative=initiative)
    assert not form.is_valid()
    assert form.errors["starts_on"] == ["Start date must include a month"]
    assert form.errors["planned_end_on"] == ["Planned end date must be a real date"]
    found = Elements(crispy(form))
    assert [a["id"] for a in found.with_class("nhsuk-input--error")] == ["id_starts_on-month", "id_planned_end_on-day"]


def test_edit_charter_asks_in_the_wizards_order(db):
    wizard_order = [name for _, _, step in WIZARD_STEPS for name in step.base_fields]
    assert list(CharterForm().fields)[:4] == ["title", "problem", "aim", "scope"]
    assert list(CharterForm().fields) == wizard_order


def test_progress_score_errors_come_all_at_once_in_a_summary_at_the_top(client, qi_lead, ward):
    initiative = InitiativeFactory(lead=qi_lead, wards=[ward], status=Status.LIVE)
    client.force_login(qi_lead)
    response = client.post(reverse("projects:progress_score", args=[initiative.pk]), {"score": "4.0", "note": ""})
    page = response.content.decode()
    summary = page.index('class="nhsuk-error-summary"')
    assert summary < page.index("<h1") < page.index("Suggested from the evidence")
    assert page.count('class="nhsuk-error-summary"') == 1
    items = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', page)
    assert items == [
        ("id_note", "Enter a note on the evidence for this score"),
        ("id_why_different", "Enter why you chose 4.0 rather than the suggested 1.5"),
    ]
    assertContains(response, "Needed if you choose a score other than the suggested one.")
    assertNotContains(response, "If you chose a different score from the suggestion, why? (optional)")
