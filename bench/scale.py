"""A trust-sized data set for benchmarks and scale tests, written with bulk inserts.

At scale 1: 12 directorates, 150 wards, 2,000 people, 5,000 initiatives in every state over five years with
15,000 PDSA cycles, 2,000 measures with 100,000 weekly values, 3,000 FFIT audits with their responses and
20,000 excellence reports. Every row is invented; no name is a real person's. Usernames start with
`scale-` and directorate slugs with `scale-`, which is how the command tells its data from anyone else's.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from excellence import tallies as excellence_tallies
from excellence.models import ExcellenceReport, RecipientResponse, Theme
from ffit import services as ffit_services
from ffit.models import Audit, Response
from ffit.questionnaire import SECTIONS
from projects.jobs import repair_ward_loads
from projects.models import ChangeIdea, Decision, Initiative, PdsaCycle, Scope, Status
from qiportal.models import Directorate, Role, RoleAssignment, StrategicPriority, Trust, User, Ward
from runcharts import services as runcharts_services
from runcharts.models import DataPoint, Measure

PREFIX = "scale-"
BATCH = 2000
POINTS_PER_MEASURE = 50
FULL = {
    "directorates": 12,
    "wards": 150,
    "users": 2000,
    "initiatives": 5000,
    "pdsa_cycles": 15000,
    "measures": 2000,
    "data_points": 2000 * POINTS_PER_MEASURE,
    "audits": 3000,
    "excellence_reports": 20000,
}
MINIMUM = {"directorates": 2, "wards": 4, "users": 40, "initiatives": 20, "measures": 4, "audits": 4}
# Shares of initiatives by state: a five-year log is mostly finished work.
STATES = [
    (Status.LIVE, 0.14),
    (Status.SUBMITTED, 0.04),
    (Status.CHANGES_REQUESTED, 0.02),
    (Status.DRAFT, 0.04),
    (Status.PAUSED, 0.04),
    (Status.COMPLETED, 0.42),
    (Status.HALTED, 0.18),
    (Status.NOT_APPROVED, 0.12),
]
WORDS = [
    "discharge",
    "falls",
    "handover",
    "sepsis",
    "pressure",
    "ulcers",
    "nutrition",
    "hydration",
    "mouth",
    "care",
    "delirium",
    "medicines",
    "safety",
    "huddle",
    "rounding",
    "flow",
    "theatre",
    "start",
    "times",
    "pain",
    "relief",
    "mobility",
    "observations",
    "deterioration",
]


def plan(scale: float) -> dict[str, int]:
    counts = {key: max(MINIMUM.get(key, 1), round(value * scale)) for key, value in FULL.items()}
    counts["data_points"] = counts["measures"] * POINTS_PER_MEASURE
    return counts


def is_scale_database() -> bool:
    """True when every person and directorate here came from this module (or there are none)."""
    return (
        not User.objects.exclude(username__startswith=PREFIX).exists()
        and not Directorate.objects.exclude(slug__startswith=PREFIX).exists()
    )


@dataclass
class Built:
    counts: dict[str, int]
    admin_username: str
    seconds: float


def _bulk(model, rows, log: Callable[[str], None] | None = None) -> list:
    created = model.objects.bulk_create(rows, batch_size=BATCH)
    if log:
        log(f"  {model._meta.verbose_name_plural}: {len(created):,}")
    return created


def _phrase(rng: random.Random, n: int = 3) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _aware(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@transaction.atomic
def build(*, scale: float = 1.0, password: str | None = None, seed: int = 10, log=None) -> Built:
    """Write the trust. Runs in one transaction: on any error nothing is left behind."""
    started = timezone.now()
    rng = random.Random(seed)
    counts = plan(scale)
    today = timezone.localdate()
    run = 0  # a second run (with --force) gets its own names, so nothing collides
    while Directorate.objects.filter(slug=f"{PREFIX}{f'{run}-' if run else ''}dir-1").exists():
        run += 1
    tag = f"{PREFIX}{run}-" if run else PREFIX
    trust, _ = Trust.objects.get_or_create(pk=1, defaults={"name": "Scale Test Hospitals NHS Trust"})

    # Organisation ------------------------------------------------------------------------------------
    directorates = _bulk(
        Directorate,
        [
            Directorate(trust=trust, name=f"{tag}Directorate {d + 1}", slug=f"{tag}dir-{d + 1}")
            for d in range(counts["directorates"])
        ],
        log,
    )
    wards = _bulk(
        Ward,
        [
            Ward(
                directorate=directorates[w % len(directorates)],
                name=f"{tag}Ward {w + 1}",
                slug=f"{tag}ward-{w + 1}",
                site="Scale General Hospital",
                specialty=rng.choice(["Medicine", "Surgery", "Older people", "Paediatrics"]),
                overload_threshold=Decimal(rng.choice([3, 4, 5, 6])),
            )
            for w in range(counts["wards"])
        ],
        log,
    )
    priorities = list(StrategicPriority.objects.all()[:6])
    if not priorities:
        priorities = _bulk(
            StrategicPriority,
            [
                StrategicPriority(name=f"{tag}Priority {p + 1}", slug=f"{tag}priority-{p + 1}", order=p)
                for p in range(6)
            ],
        )
    hashed = make_password(password) if password else make_password(None)
    users = _bulk(
        User,
        [
            User(
                username=f"{tag}user-{u + 1}",
                first_name=f"Person{u + 1}",
                last_name=rng.choice(["Adams", "Begum", "Clarke", "Davies", "Evans", "Khan", "Patel", "Smith"]),
                email=f"{tag}user-{u + 1}@scale.nhs.invalid",
                password=hashed,
                job_title="Staff nurse",
                directorate=directorates[(u % len(wards)) % len(directorates)],
            )
            for u in range(counts["users"])
        ],
        log,
    )
    # Roles: a manager per ward, a sponsor per directorate plus one trust-wide, QI leads, coaches, two admins.
    n_wards, n_dirs = len(wards), len(directorates)
    managers = users[:n_wards]
    sponsors = users[n_wards : n_wards + n_dirs]
    trust_sponsor = users[n_wards + n_dirs]
    rest = users[n_wards + n_dirs + 1 :]
    qi_leads, coaches, admins, staff = rest[:10], rest[10:30], rest[30:32], rest[32:]
    roles = [RoleAssignment(user=m, role=Role.WARD_MANAGER, ward=wards[i]) for i, m in enumerate(managers)]
    roles += [
        RoleAssignment(user=s, role=Role.SENIOR_MANAGER, directorate=directorates[i]) for i, s in enumerate(sponsors)
    ]
    roles.append(RoleAssignment(user=trust_sponsor, role=Role.SENIOR_MANAGER))
    roles += [RoleAssignment(user=u, role=Role.QI_LEAD) for u in qi_leads]
    roles += [RoleAssignment(user=u, role=Role.QI_COACH) for u in coaches]
    roles += [RoleAssignment(user=u, role=Role.ADMIN) for u in admins]
    roles += [RoleAssignment(user=u, role=Role.STAFF) for u in staff]
    _bulk(RoleAssignment, roles, log)
    User.objects.filter(pk__in=[u.pk for u in admins]).update(is_staff=True, is_superuser=True)
    ward_of = {}
    memberships = []
    for i, user in enumerate(users):
        ward = wards[i % n_wards]
        ward_of[user.pk] = ward
        memberships.append(User.wards.through(user_id=user.pk, ward_id=ward.pk))
    User.wards.through.objects.bulk_create(memberships, batch_size=BATCH)
    staff_by_ward: dict[int, list[User]] = {}
    for user in staff:
        staff_by_ward.setdefault(ward_of[user.pk].pk, []).append(user)
    for ward_index, ward in enumerate(wards):  # line managers: the ward's manager
        ids = [u.pk for u in staff_by_ward.get(ward.pk, [])]
        if ids:
            User.objects.filter(pk__in=ids).update(line_manager=managers[ward_index])

    # Initiatives --------------------------------------------------------------------------------------
    statuses = []
    for status, share in STATES:
        statuses += [status] * round(share * counts["initiatives"])
    statuses = (statuses + [Status.LIVE] * counts["initiatives"])[: counts["initiatives"]]
    rng.shuffle(statuses)
    initiatives, ward_links, chosen_wards = [], [], []
    for i, status in enumerate(statuses):
        roll = rng.random()
        scope = Scope.TRUST if roll < 0.004 else Scope.DIRECTORATE if roll < 0.03 else Scope.WARDS
        home = wards[rng.randrange(n_wards)]
        start = today - timedelta(days=rng.randrange(30, 5 * 365))
        if status in (Status.LIVE, Status.SUBMITTED, Status.DRAFT, Status.CHANGES_REQUESTED, Status.PAUSED):
            start = today - timedelta(days=rng.randrange(10, 300))
        lead = rng.choice(staff_by_ward.get(home.pk) or staff)
        sponsor = sponsors[directorates.index(home.directorate) if home.directorate in directorates else 0]
        ended = status in (Status.COMPLETED, Status.HALTED, Status.NOT_APPROVED)
        initiatives.append(
            Initiative(
                title=f"{_phrase(rng, 2).capitalize()} improvement {i + 1}",
                problem=f"Too much variation in {_phrase(rng)} on the ward.",
                aim=f"Improve {_phrase(rng, 2)} by 20% within a year.",
                scope=scope,
                directorate=None if scope == Scope.TRUST else home.directorate,
                priority=priorities[i % len(priorities)],
                lead=lead,
                sponsor=trust_sponsor if scope == Scope.TRUST else sponsor,
                coach=coaches[i % len(coaches)] if i % 3 == 0 else None,
                planned_start_on=start,
                planned_end_on=start + timedelta(weeks=rng.randrange(12, 60)),
                review_interval_weeks=8,
                next_review_on=today + timedelta(days=rng.randrange(-30, 60)) if status == Status.LIVE else None,
                status=status,
                progress_score=Decimal(rng.choice(["1.0", "1.5", "2.0", "3.0", "4.0"]))
                if status == Status.LIVE
                else None,
                created_by=lead,
                submitted_at=None if status == Status.DRAFT else _aware(start),
                approved_on=start if status in (Status.LIVE, Status.PAUSED, Status.COMPLETED, Status.HALTED) else None,
                ended_on=min(today, start + timedelta(weeks=30)) if ended else None,
            )
        )
        extra = [wards[rng.randrange(n_wards)]] if rng.random() < 0.2 else []
        chosen_wards.append([home, *[w for w in extra if w != home]] if scope == Scope.WARDS else [])
    initiatives = _bulk(Initiative, initiatives, log)
    for initiative, its_wards in zip(initiatives, chosen_wards, strict=True):
        ward_links += [Initiative.wards.through(initiative_id=initiative.pk, ward_id=w.pk) for w in its_wards]
    Initiative.wards.through.objects.bulk_create(ward_links, batch_size=BATCH)
    Initiative.team.through.objects.bulk_create(
        [Initiative.team.through(initiative_id=i.pk, user_id=i.lead_id) for i in initiatives], batch_size=BATCH
    )

    decisions = []
    for initiative in initiatives:
        if initiative.status == Status.DRAFT:
            continue
        made = _aware(initiative.planned_start_on)
        decisions.append(
            Decision(
                initiative=initiative,
                kind="submit",
                from_status="draft",
                to_status="submitted",
                made_by=initiative.lead,
                made_at=made,
            )
        )
        follow = {
            Status.LIVE: ("approve", "submitted", ""),
            Status.PAUSED: ("pause", "live", "Winter pressures on the ward."),
            Status.COMPLETED: ("complete", "live", "Aim met and sustained."),
            Status.HALTED: ("halt", "live", "No measurable change after three cycles."),
            Status.NOT_APPROVED: ("not_approve", "submitted", "Overlaps another initiative."),
            Status.CHANGES_REQUESTED: ("request_changes", "submitted", "Add a balancing measure."),
        }.get(initiative.status)
        if follow:
            kind, from_status, reason = follow
            decisions.append(
                Decision(
                    initiative=initiative,
                    kind=kind,
                    from_status=from_status,
                    to_status=initiative.status,
                    made_by=initiative.sponsor,
                    made_at=made + timedelta(days=14),
                    reason=reason,
                )
            )
    _bulk(Decision, decisions, log)

    started_work = [i for i in initiatives if i.status in (Status.LIVE, Status.PAUSED, Status.COMPLETED, Status.HALTED)]
    ideas = _bulk(
        ChangeIdea,
        [
            ChangeIdea(initiative=i, title=f"Try {_phrase(rng, 2)}", description="A small test of change.")
            for i in started_work
        ],
        log,
    )
    idea_of = {idea.initiative_id: idea for idea in ideas}
    cycles, numbers = [], {}
    stages = ["plan", "do", "study", "act", "done", "done"]
    for c in range(counts["pdsa_cycles"]):
        initiative = started_work[c % len(started_work)] if c < len(started_work) else rng.choice(started_work)
        number = numbers[initiative.pk] = numbers.get(initiative.pk, 0) + 1
        begins = initiative.planned_start_on + timedelta(weeks=2 * number)
        stage = "done" if initiative.status in (Status.COMPLETED, Status.HALTED) else rng.choice(stages)
        cycles.append(
            PdsaCycle(
                initiative=initiative,
                change_idea=idea_of.get(initiative.pk),
                number=number,
                title=f"Cycle {number}: {_phrase(rng, 2)}",
                stage=stage,
                objective=f"Test {_phrase(rng)} on one bay.",
                predictions="Most shifts will manage it.",
                starts_on=begins,
                planned_end_on=begins + timedelta(weeks=2),
                what_happened="Done on most shifts." if stage != "plan" else "",
                learning="Works best at handover." if stage in ("act", "done") else "",
                act_decision=rng.choice(["adopt", "adapt", "abandon"]) if stage in ("act", "done") else "",
                created_by=initiative.lead,
            )
        )
    _bulk(PdsaCycle, cycles, log)

    # Measures and weekly values ----------------------------------------------------------------------
    measured = [i for i in started_work if i.status in (Status.LIVE, Status.PAUSED)] or started_work
    first = set(measured)
    measured += [i for i in started_work if i not in first]
    measures = []
    for m in range(counts["measures"]):
        initiative = measured[(m // 2) % len(measured)]  # two measures each, like a typical charter
        its_wards = chosen_wards[initiatives.index(initiative)] if m < 50 else []
        measures.append(
            Measure(
                initiative=initiative,
                ward=its_wards[0] if its_wards else None,
                kind=["outcome", "process", "balancing"][m % 3],
                name=f"{_phrase(rng, 2).capitalize()} {m + 1}",
                definition="Counted each week from the ward's records.",
                unit="percent" if m % 2 else "count",
                improvement="increase" if m % 4 else "decrease",
                target=60.0 if m % 2 else None,
                chart=["anhoej", "ihi", "xmr"][m % 3],
                owner=initiative.lead,
            )
        )
    measures = _bulk(Measure, measures, log)
    last_monday = today - timedelta(days=today.weekday() + 7)
    points = []
    for measure in measures:
        level = rng.uniform(20, 70)
        for k in range(POINTS_PER_MEASURE):
            shift = 8 if k > POINTS_PER_MEASURE * 0.6 else 0
            value = max(0.0, min(100.0, rng.gauss(level + shift, 5)))
            points.append(
                DataPoint(
                    measure=measure,
                    week_start=last_monday - timedelta(weeks=POINTS_PER_MEASURE - 1 - k),
                    value=round(value, 1),
                )
            )
        if len(points) >= BATCH * 5:
            DataPoint.objects.bulk_create(points, batch_size=BATCH)
            points = []
    DataPoint.objects.bulk_create(points, batch_size=BATCH)
    runcharts_services.store_latest_signals(measures)  # bulk inserts skip the services that keep the column
    if log:
        log(f"  data points: {DataPoint.objects.filter(measure__in=measures).count():,}")

    # FFIT audits --------------------------------------------------------------------------------------
    keys = [item.key for section in SECTIONS for item in section.items]
    audits = []
    for a in range(counts["audits"]):
        ward = wards[a % n_wards]
        opened = today - timedelta(days=rng.randrange(0, 4 * 365))
        closed = a % 10 != 0
        audits.append(
            Audit(
                ward=ward,
                owner=managers[a % n_wards],
                status="closed" if closed else "open",
                opened_at=_aware(opened),
                closed_at=_aware(min(today, opened + timedelta(days=14)), 16) if closed else None,
            )
        )
    audits = _bulk(Audit, audits, log)
    responses = []
    for audit in audits:
        people = [audit.owner, *(staff_by_ward.get(audit.ward_id) or [])[:2]]
        for person in dict.fromkeys(people):
            answers = {key: rng.randint(1, 5) for key in keys}
            responses.append(
                Response(
                    audit=audit,
                    respondent=person,
                    answers=answers,
                    current_section=len(SECTIONS),
                    invited_by=audit.owner,
                    invited_at=audit.opened_at,
                    submitted_at=audit.opened_at + timedelta(days=3),
                )
            )
    _bulk(Response, responses, log)
    ffit_services.refresh_ward_readiness(ward.pk for ward in wards)

    # Excellence reports -------------------------------------------------------------------------------
    themes = list(Theme.objects.all()[:6]) or _bulk(
        Theme, [Theme(name=f"{tag}Theme {t + 1}", kind="value" if t < 3 else "theme") for t in range(6)]
    )
    reports, praised = [], []
    for r in range(counts["excellence_reports"]):
        ward = wards[r % n_wards]
        people = staff_by_ward.get(ward.pk) or staff
        reporter, recipient = rng.sample(people, 2) if len(people) > 1 else (managers[r % n_wards], people[0])
        created = timezone.now() - timedelta(days=rng.randrange(0, 3 * 365), hours=rng.randrange(24))
        state = rng.choices(["awaiting_conversation", "conversation_held", "learning_shared"], weights=[3, 4, 3])[0]
        reports.append(
            ExcellenceReport(
                reporter=reporter,
                ward=ward,
                happened_on=timezone.localdate(created) - timedelta(days=1),
                what_happened=f"Went out of their way with {_phrase(rng, 2)}.",
                why_excellent="Calm, kind and thorough on a busy shift.",
                difference_made="The team felt supported.",
                reporter_agrees_to_share=r % 3 == 0,
                is_shared=r % 3 == 0,
                state=state,
                created_at=created,
                state_changed_at=None if state == "awaiting_conversation" else created + timedelta(days=5),
            )
        )
        praised.append(recipient)
    reports = _bulk(ExcellenceReport, reports, log)
    ExcellenceReport.recipients.through.objects.bulk_create(
        [
            ExcellenceReport.recipients.through(excellencereport_id=report.pk, user_id=person.pk)
            for report, person in zip(reports, praised, strict=True)
        ],
        batch_size=BATCH,
    )
    ExcellenceReport.tags.through.objects.bulk_create(
        [
            ExcellenceReport.tags.through(excellencereport_id=report.pk, theme_id=themes[k % len(themes)].pk)
            for k, report in enumerate(reports)
        ],
        batch_size=BATCH,
    )
    _bulk(
        RecipientResponse,
        [
            RecipientResponse(
                report=report,
                recipient=person,
                opened_at=report.created_at + timedelta(hours=5) if k % 4 else None,
                agrees_to_share=True if report.is_shared else None,
            )
            for k, (report, person) in enumerate(zip(reports, praised, strict=True))
        ],
        log,
    )
    # Bulk rows bypass the services and the model's signals: store each ward's initiative load and the trust's
    # excellence counts as they would have kept them.
    repair_ward_loads()
    excellence_tallies.rebuild()
    return Built(counts=counts, admin_username=admins[0].username, seconds=(timezone.now() - started).total_seconds())
