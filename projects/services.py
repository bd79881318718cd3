"""Writes to the initiative log. Every write is atomic and validated; the view has asked permissions first.

Lifecycle (issue 4): draft → submitted → live → paused ↔ live → completed; submitted → changes requested →
submitted; submitted or live → halted; submitted → not approved. Each transition is a Decision row and
notifies the people concerned after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from projects import lifecycle, selectors
from projects.models import (
    ChangeIdea,
    Decision,
    Initiative,
    LoadWeights,
    OverloadFlag,
    PdsaCycle,
    ProgressScore,
    Scope,
    Status,
)
from projects.overload import refresh_overload_marks
from projects.tasks import scan_wards
from qiportal import notifications, permissions
from qiportal.fields import check_text
from qiportal.models import NotificationKind, Role, User, Ward
from qiportal.queueing import enqueue

K = Decision.Kind


TRANSITIONS = lifecycle.TRANSITIONS


def allowed_decisions(initiative: Initiative) -> list[str]:
    return [kind for kind, t in TRANSITIONS.items() if initiative.status in t.sources and kind != K.SUBMIT]


def _check_sponsor(sponsor: User) -> None:
    if not sponsor.has_role(Role.SENIOR_MANAGER):
        raise ValidationError({"sponsor": "Choose a sponsor who is a senior manager"})


BOTH_SCOPES = "Choose either wards or a whole directorate, not both"


def scope_errors(scope: str | None, wards, directorate) -> dict[str, str]:
    """An initiative runs on chosen wards, across one whole directorate, or trust-wide: never a mix. The errors,
    keyed by the field to show each beside; empty when the choice is sound. The wizard, the charter form and the
    services all ask this."""
    wards = list(wards or [])
    if scope == Scope.WARDS:
        errors = {} if wards else {"wards": "Choose at least one ward"}
        if directorate is not None:
            errors["directorate"] = f"{BOTH_SCOPES}: leave the directorate empty for an initiative on chosen wards"
        return errors
    if scope == Scope.DIRECTORATE:
        errors = {} if directorate is not None else {"directorate": "Choose the directorate"}
        if wards:
            errors["wards"] = f"{BOTH_SCOPES}: a whole-directorate initiative covers all its wards, so untick them"
        return errors
    if scope == Scope.TRUST:
        errors = {}
        if wards:
            errors["wards"] = "A trust-wide initiative covers every ward: untick the wards"
        if directorate is not None:
            errors["directorate"] = "A trust-wide initiative belongs to no one directorate: leave it empty"
        return errors
    return {}


def _owning_directorate(scope: str, wards, directorate):
    wards = list(wards)
    errors = scope_errors(scope, wards, directorate)
    if errors:
        raise ValidationError(errors)
    if scope == Scope.TRUST:
        return None
    if scope == Scope.DIRECTORATE:
        return directorate
    return wards[0].directorate


@transaction.atomic
def create_initiative(
    *,
    by: User,
    title: str,
    problem: str,
    aim: str,
    scope: str,
    priority,
    lead: User,
    sponsor: User,
    planned_start_on: date,
    planned_end_on: date,
    wards=(),
    directorate=None,
    team=(),
    coach: User | None = None,
    change_ideas: list[str] | tuple[str, ...] = (),
    review_interval_weeks: int = 8,
) -> Initiative:
    """Log a new initiative as a draft. Its lead submits it for review when ready."""
    _check_sponsor(sponsor)
    _check_change_ideas(change_ideas)
    initiative = Initiative(
        title=title.strip(),
        problem=problem,
        aim=aim,
        scope=scope,
        directorate=_owning_directorate(scope, wards, directorate),
        priority=priority,
        lead=lead,
        sponsor=sponsor,
        coach=coach,
        planned_start_on=planned_start_on,
        planned_end_on=planned_end_on,
        review_interval_weeks=review_interval_weeks,
        created_by=by,
        status=Status.DRAFT,
    )
    initiative.full_clean()
    initiative._history_user = by
    initiative.save()
    if scope == Scope.WARDS:
        initiative.wards.set(wards)
    initiative.team.set([member for member in team if member.pk != lead.pk])
    for order, text in enumerate(idea for idea in change_ideas if idea.strip()):
        ChangeIdea.objects.create(initiative=initiative, title=text.strip()[:200], order=order)
    return initiative


def _check_change_ideas(change_ideas) -> None:
    for text in change_ideas:
        check_text(ChangeIdea, {"title": text.strip()}, names={"title": "change_ideas"})


@transaction.atomic
def update_charter(*, initiative_id: int, by: User, wards=None, team=None, change_ideas=None, **fields) -> Initiative:
    """Edit the charter; django-simple-history keeps who changed what, when."""
    initiative = Initiative.objects.select_for_update().get(pk=initiative_id)
    if initiative.is_ended:
        raise ValidationError("An initiative that has ended cannot be edited.")
    reach_before = live_reach(initiative)
    if initiative.status == Status.SUBMITTED:
        # The sponsor must approve what they read: a change now would slip past the review.
        raise ValidationError(
            "The charter cannot be changed while it is submitted for review. "
            "If the sponsor asks for changes, you can edit it again."
        )
    if not permissions.can_edit_initiative(by, initiative):
        raise PermissionDenied(f"{by} may not edit ‘{initiative.title}’.")
    if "sponsor" in fields:
        _check_sponsor(fields["sponsor"])
    if change_ideas is not None:
        _check_change_ideas(change_ideas)
    for name, value in fields.items():
        setattr(initiative, name, value)
    if "scope" in fields or wards is not None:
        if wards is None:  # the wards stay as they are on chosen wards; any other scope has none
            wards = list(initiative.wards.all()) if initiative.scope == Scope.WARDS else []
        initiative.directorate = _owning_directorate(initiative.scope, wards, fields.get("directorate"))
    initiative.full_clean()
    initiative._history_user = by
    initiative.save()
    if wards is not None:
        initiative.wards.set(wards if initiative.scope == Scope.WARDS else [])
    if team is not None:
        initiative.team.set([member for member in team if member.pk != initiative.lead_id])
    if apply_reach_change(initiative, reach_before):
        transaction.on_commit(lambda: enqueue(scan_wards))  # a flag may open or close now
    if change_ideas is not None:
        existing = {idea.title: idea for idea in initiative.change_ideas.all()}
        for order, text in enumerate(t.strip() for t in change_ideas if t.strip()):
            idea = existing.pop(text, None) or ChangeIdea(initiative=initiative, title=text[:200])
            idea.order = order
            idea.save()
        for idea in existing.values():
            if not idea.pdsa_cycles.exists():  # an idea with cycles is kept: its history matters
                idea.delete()
    return initiative


@transaction.atomic
def decide(
    *, initiative_id: int, kind: str, by: User, reason: str = "", next_review_on: date | None = None
) -> Decision:
    """Apply one lifecycle decision, record it, and notify the people concerned after commit."""
    transition = TRANSITIONS.get(kind)
    if transition is None:
        raise ValidationError(f"Unknown decision: {kind}")
    initiative = Initiative.objects.select_for_update().get(pk=initiative_id)
    if initiative.status not in transition.sources:
        raise ValidationError(
            f"You cannot do this to an initiative that is ‘{initiative.get_status_display().lower()}’."
        )
    # Asked here as well as by the page, so that no path to a decision (the overload page, a job) skips it.
    if not permissions.can_make_decision(by, initiative, kind):
        raise PermissionDenied(f"{by} may not {kind.replace('_', ' ')} ‘{initiative.title}’.")
    today = timezone.localdate()
    target = transition.target or initiative.status
    moves_live = initiative.status != target and Status.LIVE in (initiative.status, target)
    reach_before = live_reach(initiative) if moves_live else None
    if kind == K.REVIEW_DONE:
        next_review_on = next_review_on or today + timedelta(weeks=initiative.review_interval_weeks)
        if next_review_on <= today:
            raise ValidationError({"next_review_on": "The next review date must be in the future"})
    elif kind in (K.PAUSE, K.RESUME):
        # A pause or a resume is the sponsor's look at the initiative today: its next review falls one review
        # interval on, so a review that was overdue is not still shown as overdue straight after the decision.
        next_review_on = today + timedelta(weeks=initiative.review_interval_weeks)
    decision = Decision(
        initiative=initiative,
        kind=kind,
        from_status=initiative.status,
        to_status=target,
        made_by=by,
        reason=reason.strip(),
        next_review_on=next_review_on,
    )
    decision.full_clean()
    decision.save()

    update = ["status", "updated_at"]
    initiative.status = target
    if kind == K.SUBMIT:
        initiative.submitted_at = timezone.now()
        update.append("submitted_at")
    if kind in (K.APPROVE, K.RESUME):  # going live starts the stalled clock again
        initiative.last_activity_at = timezone.now()
        update.append("last_activity_at")
    if kind == K.APPROVE:
        initiative.approved_on = today
        initiative.next_review_on = today + timedelta(weeks=initiative.review_interval_weeks)
        update += ["approved_on", "next_review_on"]
    elif kind in (K.PAUSE, K.RESUME):
        initiative.next_review_on = next_review_on
        update.append("next_review_on")
    elif kind == K.REVIEW_DONE:
        initiative.next_review_on = next_review_on
        initiative.flagged_for_attention = False
        initiative.flag_reason = ""
        update += ["next_review_on", "flagged_for_attention", "flag_reason"]
    elif kind in (K.HALT, K.COMPLETE, K.NOT_APPROVE):
        initiative.ended_on = today
        initiative.next_review_on = None  # an ended initiative has no next review (lifecycle.reviews_fall_due)
        update += ["ended_on", "next_review_on"]
    if kind in (K.HALT, K.PAUSE, K.COMPLETE, K.NOT_APPROVE):
        initiative.is_stalled = False
        update.append("is_stalled")
    initiative._history_user = by
    initiative.save(update_fields=update)
    # Entering or leaving "live" changes a ward's load: stored now, in this transaction, and the scan after commit
    # opens or closes flags. With the broker down the page still works and the scheduled scan catches up.
    if moves_live and apply_reach_change(initiative, reach_before):
        transaction.on_commit(lambda: enqueue(scan_wards))
    _notify_decision(decision)
    return decision


# Ward load (initiativitis) -------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveReach:
    """Where a live initiative adds to ward loads: its scope, its directorate and its wards."""

    scope: str
    directorate_id: int | None
    ward_ids: frozenset[int]


def live_reach(initiative: Initiative) -> LiveReach | None:
    """The initiative's reach while it is live, None when it is not (one query for the wards of a ward-scoped one)."""
    if initiative.status != Status.LIVE:
        return None
    ward_ids = (
        frozenset(initiative.wards.values_list("pk", flat=True)) if initiative.scope == Scope.WARDS else frozenset()
    )
    return LiveReach(initiative.scope, initiative.directorate_id, ward_ids)


