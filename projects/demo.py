"""Demo initiatives: the six case studies of "Able to improve?" (seed 001) in realistic states, and more.

Each initiative gets a history with real past dates, counted back from the day of the first seeding: drafted,
submitted, decided on, reviewed by its sponsor every few weeks, its charter edited once or twice, its PDSA cycles
planned and studied. The timeline, the charter history (django-simple-history) and the cycles all carry those
dates, and so does `last_activity_at`, so the product's own rules (`projects.jobs.mark_stalled`,
`Initiative.is_review_overdue`, `PdsaCycle.overdue`, the overload scan) find something to show on the first day:
two stalled initiatives, an overdue review, an overdue PDSA cycle and Oak Ward over its threshold.

Idempotent: an initiative is created once, keyed by its title, and kept as it is after that, with whatever people
did to it in the demo. Delete the database to start again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

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
from qiportal.models import Directorate, StrategicPriority, User, Ward

K = Decision.Kind
A = PdsaCycle.ActDecision
ENDING = {Status.PAUSED: K.PAUSE, Status.HALTED: K.HALT, Status.COMPLETED: K.COMPLETE}


@dataclass(frozen=True)
class Cycle:
    """A PDSA cycle that began `weeks_ago` weeks ago and was planned to last `weeks`; `act` empty = not studied."""

    weeks_ago: int
    weeks: int
    act: str = ""


@dataclass(frozen=True)
class CharterEdit:
    """An edit to the charter `weeks_ago` weeks ago: `field` had `old` before it and has the spec's value now
    (for `planned_end_on`, `old` is how many weeks later or earlier than now the end was planned before)."""

    weeks_ago: int
    field: str
    old: object


@dataclass(frozen=True)
class DemoInitiative:
    title: str
    wards: list[str] | str | None  # ward slugs, a directorate slug, or None for trust-wide
    priority: str
    lead: str
    sponsor: str
    status: str
    problem: str
    aim: str
    ideas: tuple[str, ...] = ()
    # Weeks since the planned start (negative: it starts in the future). Submitted a week before it, approved
    # five days after submission.
    weeks: int = 0
    ended_days_ago: int | None = None  # the pause, halt, completion or sponsor's answer to the proposal
    reason: str = ""  # for that decision
    submitted_days_ago: int | None = None  # for proposals: overrides "a week before the planned start"
    cycles: tuple[Cycle, ...] = ()
    charter_edits: tuple[CharterEdit, ...] = ()
    review_overdue: bool = False  # the sponsor missed the latest review date
    score: Decimal | None = None
    team: tuple[str, ...] = ()
    coach: str | None = None
    planned_weeks: int = 52


# The case studies of seed 001, with their stories.
CASE_STUDIES = [
    DemoInitiative(
        "Handover at night",
        ["acute-medical-unit", "maple-ward"],
        "service-user-experience",
        "nightmatron",
        "sponsor",
        Status.HALTED,
        "Patients at risk overnight are not always known to the night team; the day handover does not reach them.",
        "Every at-risk patient discussed at a cross-disciplinary night meeting on 90% of nights by June.",
        ("Extra night handover meeting on at-risk patients", "Junior doctor co-lead for the night meeting"),
        weeks=40,
        ended_days_ago=12,
        reason="Four PDSA tries without benefit and little attendance; the problem was never agreed. Halted so the "
        "night team can focus on the upgraded day handover.",
        cycles=(Cycle(34, 2, A.ADAPT), Cycle(28, 2, A.ADAPT), Cycle(22, 2, A.ADAPT), Cycle(14, 3, A.ABANDON)),
        score=Decimal("2.0"),
        team=("juniordoctor",),
        coach="coach",
    ),
    DemoInitiative(
        "Nurse-led discharge",
        ["surgical-assessment-unit", "kingfisher-ward"],
        "value",
        "surgicalmatron",
        "surgerydirector",
        Status.COMPLETED,
        "Patients wait for a doctor's sign-off to go home even when they meet every discharge criterion.",
        "Half of eligible surgical patients discharged by nurses using unit-specific checklists by March.",
        ("Unit-specific discharge checklists", "Stakeholder mapping with surgeons"),
        weeks=60,
        ended_days_ago=20,
        reason="Embedded on both units; the audit won the sceptics over and the checklists are now routine.",
        cycles=(Cycle(44, 2, A.ADAPT), Cycle(36, 2, A.ADAPT), Cycle(28, 3, A.ADOPT)),
        score=Decimal("4.5"),
        coach="coach",
    ),
    DemoInitiative(
        "Enhanced care",
        ["willow-ward", "oak-ward"],
        "service-user-experience",
        "qilead",
        "sponsor",
        Status.PAUSED,
        "One-to-one 'specialising' of high-need patients is expensive and hard to staff.",
        "Enhanced care bays on two general wards cover 80% of high-need patients by September.",
        ("Enhanced care bay", "Training for enhanced care nurses"),
        weeks=30,
        ended_days_ago=56,
        reason="Staff shortages and mixed messages about saving money; paused until the relaunch agrees one message.",
        cycles=(Cycle(24, 2, A.ADAPT), Cycle(16, 2, A.ADAPT)),
        score=Decimal("2.0"),
        team=("staff", "hca"),
        coach="coach",
    ),
    DemoInitiative(
        "Postural blood pressure",
        ["oak-ward", "ash-ward", "rowan-ward"],
        "population-health",
        "qilead",
        "sponsor",
        Status.LIVE,
        "Falls in older patients are linked to postural hypotension that is not measured.",
        "Lying and standing blood pressure recorded for 90% of at-risk patients within 24 hours by December.",
        ("Lying and standing BP prompt in the admission bundle", "Ward manager role-modelling on each shift"),
        weeks=34,
        # The fourth cycle ended two weeks ago and nobody has recorded what happened: an overdue PDSA cycle.
        cycles=(Cycle(26, 2, A.ADAPT), Cycle(18, 2, A.ADAPT), Cycle(10, 3, A.ADOPT), Cycle(4, 2)),
        charter_edits=(
            CharterEdit(
                12,
                "aim",
                "Lying and standing blood pressure recorded for 90% of patients aged 65 or over within 24 hours "
                "by September.",
            ),
        ),
        score=Decimal("2.5"),
        team=("staff", "hca"),
        coach="coach",
    ),
    DemoInitiative(
        "Tissue viability",
        ["beech-ward", "cedar-ward", "elm-ward"],
        "service-user-experience",
        "tvnurse",
        "sponsor",
        Status.LIVE,
        "Pressure sores are rising and the Waterlow assessment is done differently on each shift.",
        "Reduce hospital-acquired pressure ulcers by 50% by the end of the year.",
        ("New Waterlow-score assessment", "Training for every shift"),
        weeks=44,
        cycles=(Cycle(38, 2, A.ADAPT), Cycle(30, 3, A.ADAPT), Cycle(20, 2, A.ADAPT), Cycle(9, 3, A.ADOPT), Cycle(2, 3)),
        charter_edits=(CharterEdit(6, "planned_end_on", -8),),  # weeks later than the plan it had
        score=Decimal("2.5"),
        coach="coach",
    ),
    DemoInitiative(
        "Managing unprofessional behaviour",
        None,
        "staff-experience",
        "coach",
        "medicaldirector",
        Status.SUBMITTED,
        "Unprofessional behaviour between clinicians goes unchallenged until it reaches a formal HR process.",
        "Every reported concern gets a peer 'cup of coffee' conversation within two weeks, from launch.",
        ("Trained peer messengers", "Modelled conversations with opponents"),
        weeks=-3,
        submitted_days_ago=6,
    ),
]

LEADS = ["qilead", "surgicalmatron", "tvnurse", "nightmatron"]
REASONS = {
    K.COMPLETE: "Aim met and sustained for three months.",
    K.NOT_APPROVE: "Duplicates the digital programme's work; join that instead.",
    K.REQUEST_CHANGES: "Please make the aim measurable and add a balancing measure.",
}

# (title, wards or directorate slug or None, priority slug, status, weeks since start, more)
MORE = [
    # Measured monthly and weekly (runcharts.demo), with a cycle under way.
    ("Reducing falls at night on Willow Ward", ["willow-ward"], "population-health", Status.LIVE, 20,
     {"cycles": (Cycle(6, 2, A.ADAPT), Cycle(2, 3))}),
    # The sponsor missed its review nine days ago: an overdue review.
    ("Protected mealtimes", ["beech-ward", "maple-ward"], "service-user-experience", Status.LIVE, 9,
     {"cycles": (Cycle(4, 2, A.ADAPT),), "review_overdue": True}),
    ("Sepsis screening in the acute medical unit", ["acute-medical-unit"], "population-health", Status.LIVE, 12,
     {"cycles": (Cycle(5, 2, A.ADOPT),)}),
    ("Safer insulin prescribing", ["oak-ward", "cedar-ward"], "population-health", Status.SUBMITTED, -4,
     {"submitted_days_ago": 10}),
    ("Theatre start times", ["day-surgery-unit"], "value", Status.LIVE, 18,
     {"cycles": (Cycle(8, 2, A.ADAPT), Cycle(2, 3))}),
    ("Nurse rota fairness", ["heron-ward"], "staff-experience", Status.CHANGES_REQUESTED, -6,
     {"submitted_days_ago": 21, "ended_days_ago": 17}),
    # One cycle long ago and nothing since: stalled.
    ("Discharge lounge use", ["oak-ward", "ash-ward"], "value", Status.LIVE, 24, {"cycles": (Cycle(18, 2, A.ADAPT),)}),
    # Approved five weeks ago, it took Oak Ward over its threshold: the open overload flag.
    ("Wellbeing huddles", ["oak-ward"], "staff-experience", Status.LIVE, 5, {"cycles": (Cycle(2, 2),)}),
    # Stalled too: nothing since its first cycle.
    ("Reducing agency spend", "medicine", "value", Status.LIVE, 30, {"cycles": (Cycle(20, 3, A.ADAPT),)}),
    ("Mouth care for stroke patients", ["rowan-ward"], "service-user-experience", Status.COMPLETED, 40,
     {"cycles": (Cycle(30, 2, A.ADAPT), Cycle(20, 2, A.ADOPT)), "ended_days_ago": 42}),
    ("Paper-free ward rounds", ["elm-ward"], "value", Status.NOT_APPROVED, -10,
     {"submitted_days_ago": 98, "ended_days_ago": 91}),
    ("Learning from deaths reviews", None, "population-health", Status.DRAFT, -8, {}),
]  # fmt: skip


def _more() -> list[DemoInitiative]:
    specs = []
    for n, (title, wards, priority, status, weeks, more) in enumerate(MORE):
        sponsor = "surgerydirector" if wards in (["day-surgery-unit"], ["heron-ward"]) else "sponsor"
        reason = REASONS.get({Status.COMPLETED: K.COMPLETE, Status.NOT_APPROVED: K.NOT_APPROVE}.get(status), "")
        if status == Status.CHANGES_REQUESTED:
            reason = REASONS[K.REQUEST_CHANGES]
        specs.append(
            DemoInitiative(
                title,
                wards,
                priority,
                LEADS[n % len(LEADS)],
                sponsor,
                status,
                f"{title}: the current process is inconsistent and staff report it as a frustration.",
                f"{title}: a measurable improvement within a year of starting.",
                weeks=weeks,
                reason=reason,
                **more,
            )
        )
    return specs


def specs() -> list[DemoInitiative]:
    return CASE_STUDIES + _more()


@transaction.atomic
def seed_initiatives(users: dict[str, User]) -> tuple[list[Initiative], int]:
    """Create the demo initiatives that do not exist yet, each with its dated history; keep the rest as they are.

    Returns every demo initiative and how many were created in this run.
    """
    now = timezone.now()
    priorities = {p.slug: p for p in StrategicPriority.objects.all()}
    existing = {i.title: i for i in Initiative.objects.filter(title__in=[s.title for s in specs()])}
    seeded, created = [], 0
    for spec in specs():
        initiative = existing.get(spec.title)
        if initiative is None:
            initiative = _create(spec, users, priorities[spec.priority], now)
            created += 1
        seeded.append(initiative)
    return seeded, created


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _create(spec: DemoInitiative, users: dict[str, User], priority: StrategicPriority, now: datetime) -> Initiative:
    today = timezone.localdate(now)
    lead, sponsor = users[spec.lead], users[spec.sponsor]
    start = today - timedelta(weeks=spec.weeks)
    if spec.submitted_days_ago is not None:
        submitted_at = _at(today - timedelta(days=spec.submitted_days_ago), 14, 10)
    else:
        submitted_at = _at(start - timedelta(days=7), 14, 10)
    created_at = submitted_at - timedelta(days=10, hours=4)
    if spec.status == Status.DRAFT:
        created_at = _at(today - timedelta(days=9), 10, 30)
    ended_at = _at(today - timedelta(days=spec.ended_days_ago), 15, 30) if spec.ended_days_ago is not None else None

    # The charter as first written: the edits' old values, put back.
    fields = {"aim": spec.aim, "planned_end_on": start + timedelta(weeks=spec.planned_weeks)}
    for edit in spec.charter_edits:
        fields[edit.field] = (
            fields["planned_end_on"] + timedelta(weeks=edit.old) if edit.field == "planned_end_on" else edit.old
        )
    scope, directorate, wards = _scope(spec.wards)
    initiative = Initiative(
        title=spec.title,
        problem=spec.problem,
        scope=scope,
        directorate=directorate,
        priority=priority,
        lead=lead,
        sponsor=sponsor,
        coach=users[spec.coach] if spec.coach else None,
        status=Status.DRAFT,
        created_by=lead,
        planned_start_on=start,
        last_activity_at=created_at,
        **fields,
    )
    # One "created" record holding the wards and team, rather than one record per many-to-many change.
    initiative.skip_history_when_saving = True
    initiative.save()
    initiative.wards.set(wards)
    initiative.team.set([users[name] for name in spec.team])
    del initiative.skip_history_when_saving
    initiative.created_at = created_at
    Initiative.objects.filter(pk=initiative.pk).update(created_at=created_at)
    _record(initiative, created_at, lead)
    initiative.history.update(history_type="+")

    for order, text in enumerate(spec.ideas):
        idea = ChangeIdea(initiative=initiative, title=text, order=order)
        idea._history_date, idea._history_user = created_at, lead
        idea.save()

    # The lifecycle, in date order: each event saves the charter as it then stood, dated when it happened.
    events: list[tuple[datetime, int, object]] = []  # (when, order on the same moment, what)
    decisions: list[Decision] = []
    activity = [created_at]
    next_review_on = None
    if spec.status != Status.DRAFT:
        events.append((submitted_at, 0, ("status", K.SUBMIT, Status.DRAFT, Status.SUBMITTED, lead, "")))
    if spec.status in (Status.NOT_APPROVED, Status.CHANGES_REQUESTED):
        kind = K.NOT_APPROVE if spec.status == Status.NOT_APPROVED else K.REQUEST_CHANGES
        events.append((ended_at, 0, ("status", kind, Status.SUBMITTED, spec.status, sponsor, spec.reason)))
    if spec.status in (Status.LIVE, *ENDING):
        approved_at = submitted_at + timedelta(days=5, hours=-3)
        activity.append(approved_at)  # going live starts the stalled clock (projects.services.decide)
        events.append((approved_at, 0, ("status", K.APPROVE, Status.SUBMITTED, Status.LIVE, sponsor, "")))
        # The sponsor reviews it every few weeks, from approval until it ends (or misses the latest review).
        interval = timedelta(weeks=Initiative._meta.get_field("review_interval_weeks").default)
        due = approved_at.date() + interval
        until = ended_at.date() if ended_at else today
        while due < until and not (spec.review_overdue and due + interval > today):
            events.append(
                (_at(due, 11), 1, ("review", due + interval, sponsor, "Reviewed at the divisional QI meeting."))
            )
            due += interval
        next_review_on = due
        if spec.status in ENDING:
            events.append(
                (ended_at, 2, ("status", ENDING[spec.status], Status.LIVE, spec.status, sponsor, spec.reason))
            )
    for edit in spec.charter_edits:
        new = getattr(spec, edit.field, None)
        if edit.field == "planned_end_on":
            new = start + timedelta(weeks=spec.planned_weeks)
        events.append((_at(today - timedelta(weeks=edit.weeks_ago), 16, 45), 3, ("edit", edit.field, new, lead)))

    for when, _, (what, *args) in sorted(events, key=lambda e: (e[0], e[1])):
        if what == "status":
            kind, from_status, to_status, by, reason = args
            decisions.append(
                Decision(
                    initiative=initiative,
                    kind=kind,
                    from_status=from_status,
                    to_status=to_status,
                    made_by=by,
                    made_at=when,
                    reason=reason,
                )
            )
            initiative.status = to_status
            if kind == K.SUBMIT:
                initiative.submitted_at = when
            elif kind == K.APPROVE:
                initiative.approved_on = timezone.localdate(when)
            elif kind in (K.HALT, K.COMPLETE, K.NOT_APPROVE):
                initiative.ended_on = timezone.localdate(when)
            _record(initiative, when, by)
        elif what == "review":
            review_on, by, reason = args
            decisions.append(
                Decision(
                    initiative=initiative,
                    kind=K.REVIEW_DONE,
                    from_status=initiative.status,
                    to_status=initiative.status,
                    made_by=by,
                    made_at=when,
                    reason=reason,
                    next_review_on=review_on,
                )
            )
        else:
            name, value, by = args
            setattr(initiative, name, value)
            _record(initiative, when, by)
    Decision.objects.bulk_create(decisions)

    activity += _cycles(initiative, spec, lead, today)
    score_at = max((d.made_at for d in decisions if d.kind != K.SUBMIT), default=None)
    if spec.score and score_at:
        ProgressScore.objects.create(
            initiative=initiative,
            score=spec.score,
            suggested_score=spec.score,
            set_by=lead,
            set_at=score_at,
            note="Set at the last QI forum from the PDSA learning and the run charts.",
        )
    last_event = max([created_at, *(d.made_at for d in decisions), *activity])
    Initiative.objects.filter(pk=initiative.pk).update(
        next_review_on=next_review_on,
        progress_score=spec.score if score_at else None,
        last_activity_at=max(activity),
        updated_at=last_event,
    )
    initiative.refresh_from_db()
    return initiative


def _record(initiative: Initiative, when: datetime, by: User) -> None:
    """Save the initiative and its charter history record, dated `when` and made by `by`."""
    initiative._history_date, initiative._history_user = when, by
    initiative.save()


def _scope(spec) -> tuple[str, Directorate | None, list[Ward]]:
    if isinstance(spec, list):
        wards = list(Ward.objects.filter(slug__in=spec).select_related("directorate").order_by("pk"))
        return Scope.WARDS, wards[0].directorate if wards else None, wards
    if isinstance(spec, str):
        return Scope.DIRECTORATE, Directorate.objects.get(slug=spec), []
    return Scope.TRUST, None, []


def _cycles(initiative: Initiative, spec: DemoInitiative, lead: User, today: date) -> list[datetime]:
    """Each cycle planned four days before it starts and, if studied, studied three days after its planned end.
    Returns the moments of work they record."""
    ideas = list(initiative.change_ideas.all())
    moments = []
    for number, cycle in enumerate(spec.cycles, start=1):
        begins = today - timedelta(weeks=cycle.weeks_ago)
        ends = begins + timedelta(weeks=cycle.weeks)
        idea = ideas[(number - 1) % len(ideas)] if ideas else None
        planned_at = _at(begins - timedelta(days=4), 13, 15)
        row = PdsaCycle(
            initiative=initiative,
            number=number,
            change_idea=idea,
            title=f"Test {number}: {idea.title.lower() if idea else 'the change'}",
            objective="Find out whether the change works on one shift before spreading it.",
            predictions="Most shifts will use the change; a few will need reminders.",
            starts_on=begins,
            planned_end_on=ends,
            created_by=lead,
            stage=PdsaCycle.Stage.DO,  # a saved plan moves the cycle on to Do (projects.services)
        )
        row._history_date, row._history_user = planned_at, lead
        row.save()
        moments.append(planned_at)
        studied_at = None
        if cycle.act:
            studied_at = _at(ends + timedelta(days=3), 15)
            row.stage = PdsaCycle.Stage.DONE
            row.what_happened = "Tested on day and night shifts."
            row.results = "As predicted on days; nights needed a prompt card."
            row.learning = "Night shifts need the change built into the handover sheet."
            row.act_decision = cycle.act
            row.studied_at = studied_at
            row._history_date = studied_at
            row.save()
            moments.append(studied_at)
        PdsaCycle.objects.filter(pk=row.pk).update(created_at=planned_at, updated_at=studied_at or planned_at)
        row.history.update(created_at=planned_at)
    return moments


# After the measures: data entry is work too ----------------------------------------------------------------


def note_activity(initiative_ids, latest_entry: dict[int, datetime]) -> None:
    """Move each initiative's last sign of work on to its latest measure data entry, where that is later."""
    for initiative in Initiative.objects.filter(pk__in=list(initiative_ids)).only("pk", "last_activity_at"):
        entered = latest_entry.get(initiative.pk)
        if entered and entered > initiative.last_activity_at:
            Initiative.objects.filter(pk=initiative.pk).update(last_activity_at=entered)


