"""The initiative lifecycle through the pages: log, submit, request changes, approve, PDSA, halt."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from projects import services
from projects.models import Decision, Initiative, PdsaCycle, Status
from tests.factories import InitiativeFactory, PriorityFactory


@pytest.fixture
def priority(db):
    return PriorityFactory(name="Value")


def fill_wizard(client, ward, priority, sponsor, lead, **overrides):
    steps = {
        "aim": {"title": "Nurse-led discharge", "problem": "Waits for sign-off.", "aim": "Half by March."},
        "scope": {"scope": "wards", "wards": [ward.pk], "priority": priority.pk},
        "people": {"lead": lead.pk, "sponsor": sponsor.pk, "coach": ""},
        "plan": {
            "planned_start_on": "2026-12-01",
            "planned_end_on": "2027-06-01",
            "change_ideas": "Checklist\nAudit",
            "review_interval_weeks": "8",
        },
    }
    for step, data in steps.items():
        data.update(overrides.get(step, {}))
        response = client.post(reverse("projects:initiative_create_step", args=[step]), data)
        if response.status_code != 302:
            return response
    return client.get(reverse("projects:initiative_check"))


def test_qi_lead_logs_and_submits_an_initiative_and_sponsor_is_emailed(
    client, qi_lead, sponsor, ward, priority, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(qi_lead)
    client.get(reverse("projects:initiative_create"))
    check = fill_wizard(client, ward, priority, sponsor, qi_lead)
    assertContains(check, "Check your answers")
    assertContains(check, "Nurse-led discharge")
    assertContains(check, ward.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("projects:initiative_check"), {"action": "submit"}, follow=True)
    initiative = Initiative.objects.get(title="Nurse-led discharge")
    assert initiative.status == Status.SUBMITTED
    assert list(initiative.wards.all()) == [ward]
    assert [idea.title for idea in initiative.change_ideas.all()] == ["Checklist", "Audit"]
    assertContains(response, "You submitted ‘Nurse-led discharge’ for review")
    assert [m.to for m in mailoutbox] == [[sponsor.email]]
    assert "submitted ‘Nurse-led discharge’" in mailoutbox[0].subject


def test_bad_charter_input_shows_errors_and_keeps_what_was_typed(client, qi_lead, ward, priority, staff):
    client.force_login(qi_lead)
    client.get(reverse("projects:initiative_create"))
    response = client.post(
        reverse("projects:initiative_create_step", args=["aim"]), {"title": "Falls at night", "problem": "", "aim": ""}
    )
    assertContains(response, "There is a problem")
    assertContains(response, "Enter the aim: what, how much and by when")
    assertContains(response, 'value="Falls at night"')
    client.post(reverse("projects:initiative_create_step", args=["aim"]), {"title": "T", "problem": "P", "aim": "A"})
    client.post(
        reverse("projects:initiative_create_step", args=["scope"]),
        {"scope": "wards", "wards": [ward.pk], "priority": priority.pk},
    )
    response = client.post(
        reverse("projects:initiative_create_step", args=["people"]), {"lead": qi_lead.pk, "sponsor": staff.pk}
    )
    assertContains(response, "Choose a sponsor who is a senior manager")
    response = client.post(
        reverse("projects:initiative_create_step", args=["plan"]),
        {
            "planned_start_on": "2027-06-01",
            "planned_end_on": "2027-01-01",
            "review_interval_weeks": "8",
            "change_ideas": "Keep me",
        },
    )
    assertContains(response, "The planned end must be the same as or after the planned start")
    assertContains(response, "Keep me")
    assert not Initiative.objects.exists()


def test_similar_live_titles_on_the_same_ward_are_shown_before_saving(client, qi_lead, sponsor, ward, priority):
    InitiativeFactory(title="Nurse led discharge on surgical wards", wards=[ward], status=Status.LIVE)
    client.force_login(qi_lead)
    client.get(reverse("projects:initiative_create"))
    check = fill_wizard(client, ward, priority, sponsor, qi_lead)
    assertContains(check, "Is this the same as an initiative already running?")
    assertContains(check, "Nurse led discharge on surgical wards")


def _submitted(qi_lead, sponsor, ward, **extra):
    return InitiativeFactory(
        lead=qi_lead, sponsor=sponsor, status=Status.SUBMITTED, wards=[ward], directorate=ward.directorate, **extra
    )


def test_asking_for_changes_needs_a_reason_and_emails_it_to_the_lead(
    client, qi_lead, sponsor, ward, mailoutbox, django_capture_on_commit_callbacks
):
    initiative = _submitted(qi_lead, sponsor, ward)
    client.force_login(sponsor)
    response = client.post(reverse("projects:request_changes", args=[initiative.pk]), {"reason": ""})
    assertContains(response, "There is a problem")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("projects:request_changes", args=[initiative.pk]), {"reason": "Add a balancing measure"})
    initiative.refresh_from_db()
    assert initiative.status == Status.CHANGES_REQUESTED
    assert mailoutbox[-1].to == [qi_lead.email] and "Add a balancing measure" in mailoutbox[-1].body


def test_the_lead_resubmits_after_changes_are_asked_for(client, qi_lead, sponsor, ward):
    initiative = InitiativeFactory(lead=qi_lead, sponsor=sponsor, status=Status.CHANGES_REQUESTED, wards=[ward])
    client.force_login(qi_lead)
    client.post(reverse("projects:initiative_submit", args=[initiative.pk]))
    initiative.refresh_from_db()
    assert initiative.status == Status.SUBMITTED


def test_approving_without_a_readiness_audit_needs_a_reason_and_sets_the_first_review(client, qi_lead, sponsor, ward):
    initiative = _submitted(qi_lead, sponsor, ward)
    client.force_login(sponsor)
    response = client.post(reverse("projects:approve", args=[initiative.pk]), {"reason": ""})
    assertContains(response, "Readiness warning")
    assertContains(response, "Enter why you are approving despite the readiness warning")
    client.post(reverse("projects:approve", args=[initiative.pk]), {"reason": "Audit booked for next week"})
    initiative.refresh_from_db()
    assert initiative.status == Status.LIVE
    assert initiative.next_review_on == date.today() + timedelta(weeks=initiative.review_interval_weeks)


def test_a_pdsa_cycle_is_planned_then_recorded_stage_by_stage(client, qi_lead, ward):
    initiative = InitiativeFactory(lead=qi_lead, status=Status.LIVE, wards=[ward])
    client.force_login(qi_lead)
    response = client.post(
        reverse("projects:pdsa_create", args=[initiative.pk]),
        {
            "title": "Checklist on bay 1",
            "objective": "Test it",
            "starts_on": "2026-11-02",
            "planned_end_on": "2026-11-16",
        },
    )
    cycle = PdsaCycle.objects.get(initiative=initiative)
    assertRedirects(response, cycle.get_absolute_url())
    for stage, data in [
        ("do", {"what_happened": "Ran it"}),
        ("study", {"results": "Worked on days"}),
        ("act", {"act_decision": "adapt", "next_steps": "Try nights"}),
    ]:
        client.post(reverse("projects:pdsa_stage", args=[initiative.pk, 1, stage]), data)
    cycle.refresh_from_db()
    assert cycle.stage == PdsaCycle.Stage.DONE and cycle.studied_at is not None


def test_a_halt_is_kept_on_the_timeline_with_its_reason_and_the_lead_is_told(
    client, qi_lead, sponsor, ward, django_capture_on_commit_callbacks
):
    initiative = InitiativeFactory(lead=qi_lead, sponsor=sponsor, status=Status.LIVE, wards=[ward])
    client.force_login(sponsor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("projects:halt", args=[initiative.pk]), {"reason": "Ward overloaded"}, follow=True
        )
    assertContains(response, "You halted")
    initiative.refresh_from_db()
    assert initiative.status == Status.HALTED
    assert list(initiative.decisions.values_list("kind", flat=True)) == ["halt"]
    client.force_login(qi_lead)
    page = client.get(initiative.get_absolute_url())
    assertContains(page, "Ward overloaded")
    assertContains(page, "Halted")
    assert qi_lead.notifications.filter(title__contains="halted").exists()


def test_transitions_not_allowed_are_refused(client, sponsor, ward):
    initiative = InitiativeFactory(sponsor=sponsor, status=Status.COMPLETED, wards=[ward])
    client.force_login(sponsor)
    response = client.post(reverse("projects:halt", args=[initiative.pk]), {"reason": "x"}, follow=True)
    assertContains(response, "You cannot do that")
    initiative.refresh_from_db()
    assert initiative.status == Status.COMPLETED
    assert not Decision.objects.exists()


def test_charter_edits_are_kept_in_history(client, qi_lead, sponsor, ward):
    initiative = InitiativeFactory(lead=qi_lead, sponsor=sponsor, wards=[ward])
    client.force_login(qi_lead)
    from projects.forms import CharterForm

    data = dict(CharterForm.initial_for(initiative))
    data.update(
        aim="A sharper aim by June",
        wards=[ward.pk],
        team=[],
        lead=qi_lead.pk,
        sponsor=sponsor.pk,
        priority=initiative.priority.pk,
        directorate="",
        coach="",
        planned_start_on=initiative.planned_start_on.isoformat(),
        planned_end_on=initiative.planned_end_on.isoformat(),
    )
    response = client.post(reverse("projects:initiative_edit", args=[initiative.pk]), data, follow=True)
    assertContains(response, "Your changes to the charter were saved")
    assertContains(response, "A sharper aim by June")
    assertContains(response, "changed from")


def test_the_charter_cannot_be_changed_while_submitted_for_review(client, qi_lead, sponsor, ward):
    """Issue 16, item 7: the sponsor approves what they read, so nobody edits it while they review."""
    initiative = InitiativeFactory(lead=qi_lead, sponsor=sponsor, wards=[ward], status=Status.SUBMITTED)
    client.force_login(qi_lead)
    page = client.get(initiative.get_absolute_url())
    assertContains(page, "The charter cannot be changed while")
    assertNotContains(page, reverse("projects:initiative_edit", args=[initiative.pk]))
    url = reverse("projects:initiative_edit", args=[initiative.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Changed behind the sponsor's back"}).status_code == 403
    with pytest.raises(ValidationError, match="cannot be changed while it is submitted for review"):
        services.update_charter(initiative_id=initiative.pk, by=qi_lead, aim="Something else entirely")
    initiative.refresh_from_db()
    assert initiative.aim != "Something else entirely"
    # Once the sponsor asks for changes, the team can edit again.
    services.decide(initiative_id=initiative.pk, kind=Decision.Kind.REQUEST_CHANGES, by=sponsor, reason="Sharper aim")
    assert client.get(url).status_code == 200


def test_progress_score_needs_a_reason_when_it_differs_from_the_suggestion(client, qi_lead, ward):
    initiative = InitiativeFactory(lead=qi_lead, wards=[ward], status=Status.LIVE)
    client.force_login(qi_lead)
    response = client.post(reverse("projects:progress_score", args=[initiative.pk]), {"score": "4.0", "note": "x"})
    assertContains(response, "Enter why you chose 4.0 rather than the suggested 1.5")
    client.post(
        reverse("projects:progress_score", args=[initiative.pk]),
        {"score": "4.0", "note": "x", "why_different": "Audit shows it"},
    )
    initiative.refresh_from_db()
    assert initiative.progress_score == 4