def apply_reach_change(initiative: Initiative, before: LiveReach | None) -> bool:
    """Keep what an initiative's live reach feeds, after a change that may have moved it (taken live or out of live,
    a new scope, directorate or wards): the stored loads of the wards it touches and its own overloaded-ward mark.
    `before` is live_reach() from before the change. True when a ward's load changed (a flag may open or close)."""
    after = live_reach(initiative)
    if after == before:
        return False
    refresh_overload_marks(Initiative.objects.filter(pk=initiative.pk))
    return change_live_load(before, after)


def change_live_load(before: LiveReach | None, after: LiveReach | None) -> bool:
    """Apply the difference between an initiative's reach before and after a change to the stored ward loads.

    Call it in the transaction that made the change, with live_reach() taken before and after: entering "live"
    (before None), leaving it (after None), or a live initiative changing scope, directorate or wards. Each
    affected group of wards is one UPDATE with F() expressions, so concurrent changes add up rather than
    overwrite one another. True when any ward's load changed.
    """
    if before == after:
        return False
    on_ward: dict[int, int] = {}
    on_directorate: dict[int, int] = {}
    trust_wide = 0
    for reach, sign in ((before, -1), (after, 1)):
        if reach is None:
            continue
        if reach.scope == Scope.WARDS:
            for ward_id in reach.ward_ids:
                on_ward[ward_id] = on_ward.get(ward_id, 0) + sign
        elif reach.scope == Scope.DIRECTORATE:
            on_directorate[reach.directorate_id] = on_directorate.get(reach.directorate_id, 0) + sign
        else:
            trust_wide += sign
    weights = LoadWeights.current()
    changed = False
    for delta in {d for d in on_ward.values() if d}:
        ids = [ward_id for ward_id, d in on_ward.items() if d == delta]
        changed |= _add_load(Ward.objects.filter(pk__in=ids), "live_on_ward", delta, weights.ward_weight)
    for directorate_id, delta in on_directorate.items():
        if delta:
            wards = Ward.objects.filter(directorate_id=directorate_id)
            changed |= _add_load(wards, "live_on_directorate", delta, weights.directorate_weight)
    if trust_wide:
        changed |= _add_load(Ward.objects.all(), "live_trust_wide", trust_wide, weights.trust_weight)
    return changed


