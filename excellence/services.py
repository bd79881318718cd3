"""Writes for Learning from Excellence. Every write is atomic and validated; the view has asked permissions.

Reports must reach the people praised (seed 000, step 5): on submit each recipient is notified, their line
manager (or, for a team, the ward's managers) is told too, and the reporter gets a confirmation. All of it
goes through qiportal.notifications.notify, which records each delivery and emails after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from excellence.models import Conversation, ExcellenceReport, RecipientResponse, Theme
from projects import services as project_services
from projects.models import Scope
from qiportal import notifications
from qiportal.fields import check_text
from qiportal.models import NotificationKind, Role, StrategicPriority, User, Ward

REPORT_TEXT_FIELDS = ("what_happened", "why_excellent", "difference_made", "organisation_learning")
CONVERSATION_TEXT_FIELDS = ("strengths", "opportunities", "aspirations", "results", "what_to_spread")


def ward_managers(ward: Ward) -> list[User]:
    return list(User.objects.filter(is_active=True, roles__role=Role.WARD_MANAGER, roles__ward=ward).distinct())


def _url(report: ExcellenceReport) -> str:
    return reverse("excellence:report_detail", args=[report.pk])


@transaction.atomic
def submit_report(
    *,
    reporter: User,
    ward: Ward,
    happened_on: date,
    what_happened: str,
    why_excellent: str,
    difference_made: str,
    organisation_learning: str = "",
    recipients: Iterable[User] = (),
    team_ward: Ward | None = None,
    tags: Iterable[Theme] = (),
    reporter_agrees_to_share: bool = False,
    notify_people: bool = True,
    created_at=None,
) -> ExcellenceReport:
    """Record a report and tell the recipients, their managers and the reporter (after commit).

    `notify_people=False` and `created_at` are for the demo data only, which must not send email.
    """
    recipients = [user for user in recipients if user.pk != reporter.pk]
    if not recipients and team_ward is None:
        raise ValidationError({"recipients": "Choose at least one colleague or a team"})
    if happened_on > timezone.localdate():
        raise ValidationError({"happened_on": "The date it happened must be today or in the past"})
    texts = {
        "what_happened": what_happened,
        "why_excellent": why_excellent,
        "difference_made": difference_made,
        "organisation_learning": organisation_learning,
    }
    check_text(ExcellenceReport, texts)
    report = ExcellenceReport(
        reporter=reporter,
        ward=ward,
        team_ward=team_ward,
        happened_on=happened_on,
        reporter_agrees_to_share=reporter_agrees_to_share,
        **{name: (text or "").strip() for name, text in texts.items()},
    )
    if created_at is not None:
        report.created_at = created_at
    report.full_clean()
    report.save()
    report.recipients.set(recipients)
    report.tags.set(tags)
    team_managers = [m for m in ward_managers(team_ward) if m.pk != reporter.pk] if team_ward else []
    responders = {user.pk: (user, False) for user in recipients}
    for manager in team_managers:
        responders.setdefault(manager.pk, (manager, True))
    RecipientResponse.objects.bulk_create(
        RecipientResponse(report=report, recipient=user, for_team=for_team) for user, for_team in responders.values()
    )
    if notify_people:
        _notify_submitted(report, recipients, team_managers)
    return report


def _notify_submitted(report: ExcellenceReport, recipients: list[User], team_managers: list[User]) -> None:
    url = _url(report)
    reporter = report.reporter
    body = (
        f"{reporter.display_name} ({reporter.job_title or 'a colleague'}) reported excellence on "
        f"{report.ward} on {report.happened_on:%-d %B %Y}.\n\nWhat happened:\n{report.what_happened}\n\n"
        f"Why it was excellent:\n{report.why_excellent}\n\nThe difference it made:\n{report.difference_made}"
    )
    notifications.notify(
        recipients=recipients,
        kind=NotificationKind.EXCELLENCE_RECEIVED,
        title=f"{reporter.display_name} reported excellence about you",
        body=body + "\n\nYou can say thank you and choose whether it may appear on the excellence wall.",
        subject=report,
        url=url,
    )
    recipient_ids = {user.pk for user in recipients}
    if team_managers:
        notifications.notify(
            recipients=[m for m in team_managers if m.pk not in recipient_ids],
            kind=NotificationKind.EXCELLENCE_RECEIVED,
            title=f"{reporter.display_name} reported excellence about {report.team_ward}",
            body=body + "\n\nAs the ward manager you answer for the team, and can hold a short AI conversation.",
            subject=report,
            url=url,
            event="team",
        )
    # Line managers are told in their own message (not only a copy), so it reaches them in QI Portal too.
    managers = {
        user.line_manager_id: user
        for user in recipients
        if user.line_manager_id and user.line_manager_id != reporter.pk
    }
    line_managers = User.objects.filter(pk__in=managers).exclude(pk__in=recipient_ids)
    names = ", ".join(user.display_name for user in recipients)
    notifications.notify(
        recipients=[m for m in line_managers if m.pk not in {t.pk for t in team_managers}],
        kind=NotificationKind.EXCELLENCE_RECEIVED,
        title=f"Excellence reported about someone you manage: {names}",
        body=body + "\n\nPlease hold a short appreciative-inquiry conversation about what made it work.",
        subject=report,
        url=url,
        event="manager",
    )
    notifications.notify(
        recipients=[reporter],
        kind=NotificationKind.EXCELLENCE_CONFIRMATION,
        title="Thank you for reporting excellence",
        body=f"Your report about {names or report.team_ward} has been sent to them and their manager.",
        subject=report,
        url=url,
    )


def open_report(*, report: ExcellenceReport, user: User) -> None:
    """Record the first time a recipient opens the report."""
    RecipientResponse.objects.filter(report=report, recipient=user, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )


@transaction.atomic
def say_thank_you(*, report: ExcellenceReport, by: User, message: str = "") -> RecipientResponse:
    response = RecipientResponse.objects.select_for_update().filter(report=report, recipient=by).first()
    if response is None:
        raise ValidationError("Only the people this report is about can say thank you.")
    check_text(RecipientResponse, {"thank_you_message": message}, names={"thank_you_message": "message"})
    now = timezone.now()
    response.thanked_at = now
    response.opened_at = response.opened_at or now
    response.thank_you_message = message.strip()
    response.save(update_fields=["thanked_at", "opened_at", "thank_you_message"])
    notifications.notify(
        recipients=[report.reporter],
        kind=NotificationKind.EXCELLENCE_THANKS,
        title=f"{by.display_name} said thank you for your excellence report",
        body=(message.strip() or f"{by.display_name} said thank you.") + "\n\nThank you for noticing.",
        subject=report,
        url=_url(report),
        event=f"thanks-{by.pk}",
    )
    return response


def _refresh_sharing(report: ExcellenceReport) -> None:
    answers = list(report.responses.values_list("agrees_to_share", flat=True))
    report.is_shared = bool(report.reporter_agrees_to_share and answers and all(a is True for a in answers))
    report.save(update_fields=["is_shared"])


@transaction.atomic
def set_sharing(*, report: ExcellenceReport, by: User, agrees: bool) -> ExcellenceReport:
    """A recipient (or the reporter) says whether the report may appear on the excellence wall."""
    report = ExcellenceReport.objects.select_for_update().get(pk=report.pk)
    # The bulk update sends no signal, but every path that does not raise saves the report in
    # _refresh_sharing, and that save renews the "excellence" cache namespace.
    updated = RecipientResponse.objects.filter(report=report, recipient=by).update(agrees_to_share=agrees)
    if by.pk == report.reporter_id:
        report.reporter_agrees_to_share = agrees
        report.save(update_fields=["reporter_agrees_to_share"])
    elif not updated:
        raise ValidationError("Only the reporter and the people this report is about can choose this.")
    _refresh_sharing(report)
    return report


@transaction.atomic
def record_conversation(
    *,
    report: ExcellenceReport,
    by: User,
    held_on: date,
    participants: Iterable[User],
    strengths: str,
    opportunities: str = "",
    aspirations: str = "",
    results: str = "",
    what_to_spread: str = "",
) -> Conversation:
    report = ExcellenceReport.objects.select_for_update().get(pk=report.pk)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "The date of the conversation must be today or in the past"})
    if held_on < report.happened_on:
        raise ValidationError({"held_on": "The conversation must be on or after the day the excellence happened"})
    participants = list(participants)
    if not participants:
        raise ValidationError({"participants": "Choose who took part"})
    texts = {
        "strengths": strengths,
        "opportunities": opportunities,
        "aspirations": aspirations,
        "results": results,
        "what_to_spread": what_to_spread,
    }
    check_text(Conversation, texts)
    conversation, _ = Conversation.objects.update_or_create(
        report=report,
        defaults={"held_on": held_on, "recorded_by": by, **{k: (v or "").strip() for k, v in texts.items()}},
    )
    conversation.participants.set(participants)
    if report.state == ExcellenceReport.State.AWAITING_CONVERSATION:
        report.state = ExcellenceReport.State.CONVERSATION_HELD
        report.state_changed_at = timezone.now()
        report.save(update_fields=["state", "state_changed_at"])
    return conversation


@transaction.atomic
def mark_learning_shared(*, report: ExcellenceReport, by: User) -> ExcellenceReport:
    report = ExcellenceReport.objects.select_for_update().get(pk=report.pk)
    if report.state != ExcellenceReport.State.CONVERSATION_HELD:
        raise ValidationError("Record the conversation before marking the learning as shared.")
    report.state = ExcellenceReport.State.LEARNING_SHARED
    report.state_changed_at = timezone.now()
    report.save(update_fields=["state", "state_changed_at"])
    return report


def _sponsor_for(ward: Ward) -> User | None:
    """A senior manager over the ward's directorate, else a trust-wide one."""
    senior = User.objects.filter(is_active=True, roles__role=Role.SENIOR_MANAGER).order_by("pk")
    return (
        senior.filter(roles__directorate_id=ward.directorate_id).first()
        or senior.filter(roles__directorate__isnull=True).first()
    )


