"""Demo Learning from Excellence data: about 80 reports over the last year on the case-study wards.

Idempotent: the reports are made once (recognised by a marker in their text) and left alone after. Rows
are created through the services with notifications switched off, so the demo sends no email.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from excellence import services
from excellence.models import ExcellenceReport, RecipientResponse, Theme
from qiportal.models import User, Ward

SEED = 7
REPORT_COUNT = 80
THEMES = [
    ("Compassion", Theme.Kind.VALUE),
    ("Respect", Theme.Kind.VALUE),
    ("Teamwork", Theme.Kind.VALUE),
    ("Innovation", Theme.Kind.VALUE),
    ("Communication", Theme.Kind.THEME),
    ("Going the extra mile", Theme.Kind.THEME),
    ("Safety", Theme.Kind.THEME),
    ("Learning and teaching", Theme.Kind.THEME),
]
WARDS = [
    "oak-ward",
    "willow-ward",
    "acute-medical-unit",
    "surgical-assessment-unit",
    "beech-ward",
    "cedar-ward",
]
# Free text is written without names or patient details: the people are chosen as recipients.
STORIES = [
    (
        "Stayed after a long shift to settle a confused patient who was frightened at night.",
        "Calm, kind and patient when the bay was busy; the patient slept and did not need sedation.",
        "The patient's family said it was the first good night in a week.",
        "Protected time for reassurance at night prevents distress and falls.",
        ["Compassion", "Going the extra mile"],
    ),
    (
        "Ran a clear safety huddle at the start of a very busy shift with two agency nurses new to the ward.",
        "Everyone knew who was at risk of falls and who needed help with meals.",
        "No falls on the shift and new colleagues felt part of the team.",
        "A short structured huddle helps temporary staff settle quickly.",
        ["Teamwork", "Safety", "Communication"],
    ),
    (
        "Spotted early signs of deterioration and escalated using the early warning score straight away.",
        "Clear, confident escalation with a structured handover to the outreach team.",
        "Treatment started within the hour.",
        "Confidence in escalation grows when juniors are supported to speak up.",
        ["Safety", "Communication"],
    ),
    (
        "Made a simple picture board so patients with limited English could choose their meals.",
        "A creative, low-cost idea that respected patients' choices.",
        "More patients ate their meals and fewer were left unfinished.",
        "Small ideas from the front line can be spread across wards.",
        ["Innovation", "Respect"],
    ),
    (
        "Taught the new healthcare assistants how to use the pressure ulcer risk tool during quiet moments.",
        "Generous with their time and knowledge, and made learning feel safe.",
        "Risk assessments were completed on time all week.",
        "Teaching at the bedside sticks.",
        ["Learning and teaching", "Teamwork"],
    ),
    (
        "Coordinated a complex discharge with the family, therapy team and community nurses before noon.",
        "Thorough planning and warm communication with everyone involved.",
        "The patient went home on the day planned and the bed was ready for an admission.",
        "Starting discharge planning on admission works.",
        ["Teamwork", "Communication"],
    ),
    (
        "Covered a colleague's break during a cardiac arrest call so the bay was never left unattended.",
        "Quietly stepped in without being asked and kept patients informed.",
        "Patients felt safe and the team could focus on the emergency.",
        "Looking out for each other keeps wards safe under pressure.",
        ["Teamwork", "Going the extra mile"],
    ),
    (
        "Sat with a patient at the end of life so they were not alone while the family travelled.",
        "Dignified, gentle care when it mattered most.",
        "The family were grateful that their relative had company.",
        "End-of-life companionship should be planned, not left to chance.",
        ["Compassion", "Respect"],
    ),
]
CONVERSATION = {
    "strengths": "Knowing the patients well, noticing early and feeling able to act.",
    "opportunities": "Share the approach at the ward safety huddle and with the night team.",
    "aspirations": "Every member of the team feels confident to do the same.",
    "results": "Fewer incidents and more positive feedback in the Friends and Family Test.",
    "what_to_spread": "Use the same approach on the neighbouring wards for a month and review.",
}
MARKER = "[demo]"


def _ward_staff(ward: Ward, users: dict[str, User]) -> list[User]:
    people = [user for user in users.values() if ward in user.wards.all()]
    return people or list(users.values())


@transaction.atomic
def seed_reports(users: dict[str, User]) -> int:
    """Create the demo reports once; returns how many demo reports exist."""
    for name, kind in THEMES:
        Theme.objects.update_or_create(name=name, defaults={"kind": kind, "is_active": True})
    existing = ExcellenceReport.objects.filter(organisation_learning__endswith=MARKER).count()
    if existing:
        return existing
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not security
    themes = {theme.name: theme for theme in Theme.objects.all()}
    wards = {ward.slug: ward for ward in Ward.objects.filter(slug__in=WARDS).prefetch_related("staff")}
    people = list(User.objects.filter(pk__in=[u.pk for u in users.values()]).prefetch_related("wards"))
    by_ward = {slug: [p for p in people if any(w.slug == slug for w in p.wards.all())] for slug in wards}
    now = timezone.now()
    follow_up_days = settings.QI["EXCELLENCE_FOLLOW_UP_DAYS"]
    for index in range(REPORT_COUNT):
        # More reports in recent months: the run chart shows the intervention taking hold.
        days_ago = int(365 * (1 - rng.random() ** 0.7))
        created_at = now - timedelta(days=days_ago, hours=rng.randint(0, 10))
        slug = WARDS[index % len(WARDS)] if index < 12 else rng.choice(WARDS)
        ward = wards[slug]
        staff = by_ward[slug] or people
        reporter = rng.choice(people)
        candidates = [p for p in staff if p.pk != reporter.pk] or [p for p in people if p.pk != reporter.pk]
        recipients = rng.sample(candidates, k=min(len(candidates), rng.choice([1, 1, 2])))
        team_ward = ward if rng.random() < 0.2 else None
        what, why, difference, learning, tags = rng.choice(STORIES)
        report = services.submit_report(
            reporter=reporter,
            ward=ward,
            team_ward=team_ward,
            recipients=[] if team_ward and rng.random() < 0.5 else recipients,
            happened_on=(created_at - timedelta(days=rng.randint(0, 3))).date(),
            what_happened=what,
            why_excellent=why,
            difference_made=difference,
            organisation_learning=f"{learning} {MARKER}",
            tags=[themes[name] for name in tags],
            reporter_agrees_to_share=rng.random() < 0.75,
            notify_people=False,
            created_at=created_at,
        )
        responses = list(report.responses.select_related("recipient"))
        for response in responses:
            response.opened_at = created_at + timedelta(hours=rng.randint(1, 48))
            if rng.random() < 0.7:
                response.thanked_at = response.opened_at + timedelta(minutes=10)
                response.thank_you_message = "Thank you, that means a lot to the whole team."
            response.agrees_to_share = rng.random() < 0.8
        RecipientResponse.objects.bulk_update(
            responses, ["opened_at", "thanked_at", "thank_you_message", "agrees_to_share"]
        )
        services._refresh_sharing(report)
        # Older reports mostly had their conversation; some recent and a few old ones are overdue.
        if days_ago > follow_up_days and rng.random() < 0.7:
            manager = _manager_for(report, users)
            held_on = report.happened_on + timedelta(days=rng.randint(3, follow_up_days))
            services.record_conversation(
                report=report,
                by=manager,
                held_on=min(held_on, now.date()),
                participants=[manager, *(r.recipient for r in responses)],
                **CONVERSATION,
            )
            if rng.random() < 0.4:
                services.mark_learning_shared(report=report, by=manager)
    return ExcellenceReport.objects.filter(organisation_learning__endswith=MARKER).count()


def _manager_for(report: ExcellenceReport, users: dict[str, User]) -> User:
    if report.team_ward_id:
        managers = services.ward_managers(report.team_ward)
        if managers:
            return managers[0]
    for recipient in report.recipients.all():
        if recipient.line_manager_id:
            return User.objects.get(pk=recipient.line_manager_id)
    return users["qilead"]