def _add_load(wards, count_field: str, delta: int, weight: Decimal) -> bool:
    return bool(wards.update(**{count_field: F(count_field) + delta, "live_load": F("live_load") + weight * delta}))


def _notify_decision(decision: Decision) -> None:
    initiative = decision.initiative
    people = [initiative.lead, initiative.sponsor, initiative.coach, *initiative.team.all()]
    recipients = [person for person in people if person is not None and person.pk != decision.made_by_id]
    verb = TRANSITIONS[decision.kind].verb
    title = f"{decision.made_by.display_name} {verb} ‘{initiative.title}’"
    lines = [f"{title}.", f"Status: {initiative.get_status_display()}."]
    if decision.reason:
        lines.append(f"Reason: {decision.reason}")
    if decision.next_review_on:
        lines.append(f"Next review: {decision.next_review_on:%-d %B %Y}.")
    notifications.notify(
        recipients=recipients,
        kind=NotificationKind.DECISION,
        title=title,
        body="\n".join(lines),
        subject=initiative,
        url=initiative.get_absolute_url(),
        event=f"decision-{decision.pk}",
    )


# PDSA cycles ---------------------------------------------------------------------------------------

STAGE_FIELDS = {
    PdsaCycle.Stage.PLAN: [
        "title",
        "change_idea",
        "measure",
        "objective",
        "questions",
        "predictions",
        "who_what_where_when",
        "data_to_collect",
        "starts_on",
        "planned_end_on",
    ],
    PdsaCycle.Stage.DO: ["what_happened", "observations", "problems"],
    PdsaCycle.Stage.STUDY: ["results", "learning"],
    PdsaCycle.Stage.ACT: ["act_decision", "next_steps"],
}
NEXT_STAGE = {
    PdsaCycle.Stage.PLAN: PdsaCycle.Stage.DO,
    PdsaCycle.Stage.DO: PdsaCycle.Stage.STUDY,
    PdsaCycle.Stage.STUDY: PdsaCycle.Stage.ACT,
    PdsaCycle.Stage.ACT: PdsaCycle.Stage.DONE,
}


