"""Demo readiness audits for the case-study wards: some ready, some weak, one disagreement, one out of date.

Idempotent: an audit is keyed by its ward and owner, so running seed_demo twice adds nothing.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ffit import services
from ffit.models import Audit, Response
from ffit.questionnaire import SECTIONS
from qiportal.models import User, Ward


def _answers(base: int, overrides: dict[str, int] | None = None, wobble: int = 0) -> dict[str, int]:
    """Every item scored `base`, with whole sections overridden, nudged by item position so it is not flat."""
    overrides = overrides or {}
    answers = {}
    for section in SECTIONS:
        for index, item in enumerate(section.items):
            value = overrides.get(section.key, base) + (wobble if index % 3 == 0 else 0)
            answers[item.key] = max(0, min(5, value))
    return answers


# (ward slug, owner, closed days ago or None for open, [(respondent, answers or None for not started)])
AUDITS = [
    # Ready: Oak Ward's manager and the QI lead broadly agree, all sections strong.
    ("oak-ward", "wardmanager", 21, [("wardmanager", _answers(4)), ("qilead", _answers(4, {"resourcing": 3}, 1))]),
    # Weak in managers.
    ("willow-ward", "willowmanager", 30, [("willowmanager", _answers(3, {"managers": 1}))]),
    # Two respondents who disagree: the night matron is far less sure about resourcing and messages.
    (
        "acute-medical-unit",
        "acutemedicalmanager",
        14,
        [
            ("acutemedicalmanager", _answers(4, {"resourcing": 4, "messages": 4})),
            ("nightmatron", _answers(3, {"resourcing": 1, "messages": 2})),
        ],
    ),
    # Weak in resourcing.
    (
        "surgical-assessment-unit",
        "surgicalassessmentmanager",
        45,
        [
            ("surgicalassessmentmanager", _answers(3, {"resourcing": 1})),
            ("surgicalmatron", _answers(3, {"resourcing": 2})),
        ],
    ),
    # Out of date: closed eight months ago.
    ("beech-ward", "beechmanager", 240, [("beechmanager", _answers(3)), ("tvnurse", _answers(3, {"learning": 2}))]),
    # Still open: the manager has answered, the tissue viability nurse has not started.
    ("cedar-ward", "cedarmanager", None, [("cedarmanager", _answers(3, {"context": 2})), ("tvnurse", None)]),
]


@transaction.atomic
def seed_audits(users: dict[str, User]) -> list[Audit]:
    now = timezone.now()
    wards = {ward.slug: ward for ward in Ward.objects.filter(slug__in=[slug for slug, *_ in AUDITS])}
    seeded = []
    for slug, owner_name, closed_days_ago, respondents in AUDITS:
        owner = users[owner_name]
        existing = Audit.objects.filter(ward=wards[slug], owner=owner).first()
        if existing is not None:
            seeded.append(existing)
            continue
        days_open = 10
        opened_at = now - timedelta(days=(closed_days_ago or 0) + days_open)
        closed_at = None if closed_days_ago is None else now - timedelta(days=closed_days_ago)
        audit = Audit.objects.create(
            ward=wards[slug],
            owner=owner,
            opened_at=opened_at,
            closed_at=closed_at,
            status=Audit.Status.OPEN if closed_at is None else Audit.Status.CLOSED,
        )
        for number, (username, answers) in enumerate(respondents):
            Response.objects.create(
                audit=audit,
                respondent=users[username],
                invited_by=owner,
                invited_at=opened_at,
                answers=answers or {},
                current_section=len(SECTIONS) if answers else 1,
                submitted_at=opened_at + timedelta(days=number + 1) if answers else None,
            )
        seeded.append(audit)
    services.refresh_ward_readiness(wards[slug].pk for slug, *_ in AUDITS)
    return seeded
