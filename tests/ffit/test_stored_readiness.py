"""A ward's readiness is stored on the ward when an audit closes, and the approval rule reads it."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ffit.models import Audit
from projects.models import Status
from qiportal.models import Ward
from tests.factories import InitiativeFactory
from tests.ffit.helpers import all_answers, audit_with_answers

pytestmark = pytest.mark.django_db


def test_closing_an_audit_stores_its_day_and_weakest_section_on_the_ward(ward, ward_manager, staff):
    assert ward.readiness_closed_on is None
    audit_with_answers(
        ward, ward_manager, {ward_manager: all_answers(4, learning=1), staff: all_answers(4, learning=2)}
    )
    ward.refresh_from_db()
    assert ward.readiness_closed_on == timezone.localdate()
    assert ward.readiness_lowest_percent == Decimal("30.0")  # learning: mean 1.5 of 5
    assert ward.needs_readiness_warning()  # below the 40 % weak threshold


def test_a_strong_recent_audit_needs_no_warning_and_goes_stale_after_six_months(ward, ward_manager):
    audit_with_answers(ward, ward_manager, {ward_manager: all_answers(4)})
    ward.refresh_from_db()
    assert not ward.needs_readiness_warning()
    assert ward.needs_readiness_warning(today=timezone.localdate() + timedelta(days=190))


def test_approving_on_a_ward_with_weak_readiness_needs_a_reason(client, ward, ward_manager, sponsor):
    audit_with_answers(ward, ward_manager, {ward_manager: all_answers(4, context=1)})
    initiative = InitiativeFactory(status=Status.SUBMITTED, sponsor=sponsor, wards=[ward])
    client.force_login(sponsor)
    response = client.post(reverse("projects:approve", args=[initiative.pk]), {"reason": ""})
    assert "Enter why you are approving despite the readiness warning" in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.status == Status.SUBMITTED


def test_approving_on_a_ready_ward_needs_no_reason(client, ward, ward_manager, sponsor):
    audit_with_answers(ward, ward_manager, {ward_manager: all_answers(4)})
    initiative = InitiativeFactory(status=Status.SUBMITTED, sponsor=sponsor, wards=[ward])
    client.force_login(sponsor)
    client.post(reverse("projects:approve", args=[initiative.pk]), {"reason": ""})
    initiative.refresh_from_db()
    assert initiative.status == Status.LIVE


@pytest.mark.django_db(transaction=True)
def test_the_backfill_migration_fills_wards_from_audits_already_closed_and_reverses(migrator, ward, ward_manager):
    with time_machine.travel(timezone.now() - timedelta(days=30)):
        audit_with_answers(ward, ward_manager, {ward_manager: all_answers(2)})
    audit_with_answers(ward, ward_manager, {ward_manager: all_answers(5, managers=3)})
    latest = Audit.objects.order_by("-closed_at").first()
    migrator(("ffit", "0001_audits"))
    cleared = Ward.objects.get(pk=ward.pk)
    assert (cleared.readiness_closed_on, cleared.readiness_lowest_percent) == (None, None)
    migrator(("ffit", "0002_backfill_ward_readiness"))
    ward.refresh_from_db()
    assert ward.readiness_closed_on == timezone.localdate(latest.closed_at)
    assert ward.readiness_lowest_percent == Decimal("60.0")


def test_submitting_and_closing_store_the_audits_section_scores(ward, ward_manager, staff):
    audit = audit_with_answers(
        ward, ward_manager, {ward_manager: all_answers(4, learning=1), staff: all_answers(4, learning=2)}
    )
    audit.refresh_from_db()
    assert audit.respondent_count == 2
    learning = next(score for score in audit.section_scores if score["key"] == "learning")
    assert learning["percent"] == 30.0  # mean 1.5 of 5


def test_readiness_pages_read_the_stored_scores_not_the_answers(client, ward, ward_manager):
    from ffit import selectors

    audit = audit_with_answers(ward, ward_manager, {ward_manager: all_answers(4)})
    audit.refresh_from_db()
    stored = [dict(score, percent=12.0) if score["key"] == "learning" else score for score in audit.section_scores]
    Audit.objects.filter(pk=audit.pk).update(section_scores=stored)
    readiness = selectors.latest_readiness([ward.pk])[ward.pk]
    assert readiness.weakest_sections[0].score.percent == 12.0
    assert readiness.respondents == 1