def record_activity(initiative_id: int) -> None:
    """Note that work happened on this initiative now (a PDSA cycle saved, measure data entered, approval)."""
    Initiative.objects.filter(pk=initiative_id).update(last_activity_at=timezone.now())


@transaction.atomic
def plan_pdsa_cycle(*, initiative_id: int, by: User, **plan) -> PdsaCycle:
    initiative = Initiative.objects.select_for_update().get(pk=initiative_id)
    if initiative.status not in (Status.LIVE, Status.PAUSED):
        raise ValidationError("PDSA cycles can be recorded only on a live or paused initiative.")
    for related in ("change_idea", "measure"):
        if plan.get(related) is not None and plan[related].initiative_id != initiative.pk:
            raise ValidationError({related: "Choose one that belongs to this initiative"})
    number = (initiative.pdsa_cycles.aggregate(n=Max("number"))["n"] or 0) + 1
    # A saved plan is a complete Plan stage: the cycle moves on to Do.
    cycle = PdsaCycle(initiative=initiative, number=number, created_by=by, stage=PdsaCycle.Stage.DO, **plan)
    cycle.full_clean()
    cycle._history_user = by
    cycle.save()
    record_activity(cycle.initiative_id)
    record_activity(initiative.pk)
    return cycle


@transaction.atomic
def save_pdsa_stage(*, cycle_id: int, by: User, stage: str, complete: bool, **values) -> PdsaCycle:
    """Save one stage's answers; `complete` moves the cycle on to the next stage."""
    cycle = PdsaCycle.objects.select_for_update().get(pk=cycle_id)
    allowed = set(STAGE_FIELDS[stage])
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(f"These answers do not belong to the {stage} stage: {', '.join(sorted(unknown))}")
    for name, value in values.items():
        setattr(cycle, name, value)
    if complete:
        required = {
            PdsaCycle.Stage.DO: ("what_happened", "Enter what happened"),
            PdsaCycle.Stage.STUDY: ("results", "Enter the results against your predictions"),
            PdsaCycle.Stage.ACT: ("act_decision", "Choose whether to adopt, adapt or abandon the change"),
        }.get(stage)
        if required and not getattr(cycle, required[0]):
            raise ValidationError({required[0]: required[1]})
        if cycle.stage == stage:  # completing an earlier stage again never moves the cycle back
            cycle.stage = NEXT_STAGE[stage]
        if stage == PdsaCycle.Stage.STUDY and cycle.studied_at is None:
            cycle.studied_at = timezone.now()
    cycle.full_clean()
    cycle._history_user = by
    cycle.save()
    return cycle


