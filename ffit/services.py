"""Writes for FFIT audits: every one atomic, validated and keyword-only. Views ask `permissions` first."""

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ffit import scoring
from ffit.models import Audit, Response
from ffit.questionnaire import ITEMS_BY_KEY, SCALE, SECTIONS
from projects.models import Initiative
from qiportal.models import NotificationKind, User, Ward
from qiportal.notifications import notify

VALID_SCORES = frozenset(value for value, _ in SCALE)


@transaction.atomic
def open_audit(*, ward: Ward, owner: User, initiative=None, respondents: Iterable[User] = ()) -> Audit:
    """Open an audit of a ward; the owner is its first respondent, and anyone else named is invited."""
    if not ward.is_active:
        raise ValidationError("You cannot open an audit for a ward that is no longer in use.")
    if initiative is not None and not Initiative.objects.touching_ward(ward).filter(pk=initiative.pk).exists():
        raise ValidationError(f"‘{initiative}’ does not include {ward}. Choose an initiative on this ward.")
    audit = Audit(ward=ward, owner=owner, initiative=initiative)
    audit.full_clean()
    audit.save()
    Response.objects.create(audit=audit, respondent=owner, invited_by=owner)
    invite_respondents(audit_id=audit.pk, by=owner, respondents=respondents)
    return audit


@transaction.atomic
def invite_respondents(*, audit_id: int, by: User, respondents: Iterable[User]) -> list[Response]:
    """Invite people who are not yet respondents; each new one is told through the notification service."""
    audit = Audit.objects.select_for_update().select_related("ward").get(pk=audit_id)
    if not audit.is_open:
        raise ValidationError("This audit is closed, so nobody else can be invited.")
    already = set(audit.responses.values_list("respondent_id", flat=True))
    created = []
    for person in respondents:
        if person.pk in already or not person.is_active:
            continue
        already.add(person.pk)
        created.append(Response.objects.create(audit=audit, respondent=person, invited_by=by))
    if created:
        notify(
            recipients=[response.respondent for response in created],
            kind=NotificationKind.FFIT_INVITE,
            title=f"Please answer the readiness audit (FFIT) for {audit.ward}",
            body=(
                f"{by.display_name} has asked you to answer a Fitness for Improvement Tool (FFIT) audit of "
                f"{audit.ward}. It has 45 questions in 7 sections and takes about 10 minutes. You can save your "
                "answers and come back later."
            ),
            subject=audit,
            url=reverse("ffit:audit_detail", args=[audit.pk]),
        )
    return created


def _checked_answers(section_number: int, answers: Mapping[str, int | None]) -> dict[str, int | None]:
    if not 1 <= section_number <= len(SECTIONS):
        raise ValidationError(f"There is no section {section_number}.")
    section_keys = {item.key for item in SECTIONS[section_number - 1].items}
    checked = {}
    for key, value in answers.items():
        if key not in section_keys:
            raise ValidationError(f"Question {key} is not in section {section_number}.")
        if value is not None and (isinstance(value, bool) or value not in VALID_SCORES):
            raise ValidationError(f"Answer {value!r} must be a whole number from 0 to 5.")
        checked[key] = value
    return checked


@transaction.atomic
def save_section_answers(
    *, response_id: int, by: User, section_number: int, answers: Mapping[str, int | None], move_on: bool
) -> Response:
    """Save one section's answers (unanswered ones as None); `move_on` records the next section to carry on from."""
    response = Response.objects.select_for_update().select_related("audit").get(pk=response_id)
    if response.respondent_id != by.pk:
        raise ValidationError("You can only answer your own questions.")
    if not response.audit.is_open:
        raise ValidationError("This audit has closed, so answers can no longer be changed.")
    if response.is_submitted:
        raise ValidationError("You have already submitted your answers.")
    checked = _checked_answers(section_number, answers)
    merged = {**response.answers}
    for key, value in checked.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    response.answers = {key: merged[key] for key in ITEMS_BY_KEY if key in merged}  # keep the tool's order
    response.current_section = min(section_number + 1, len(SECTIONS)) if move_on else section_number
    response.save(update_fields=["answers", "current_section", "updated_at"])
    return response