# After the first scan: date what it found as the history says it happened -----------------------------------


def date_scan_findings(initiative_ids, since: datetime) -> None:
    """The scan that follows the seeding marks stalled initiatives and opens overload flags dated today. Date them
    as a scan running every day would have: stalled from `STALLED_WEEKS` after the last sign of work, and each new
    flag from the decision that last took its ward over its threshold, with the load it had then."""
    weeks = timedelta(weeks=settings.QI["STALLED_WEEKS"])
    marked_today = Initiative.objects.filter(
        pk__in=list(initiative_ids), is_stalled=True, status=Status.LIVE, stalled_since=timezone.localdate()
    )
    for initiative in marked_today:
        stalled_since = timezone.localdate(initiative.last_activity_at + weeks) + timedelta(days=1)
        Initiative.objects.filter(pk=initiative.pk).update(stalled_since=stalled_since)
    for flag in OverloadFlag.objects.open().filter(opened_at__gte=since, decision="").select_related("ward"):
        crossing = _last_crossing(flag.ward)
        if crossing is None:
            continue
        opened_at, load = crossing
        OverloadFlag.objects.filter(pk=flag.pk).update(opened_at=opened_at, load_at_open=load)
        flag.history.update(history_date=opened_at, opened_at=opened_at, load_at_open=load)


def _last_crossing(ward: Ward) -> tuple[datetime, Decimal] | None:
    """When the ward's load last went from within its threshold to over it, replaying the decisions that take
    initiatives touching it in and out of live, and the load just after."""
    weights = LoadWeights.current()
    weight = {Scope.WARDS: weights.ward_weight, Scope.DIRECTORATE: weights.directorate_weight}
    touching = Initiative.objects.touching_ward(ward).values("pk")
    # Decisions that take an initiative into or out of live (a review leaves it live: from and to the same).
    changes = (
        Decision.objects.filter(initiative__in=touching)
        .filter(Q(to_status=Status.LIVE) | Q(from_status=Status.LIVE))
        .exclude(from_status=F("to_status"))
        .select_related("initiative")
        .order_by("made_at", "pk")
    )
    load, crossing = Decimal(0), None
    threshold = Decimal(ward.overload_threshold)
    for decision in changes:
        step = weight.get(decision.initiative.scope, weights.trust_weight)
        before = load
        load += step if decision.to_status == Status.LIVE else -step
        if before <= threshold < load:
            crossing = (decision.made_at, load)
    return crossing