# Progress score ------------------------------------------------------------------------------------

IHI_SCALE = [
    (Decimal("0.5"), "Intent to participate", "The team intends to take part; nothing has started yet."),
    (Decimal("1.0"), "Charter and team established", "An aim, a team and a sponsor are in place."),
    (Decimal("1.5"), "Planning has begun", "The team is organised, planning and collecting baseline data."),
    (Decimal("2.0"), "Activity, but no changes", "Cycles are planned or started but no change has been tested yet."),
    (Decimal("2.5"), "Changes tested, but no improvement", "Changes have been tested; measures show no gain yet."),
    (Decimal("3.0"), "Modest improvement", "Some improvement in process measures."),
    (Decimal("3.5"), "Improvement", "Improvement in the outcome measure; changes are being adopted."),
    (Decimal("4.0"), "Significant improvement", "Most of the aim is achieved on the outcome measure."),
    (Decimal("4.5"), "Sustainable improvement", "The gain has held and the changes are part of routine work."),
    (Decimal("5.0"), "Outstanding sustainable results", "The aim is met, sustained and being spread."),
]
IHI_LABELS = {score: label for score, label, _ in IHI_SCALE}


@dataclass(frozen=True)
class Suggestion:
    score: Decimal
    reasons: list[str]


def suggest_progress_score(initiative: Initiative, *, cycles=None, measures=None, signals=None) -> Suggestion:
    """Suggest a score from the evidence the app holds, with the reasons (shown to the lead)."""
    cycles = list(initiative.pdsa_cycles.all()) if cycles is None else cycles
    measures = list(initiative.measures.all()) if measures is None else measures
    signals = signals or {m.pk: m.latest_signal for m in measures}
    today = timezone.localdate()
    score, reasons = Decimal("0.5"), ["The initiative is logged."]
    if initiative.status != Status.DRAFT and initiative.aim and initiative.sponsor_id:
        score, reasons = Decimal("1.0"), [*reasons, "The charter is complete and submitted, with a sponsor."]
    if initiative.status in (Status.LIVE, Status.PAUSED, Status.COMPLETED):
        score = Decimal("1.5")
        reasons.append("The sponsor approved it.")
    if any(cycle.starts_on <= today for cycle in cycles):
        score = Decimal("2.0")
        reasons.append("A PDSA cycle has started.")
    if any(cycle.is_studied for cycle in cycles):
        score = Decimal("2.5")
        reasons.append("A PDSA cycle has been studied.")
    with_data = [m for m in measures if signals.get(m.pk) not in (None, "", "not_enough_data")]
    if with_data:
        reasons.append(f"{len(with_data)} measure{'s' if len(with_data) != 1 else ''} with enough data to judge.")
    improving = [m for m in with_data if signals.get(m.pk) == "improvement"]
    if any(m.kind == "process" for m in improving):
        score = max(score, Decimal("3.0"))
        reasons.append("A process measure shows special-cause improvement.")
    if any(m.kind == "outcome" for m in improving):
        score = max(score, Decimal("3.5"))
        reasons.append("An outcome measure shows special-cause improvement.")
        if any(c.act_decision == PdsaCycle.ActDecision.ADOPT for c in cycles):
            score = max(score, Decimal("4.0"))
            reasons.append("A tested change has been adopted.")
        if initiative.status == Status.COMPLETED:
            score = max(score, Decimal("4.5"))
            reasons.append("The initiative completed with the improvement holding.")
    return Suggestion(score, reasons)