def unanswered_sections(answers: Mapping[str, int]) -> list[int]:
    return [section.number for section in SECTIONS if any(answers.get(item.key) is None for item in section.items)]


@transaction.atomic
def submit_response(*, response_id: int, by: User) -> Response:
    response = Response.objects.select_for_update().select_related("audit").get(pk=response_id)
    if response.respondent_id != by.pk:
        raise ValidationError("You can only submit your own answers.")
    if not response.audit.is_open:
        raise ValidationError("This audit has closed, so answers can no longer be submitted.")
    if response.is_submitted:
        raise ValidationError("You have already submitted your answers.")
    missing = unanswered_sections(response.answers)
    if missing:
        sections = ", ".join(str(number) for number in missing)
        raise ValidationError(f"Answer every question before you submit: section {sections} is not finished.")
    response.submitted_at = timezone.now()
    response.save(update_fields=["submitted_at", "updated_at"])
    store_audit_scores(response.audit)
    return response


def store_audit_scores(audit: Audit) -> None:
    """Score the audit's submitted answers once and keep the section scores on the audit (its pages read them)."""
    answers = [r.answers for r in audit.responses.filter(submitted_at__isnull=False)]
    audit.section_scores = [asdict(score) for score in scoring.combined_section_scores(answers)] if answers else []
    audit.respondent_count = len(answers)
    Audit.objects.filter(pk=audit.pk).update(section_scores=audit.section_scores, respondent_count=len(answers))


@transaction.atomic
def close_audit(*, audit_id: int, by: User) -> Audit:
    audit = Audit.objects.select_for_update().get(pk=audit_id)
    if not audit.is_open:
        raise ValidationError("This audit is already closed.")
    if not audit.responses.filter(submitted_at__isnull=False).exists():
        raise ValidationError("Nobody has submitted their answers yet. Close the audit once at least one person has.")
    audit.status = Audit.Status.CLOSED
    audit.closed_at = timezone.now()
    audit.full_clean()
    audit.save(update_fields=["status", "closed_at"])
    store_audit_scores(audit)
    store_ward_readiness(audit)
    return audit


def lowest_section_percent(answers: Iterable[Mapping[str, int | None]]) -> Decimal | None:
    """The weakest section's combined score, to one decimal place; None when no section was answered."""
    percents = [s.percent for s in scoring.combined_section_scores(answers) if s.percent is not None]
    return Decimal(str(round(min(percents), 1))) if percents else None


def store_ward_readiness(audit: Audit) -> None:
    """The audit that just closed is its ward's latest: keep its date and weakest section on the ward, where the
    dashboard, the ward page and the approval rule read them."""
    answers = [r.answers for r in audit.responses.filter(submitted_at__isnull=False)]
    Ward.objects.filter(pk=audit.ward_id).update(
        readiness_closed_on=timezone.localdate(audit.closed_at),
        readiness_lowest_percent=lowest_section_percent(answers),
    )


def refresh_ward_readiness(ward_ids: Iterable[int]) -> None:
    """Recompute the stored readiness of these wards from their latest closed audits (for data loaded in bulk,
    such as the demo and the benchmark trust, which close audits without this service)."""
    latest = {}
    closed = (
        Audit.objects.filter(ward_id__in=list(ward_ids), status=Audit.Status.CLOSED, closed_at__isnull=False)
        .filter(responses__submitted_at__isnull=False)
        .distinct()
        .order_by("closed_at", "pk")
    )
    for audit in closed:
        latest[audit.ward_id] = audit
    for audit in latest.values():
        store_audit_scores(audit)
        store_ward_readiness(audit)
