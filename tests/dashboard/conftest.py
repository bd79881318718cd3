"""A small trust that grows: each call to `grow` adds one of everything the dashboard, ward page and homes show."""

from datetime import date, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from excellence.models import ExcellenceReport
from ffit import services as ffit_services
from ffit.models import Audit, Response
from projects.models import Decision, Initiative, OverloadFlag, Status
from qiportal.models import Notification, NotificationKind
from runcharts import services
from runcharts.models import DataPoint
from tests.factories import (
    InitiativeFactory,
    MeasureFactory,
    PdsaCycleFactory,
    PriorityFactory,
    UserFactory,
    WardFactory,
)
from tests.ffit.helpers import all_answers

# Ten weeks around 50 then ten around 20: for "an increase is an improvement" that is special-cause concern.
CONCERN_VALUES = [50.0 + (i % 3) for i in range(10)] + [20.0 + (i % 3) for i in range(10)]
FIRST_WEEK = date(2026, 1, 5)


def concern_measure(initiative: Initiative, ward=None):
    measure = MeasureFactory(initiative=initiative, ward=ward, baseline_points=10)
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, week_start=FIRST_WEEK + timedelta(weeks=i), value=value)
        for i, value in enumerate(CONCERN_VALUES)
    )
    services.store_latest_signals([measure])  # written in bulk, past the services: store the signal they would
    return measure


def closed_audit(ward, owner, respondent, *, closed_days_ago: int = 10, value: int = 3):
    closed_at = timezone.now() - timedelta(days=closed_days_ago)
    audit = Audit.objects.create(ward=ward, owner=owner, status=Audit.Status.CLOSED, closed_at=closed_at)
    Response.objects.create(audit=audit, respondent=respondent, answers=all_answers(value), submitted_at=closed_at)
    ffit_services.store_ward_readiness(audit)  # as closing it through the service does
    return audit


@pytest.fixture
def grow(ward, directorate, sponsor, qi_lead, coach, staff, ward_manager):
    """Add one more of everything, on Oak Ward (the fixtures' `ward`) and a new ward of the same directorate."""
    priority = PriorityFactory(name="Patient safety")

    def _grow(times: int = 1):
        for _ in range(times):
            extra_ward = WardFactory(directorate=directorate)
            initiative = InitiativeFactory(
                lead=qi_lead,
                sponsor=sponsor,
                coach=coach,
                directorate=directorate,
                priority=priority,
                wards=[ward, extra_ward],
                next_review_on=timezone.localdate() - timedelta(days=2),
                is_stalled=True,
                stalled_since=timezone.localdate() - timedelta(weeks=7),
                progress_score=2,
            )
            initiative.team.add(staff)
            concern_measure(initiative, ward=ward)
            PdsaCycleFactory(
                initiative=initiative,
                starts_on=timezone.localdate() - timedelta(days=30),
                planned_end_on=timezone.localdate() - timedelta(days=3),
            )
            Decision.objects.create(
                initiative=InitiativeFactory(
                    status=Status.PAUSED, sponsor=sponsor, directorate=directorate, wards=[extra_ward]
                ),
                kind=Decision.Kind.PAUSE,
                from_status=Status.LIVE,
                to_status=Status.PAUSED,
                made_by=sponsor,
                reason="Staff shortages on the ward this winter.",
            )
            OverloadFlag.objects.create(ward=extra_ward, load_at_open=4, threshold_at_open=3)
            closed_audit(extra_ward, ward_manager, UserFactory())
            report = ExcellenceReport.objects.create(
                reporter=UserFactory(),
                ward=ward,
                team_ward=ward,
                happened_on=timezone.localdate() - timedelta(days=20),
                what_happened="Covered a colleague's shift at short notice.",
                why_excellent="Kept the ward safe.",
                difference_made="Patients had their medicines on time.",
                is_shared=True,
                created_at=timezone.now() - timedelta(days=20),
            )
            report.recipients.add(staff)
            ExcellenceReport.objects.create(
                reporter=staff,
                ward=ward,
                happened_on=timezone.localdate(),
                what_happened="Calm at a cardiac arrest.",
                why_excellent="Led the team well.",
                difference_made="A good outcome.",
            )
            for user in (qi_lead, sponsor, coach, staff, ward_manager):
                Notification.objects.create(
                    recipient=user,
                    kind=NotificationKind.DECISION,
                    subject_type=ContentType.objects.get_for_model(Initiative),
                    subject_id=initiative.pk,
                    dedupe_key=f"test:{user.pk}:{initiative.pk}",
                    title=f"Update on {initiative.title}",
                    body="Something changed.",
                    status=Notification.Status.IN_APP,
                )

    return _grow