@transaction.atomic
def set_progress_score(
    *, initiative_id: int, by: User, score: Decimal, note: str, why_different: str = ""
) -> ProgressScore:
    initiative = Initiative.objects.select_for_update().get(pk=initiative_id)
    if not initiative.takes_progress_score:
        raise ValidationError(
            f"A progress score cannot be set on an initiative that is ‘{initiative.get_status_display().lower()}’."
        )
    if score not in IHI_LABELS:
        raise ValidationError({"score": "Choose a score from the scale"})
    suggestion = suggest_progress_score(initiative)
    if score != suggestion.score and not why_different.strip():
        raise ValidationError(
            {"why_different": f"Enter why you chose {score} rather than the suggested {suggestion.score}"}
        )
    entry = ProgressScore(
        initiative=initiative,
        score=score,
        suggested_score=suggestion.score,
        note=note,
        why_different=why_different if score != suggestion.score else "",
        set_by=by,
    )
    entry.full_clean()
    entry.save()
    initiative.progress_score = score
    initiative.save(update_fields=["progress_score", "updated_at"])
    return entry


# Overload decisions ---------------------------------------------------------------------------------


@transaction.atomic
def accept_overload(*, flag_id: int, by: User, reason: str, review_on: date) -> OverloadFlag:
    flag = OverloadFlag.objects.select_for_update().get(pk=flag_id)
    errors = {}
    if not flag.is_open:
        raise ValidationError("This flag has closed: the ward's load fell back.")
    if not reason.strip():
        errors["reason"] = "Give a reason for accepting the load for now"
    try:
        check_text(OverloadFlag, {"decision_reason": reason}, names={"decision_reason": "reason"})
    except ValidationError as error:
        errors.update(error.message_dict)
    if review_on is None or review_on <= timezone.localdate():
        errors["review_on"] = "The review date must be in the future"
    if errors:
        raise ValidationError(errors)
    return _record_decision(flag, OverloadFlag.Outcome.ACCEPTED, by, reason, review_on=review_on)


@transaction.atomic
def act_on_overload(*, flag_id: int, by: User, initiative_ids: list[int], kind: str, reason: str) -> OverloadFlag:
    """Pause or halt the chosen initiatives through the lifecycle; the scan after commit closes the flag."""
    flag = OverloadFlag.objects.select_for_update().select_related("ward").get(pk=flag_id)
    if not flag.is_open:
        raise ValidationError("This flag has closed: the ward's load fell back.")
    if kind not in (Decision.Kind.PAUSE, Decision.Kind.HALT):
        raise ValidationError({"action": "Choose whether to pause or halt"})
    if not initiative_ids:
        raise ValidationError({"initiatives": "Choose at least one initiative"})
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason for this decision"})
    allowed = {initiative.pk for initiative in selectors.decidable_on_ward(by, flag.ward)}
    if not set(initiative_ids) <= allowed:
        raise ValidationError({"initiatives": "Choose only live initiatives on this ward that you may decide on"})
    for pk in sorted(initiative_ids):
        decide(initiative_id=pk, kind=kind, by=by, reason=reason)
    return _record_decision(flag, OverloadFlag.Outcome.ACTED, by, reason)


def _record_decision(flag: OverloadFlag, outcome: str, by: User, reason: str, **extra_fields) -> OverloadFlag:
    """Save a senior manager's decision on an overload flag, with `extra_fields` (such as review_on) set too."""
    flag.decision = outcome
    flag.decision_reason = reason.strip()
    for name, value in extra_fields.items():
        setattr(flag, name, value)
    flag.decided_by = by
    flag.decided_at = timezone.now()
    flag._history_user = by
    flag.save(update_fields=["decision", "decision_reason", *extra_fields, "decided_by", "decided_at"])
    return flag
