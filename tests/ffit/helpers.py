"""Build FFIT audits for tests through the services, as users would."""

from ffit import services
from ffit.questionnaire import SECTIONS


def all_answers(value: int, **by_section: int) -> dict[str, int]:
    """Every item answered `value`, or the value given for its section key."""
    return {item.key: by_section.get(section.key, value) for section in SECTIONS for item in section.items}


def answer_everything(response, answers: dict[str, int], *, submit: bool = True):
    for section in SECTIONS:
        services.save_section_answers(
            response_id=response.pk,
            by=response.respondent,
            section_number=section.number,
            answers={item.key: answers.get(item.key) for item in section.items},
            move_on=True,
        )
    if submit:
        services.submit_response(response_id=response.pk, by=response.respondent)
    response.refresh_from_db()
    return response


def audit_with_answers(ward, owner, answers_by_person: dict, *, close: bool = True):
    """answers_by_person maps user -> answers dict (or None to invite without answering)."""
    others = [person for person in answers_by_person if person != owner]
    audit = services.open_audit(ward=ward, owner=owner, respondents=others)
    for response in audit.responses.select_related("respondent"):
        answers = answers_by_person.get(response.respondent)
        if answers is not None:
            answer_everything(response, answers)
    if close:
        audit = services.close_audit(audit_id=audit.pk, by=owner)
    return audit
