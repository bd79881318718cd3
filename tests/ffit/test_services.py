import pytest
from django.core.exceptions import ValidationError

from ffit import services
from ffit.models import Audit, Response
from projects.models import Scope
from qiportal.models import Notification
from tests.factories import InitiativeFactory, UserFactory, WardFactory
from tests.ffit.helpers import all_answers, answer_everything, audit_with_answers

pytestmark = pytest.mark.django_db


def test_opening_an_audit_makes_the_owner_a_respondent_and_emails_the_invited(
    ward, ward_manager, qi_lead, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        audit = services.open_audit(ward=ward, owner=ward_manager, respondents=[qi_lead])
    assert audit.is_open
    assert set(audit.responses.values_list("respondent__username", flat=True)) == {"manager", "lead"}
    assert [m.to for m in mailoutbox] == [[qi_lead.email]]
    assert "Oak Ward" in mailoutbox[0].subject
    assert f"/audits/{audit.pk}/" in mailoutbox[0].body
    assert Notification.objects.get(recipient=qi_lead).kind == "ffit_invite"


def test_inviting_someone_twice_sends_nothing_new(
    ward, ward_manager, qi_lead, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        audit = services.open_audit(ward=ward, owner=ward_manager, respondents=[qi_lead])
        again = services.invite_respondents(audit_id=audit.pk, by=ward_manager, respondents=[qi_lead, ward_manager])
    assert again == []
    assert len(mailoutbox) == 1
    assert audit.responses.count() == 2


def test_an_initiative_must_include_the_ward(ward, other_ward, ward_manager):
    elsewhere = InitiativeFactory(scope=Scope.WARDS, wards=[other_ward])
    with pytest.raises(ValidationError, match="does not include Oak Ward"):
        services.open_audit(ward=ward, owner=ward_manager, initiative=elsewhere)
    here = InitiativeFactory(scope=Scope.WARDS, wards=[ward])
    assert services.open_audit(ward=ward, owner=ward_manager, initiative=here).initiative == here


def test_answers_are_saved_by_item_key_and_partial_sections_are_kept(ward, ward_manager):
    audit = services.open_audit(ward=ward, owner=ward_manager)
    response = audit.responses.get()
    services.save_section_answers(
        response_id=response.pk, by=ward_manager, section_number=2, answers={"s2_01": 3, "s2_02": None}, move_on=False
    )
    response.refresh_from_db()
    assert response.answers == {"s2_01": 3}
    assert response.current_section == 2
    services.save_section_answers(
        response_id=response.pk, by=ward_manager, section_number=2, answers={"s2_02": 5}, move_on=True
    )
    response.refresh_from_db()
    assert response.answers == {"s2_01": 3, "s2_02": 5}
    assert response.current_section == 3


@pytest.mark.parametrize(
    ("section", "answers", "message"),
    [
        (2, {"s1_01": 3}, "not in section 2"),
        (2, {"s2_01": 6}, "from 0 to 5"),
        (2, {"s2_01": True}, "from 0 to 5"),
        (8, {}, "no section 8"),
    ],
)
def test_invalid_answers_are_refused(ward, ward_manager, section, answers, message):
    response = services.open_audit(ward=ward, owner=ward_manager).responses.get()
    with pytest.raises(ValidationError, match=message):
        services.save_section_answers(
            response_id=response.pk, by=ward_manager, section_number=section, answers=answers, move_on=True
        )


def test_only_the_respondent_can_answer(ward, ward_manager, qi_lead):
    response = services.open_audit(ward=ward, owner=ward_manager).responses.get()
    with pytest.raises(ValidationError, match="your own"):
        services.save_section_answers(response_id=response.pk, by=qi_lead, section_number=1, answers={}, move_on=True)


def test_submitting_needs_every_question_answered(ward, ward_manager):
    response = services.open_audit(ward=ward, owner=ward_manager).responses.get()
    answer_everything(response, {**all_answers(3), "s7_05": None}, submit=False)
    with pytest.raises(ValidationError, match="section 7 is not finished"):
        services.submit_response(response_id=response.pk, by=ward_manager)
    answer_everything(response, all_answers(3))
    assert response.is_submitted
    with pytest.raises(ValidationError, match="already submitted"):
        services.submit_response(response_id=response.pk, by=ward_manager)


def test_closing_needs_one_submission_and_then_freezes_answers(ward, ward_manager, qi_lead):
    audit = services.open_audit(ward=ward, owner=ward_manager, respondents=[qi_lead])
    with pytest.raises(ValidationError, match="Nobody has submitted"):
        services.close_audit(audit_id=audit.pk, by=ward_manager)
    answer_everything(audit.responses.get(respondent=ward_manager), all_answers(4))
    audit = services.close_audit(audit_id=audit.pk, by=ward_manager)
    assert audit.status == Audit.Status.CLOSED and audit.closed_at
    late = audit.responses.get(respondent=qi_lead)
    with pytest.raises(ValidationError, match="closed"):
        services.save_section_answers(response_id=late.pk, by=qi_lead, section_number=1, answers={}, move_on=True)
    with pytest.raises(ValidationError, match="closed"):
        services.invite_respondents(audit_id=audit.pk, by=ward_manager, respondents=[UserFactory()])


def test_one_response_per_person_per_audit_is_a_database_rule(ward, ward_manager):
    audit = services.open_audit(ward=ward, owner=ward_manager)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(audit=audit, respondent=ward_manager)


def test_an_inactive_ward_cannot_be_audited(ward_manager, directorate):
    closed = WardFactory(directorate=directorate, is_active=False)
    with pytest.raises(ValidationError, match="no longer in use"):
        services.open_audit(ward=closed, owner=ward_manager)


def test_helper_builds_a_closed_audit(ward, ward_manager):
    audit = audit_with_answers(ward, ward_manager, {ward_manager: all_answers(2)})
    assert not audit.is_open
