"""Demo initiatives: the six case studies of "Able to improve?" (seed 001) in realistic states, and more.

Idempotent: initiatives are keyed by title; their decisions, cycles and scores are rebuilt each run.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from projects.models import ChangeIdea, Decision, Initiative, PdsaCycle, ProgressScore, Scope, Status
from qiportal.models import Directorate, StrategicPriority, User, Ward

K = Decision.Kind

# (title, wards or directorate slug or None, priority slug, lead, sponsor, status, problem, aim, change ideas,
#  weeks since start, progress score, reason for the last decision)
CASE_STUDIES = [
    (
        "Handover at night",
        ["acute-medical-unit", "maple-ward"],
        "service-user-experience",
        "nightmatron",
        "sponsor",
        Status.HALTED,
        "Patients at risk overnight are not always known to the night team; the day handover does not reach them.",
        "Every at-risk patient discussed at a cross-disciplinary night meeting on 90% of nights by June.",
        ["Extra night handover meeting on at-risk patients", "Junior doctor co-lead for the night meeting"],
        40,
        Decision.Kind.HALT,
        "Four PDSA tries without benefit and little attendance; the problem was never agreed. Halted so the "
        "night team can focus on the upgraded day handover.",
    ),
    (
        "Nurse-led discharge",
        ["surgical-assessment-unit", "kingfisher-ward"],
        "value",
        "surgicalmatron",
        "surgerydirector",
        Status.COMPLETED,
        "Patients wait for a doctor's sign-off to go home even when they meet every discharge criterion.",
        "Half of eligible surgical patients discharged by nurses using unit-specific checklists by March.",
        ["Unit-specific discharge checklists", "Stakeholder mapping with surgeons"],
        60,
        Decision.Kind.COMPLETE,
        "Embedded on both units; the audit won the sceptics over and the checklists are now routine.",
    ),
    (
        "Enhanced care",
        ["willow-ward", "oak-ward"],
        "service-user-experience",
        "qilead",
        "sponsor",
        Status.PAUSED,
        "One-to-one 'specialising' of high-need patients is expensive and hard to staff.",
        "Enhanced care bays on two general wards cover 80% of high-need patients by September.",
        ["Enhanced care bay", "Training for enhanced care nurses"],
        30,
        Decision.Kind.PAUSE,
        "Staff shortages and mixed messages about saving money; paused until the relaunch agrees one message.",
    ),
    (
        "Postural blood pressure",
        ["oak-ward", "ash-ward", "rowan-ward"],
        "population-health",
        "qilead",
        "sponsor",
        Status.LIVE,
        "Falls in older patients are linked to postural hypotension that is not measured.",
        "Lying and standing blood pressure recorded for 90% of at-risk patients within 24 hours by December.",
        ["Lying and standing BP prompt in the admission bundle", "Ward manager role-modelling on each shift"],
        34,
        Decision.Kind.APPROVE,
        "",
    ),
    (
        "Tissue viability",
        ["beech-ward", "cedar-ward", "elm-ward"],
        "service-user-experience",
        "tvnurse",
        "sponsor",
        Status.LIVE,
        "Pressure sores are rising and the Waterlow assessment is done differently on each shift.",
        "Reduce hospital-acquired pressure ulcers by 50% by the end of the year.",
        ["New Waterlow-score assessment", "Training for every shift"],
        44,
        Decision.Kind.APPROVE,
        "",
    ),
    (
        "Managing unprofessional behaviour",
        None,
        "staff-experience",
        "coach",
        "medicaldirector",
        Status.SUBMITTED,
        "Unprofessional behaviour between clinicians goes unchallenged until it reaches a formal HR process.",
        "Every reported concern gets a peer 'cup of coffee' conversation within two weeks, from launch.",
        ["Trained peer messengers", "Modelled conversations with opponents"],
        4,
        None,
        "",
    ),
]

MORE = [
    ("Reducing falls at night on Willow Ward", ["willow-ward"], "population-health", Status.LIVE),
    ("Protected mealtimes", ["beech-ward", "maple-ward"], "service-user-experience", Status.LIVE),
    ("Sepsis screening in the acute medical unit", ["acute-medical-unit"], "population-health", Status.LIVE),
    ("Safer insulin prescribing", ["oak-ward", "cedar-ward"], "population-health", Status.SUBMITTED),
    ("Theatre start times", ["day-surgery-unit"], "value", Status.LIVE),
    ("Nurse rota fairness", ["heron-ward"], "staff-experience", Status.CHANGES_REQUESTED),
    ("Discharge lounge use", ["oak-ward", "ash-ward"], "value", Status.LIVE),
    ("Wellbeing huddles", ["oak-ward"], "staff-experience", Status.LIVE),
    ("Reducing agency spend", "medicine", "value", Status.LIVE),
    ("Mouth care for stroke patients", ["rowan-ward"], "service-user-experience", Status.COMPLETED),
    ("Paper-free ward rounds", ["elm-ward"], "value", Status.NOT_APPROVED),
    ("Learning from deaths reviews", None, "population-health", Status.DRAFT),
]


def _wards(spec):
    return list(Ward.objects.filter(slug__in=spec)) if isinstance(spec, list) else []


@transaction.atomic
def seed_initiatives(users: dict[str, User]) -> list[Initiative]:
    today = timezone.localdate()
    priorities = {p.slug: p for p in StrategicPriority.objects.all()}
    created = []
    for (
        title,
        ward_spec,
        priority,
        lead,
        sponsor,
        status,
        problem,
        aim,
        ideas,
        weeks,
        last_kind,
        reason,
    ) in CASE_STUDIES:
        start = today - timedelta(weeks=weeks)
        initiative = _upsert(
            title,
            ward_spec,
            priorities[priority],
            users[lead],
            users[sponsor],
            status,
            problem,
            aim,
            start,
            team=[users["staff"], users["hca"]]
            if lead == "qilead"
            else [users["juniordoctor"]]
            if lead == "nightmatron"
            else [],
            coach=users["coach"] if lead != "coach" else None,
        )
        _ideas(initiative, ideas)
        _decisions(initiative, status, last_kind, reason, start, users[sponsor])
        _cycles(initiative, users[lead], start, status)
        _scores(initiative, users[lead], status)
        created.append(initiative)
    for n, (title, ward_spec, priority, status) in enumerate(MORE):
        start = today - timedelta(weeks=6 + 3 * n)
        lead = users[["qilead", "surgicalmatron", "tvnurse", "nightmatron"][n % 4]]
        sponsor = users["surgerydirector"] if ward_spec in (["day-surgery-unit"], ["heron-ward"]) else users["sponsor"]
        initiative = _upsert(
            title,
            ward_spec,
            priorities[priority],
            lead,
            sponsor,
            status,
            f"{title}: the current process is inconsistent and staff report it as a frustration.",
            f"{title}: a measurable improvement by {today + timedelta(weeks=26):%B %Y}.",
            start,
            team=[],
            coach=None,
        )
        kind = {
            Status.LIVE: K.APPROVE,
            Status.COMPLETED: K.COMPLETE,
            Status.NOT_APPROVED: K.NOT_APPROVE,
            Status.CHANGES_REQUESTED: K.REQUEST_CHANGES,
        }.get(status)
        reason = {
            K.COMPLETE: "Aim met and sustained for three months.",
            K.NOT_APPROVE: "Duplicates the digital programme's work; join that instead.",
            K.REQUEST_CHANGES: "Please make the aim measurable and add a balancing measure.",
        }.get(kind, "")
        _decisions(initiative, status, kind, reason, start, sponsor)
        created.append(initiative)
    # One review overdue, so the sponsor's queue shows every kind of entry.
    Initiative.objects.filter(title="Protected mealtimes").update(next_review_on=today - timedelta(days=5))
    return created


def _upsert(title, ward_spec, priority, lead, sponsor, status, problem, aim, start, team, coach):
    directorate = None
    scope = Scope.TRUST
    if isinstance(ward_spec, list):
        scope = Scope.WARDS
    elif isinstance(ward_spec, str):
        scope = Scope.DIRECTORATE
        directorate = Directorate.objects.get(slug=ward_spec)
    wards = _wards(ward_spec)
    if wards:
        directorate = wards[0].directorate
    initiative, _ = Initiative.objects.update_or_create(
        title=title,
        defaults={
            "problem": problem,
            "aim": aim,
            "scope": scope,
            "directorate": directorate,
            "priority": priority,
            "lead": lead,
            "sponsor": sponsor,
            "coach": coach,
            "status": status,
            "created_by": lead,
            "planned_start_on": start,
            "planned_end_on": start + timedelta(weeks=52),
        },
    )
    initiative.wards.set(wards)
    initiative.team.set(team)
    return initiative


def _ideas(initiative, ideas):
    for order, text in enumerate(ideas):
        ChangeIdea.objects.update_or_create(initiative=initiative, title=text, defaults={"order": order})


def _decisions(initiative, status, last_kind, reason, start, sponsor):
    initiative.decisions.all().delete()
    if status == Status.DRAFT:
        return
    submitted_at = timezone.now() - (timezone.localdate() - start) - timedelta(days=7)
    Decision.objects.create(
        initiative=initiative,
        kind=K.SUBMIT,
        from_status=Status.DRAFT,
        to_status=Status.SUBMITTED,
        made_by=initiative.lead,
        made_at=submitted_at,
    )
    fields = {"submitted_at": submitted_at}
    if status in (Status.LIVE, Status.PAUSED, Status.COMPLETED, Status.HALTED):
        approved_at = submitted_at + timedelta(days=5)
        Decision.objects.create(
            initiative=initiative,
            kind=K.APPROVE,
            from_status=Status.SUBMITTED,
            to_status=Status.LIVE,
            made_by=sponsor,
            made_at=approved_at,
        )
        fields["approved_on"] = approved_at.date()
        fields["next_review_on"] = timezone.localdate() + timedelta(weeks=3)
    if last_kind and last_kind not in (K.APPROVE, K.SUBMIT):
        from_status = Status.SUBMITTED if last_kind in (K.NOT_APPROVE, K.REQUEST_CHANGES) else Status.LIVE
        Decision.objects.create(
            initiative=initiative,
            kind=last_kind,
            from_status=from_status,
            to_status=status,
            made_by=sponsor,
            reason=reason,
            made_at=timezone.now() - timedelta(days=10),
        )
        if status in (Status.HALTED, Status.COMPLETED, Status.NOT_APPROVED):
            fields["ended_on"] = timezone.localdate() - timedelta(days=10)
    Initiative.objects.filter(pk=initiative.pk).update(**fields)


def _cycles(initiative, lead, start, status):
    initiative.pdsa_cycles.all().delete()
    if status in (Status.SUBMITTED, Status.DRAFT):
        return
    ideas = list(initiative.change_ideas.all())
    for number in range(1, 4):
        begins = start + timedelta(weeks=4 * number + 2)
        if begins > timezone.localdate():
            break
        studied = number < 3 or status in (Status.COMPLETED, Status.HALTED)
        PdsaCycle.objects.create(
            initiative=initiative,
            number=number,
            change_idea=ideas[(number - 1) % len(ideas)] if ideas else None,
            title=f"Test {number}: {ideas[(number - 1) % len(ideas)].title.lower() if ideas else 'the change'}",
            objective="Find out whether the change works on one shift before spreading it.",
            predictions="Most shifts will use the change; a few will need reminders.",
            starts_on=begins,
            planned_end_on=begins + timedelta(weeks=2),
            created_by=lead,
            stage=PdsaCycle.Stage.DONE if studied else PdsaCycle.Stage.DO,
            what_happened="Tested on day and night shifts." if studied else "",
            results="As predicted on days; nights needed a prompt card." if studied else "",
            learning="Night shifts need the change built into the handover sheet." if studied else "",
            act_decision=PdsaCycle.ActDecision.ADAPT if studied else "",
            studied_at=timezone.now() if studied else None,
        )


def _scores(initiative, lead, status):
    initiative.progress_scores.all().delete()
    score = {
        Status.LIVE: Decimal("2.5"),
        Status.PAUSED: Decimal("2.0"),
        Status.COMPLETED: Decimal("4.5"),
        Status.HALTED: Decimal("2.0"),
    }.get(status)
    if score:
        ProgressScore.objects.create(
            initiative=initiative,
            score=score,
            suggested_score=score,
            set_by=lead,
            note="Set at the last QI forum from the PDSA learning and the run charts.",
        )
        Initiative.objects.filter(pk=initiative.pk).update(progress_score=score)