@dataclass(frozen=True)
class InitiativeDraft:
    """What starting an initiative from a report would create: shown on the confirmation page, then saved."""

    title: str
    problem: str
    aim: str
    ward: Ward
    lead: User
    sponsor: User
    priority: StrategicPriority
    planned_start_on: date
    planned_end_on: date


def initiative_draft(*, report: ExcellenceReport, by: User) -> InitiativeDraft:
    """The draft initiative a QI lead would start from this report; ValidationError when none can be started."""
    if report.initiative_id:
        raise ValidationError("An initiative has already been started from this report.")
    sponsor = _sponsor_for(report.ward)
    if sponsor is None:
        raise ValidationError("No senior manager oversees this ward, so the initiative has no sponsor to propose.")
    priority = (
        StrategicPriority.objects.filter(slug="staff-experience", is_active=True).first()
        or StrategicPriority.objects.filter(is_active=True).first()
    )
    if priority is None:
        raise ValidationError("Add a strategic priority before starting an initiative.")
    conversation = Conversation.objects.filter(report=report).first()
    spread = (conversation.what_to_spread if conversation else "") or report.organisation_learning
    start = timezone.localdate()
    return InitiativeDraft(
        title=f"Spreading excellence from {report.ward}"[:200],
        problem=(
            f"Started from a Learning from Excellence report ({report.ward}, {report.happened_on:%-d %B %Y}), "
            f"linked from this initiative's page.\n\n"
            f"What happened: {report.what_happened}\n\nWhy it was excellent: {report.why_excellent}\n\n"
            f"The difference it made: {report.difference_made}"
        ),
        aim=f"Spread what worked: {spread or report.why_excellent}",
        ward=report.ward,
        lead=by,
        sponsor=sponsor,
        priority=priority,
        planned_start_on=start,
        planned_end_on=start + timedelta(weeks=26),
    )


@transaction.atomic
def start_initiative_from_report(*, report: ExcellenceReport, by: User):
    """Turn a report's learning into a draft initiative led by the QI lead; the report keeps the link to it
    (``report.initiative``, and ``initiative.excellence_reports`` the other way)."""

    report = ExcellenceReport.objects.select_for_update().select_related("ward").get(pk=report.pk)
    draft = initiative_draft(report=report, by=by)
    initiative = project_services.create_initiative(
        by=by,
        title=draft.title,
        problem=draft.problem,
        aim=draft.aim,
        scope=Scope.WARDS,
        wards=[draft.ward],
        priority=draft.priority,
        lead=draft.lead,
        sponsor=draft.sponsor,
        planned_start_on=draft.planned_start_on,
        planned_end_on=draft.planned_end_on,
    )
    report.initiative = initiative
    report.save(update_fields=["initiative"])
    return initiative
