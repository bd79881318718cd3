"""Nothing stale: a saved change shows on the next page view, and no page shows one person's data to another."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import jobs
from projects.models import Initiative, Status
from tests.factories import InitiativeFactory, WardFactory

pytestmark = pytest.mark.django_db


def _page(client, name="projects:portfolio", **params) -> str:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_saved_change_shows_at_once(client, sponsor, ward):
    client.force_login(sponsor)
    assert "Night-time noise" not in _page(client)
    initiative = InitiativeFactory(title="Night-time noise", wards=[ward], status=Status.LIVE)
    assert "Night-time noise" in _page(client)
    initiative.title = "Quieter nights"
    initiative.save()
    page = _page(client)
    assert "Quieter nights" in page and "Night-time noise" not in page
    initiative.delete()
    assert "Quieter nights" not in _page(client)


def test_a_change_to_a_ward_name_shows_at_once(client, sponsor, ward):
    InitiativeFactory(title="Falls", wards=[ward], status=Status.LIVE)
    client.force_login(sponsor)
    assert ward.name in _page(client)
    ward.name = "Renamed ward"
    ward.save()
    assert "Renamed ward" in _page(client)


def test_bulk_updates_in_the_scan_refresh_the_review_queue(client, sponsor, ward):
    """The scan marks initiatives stalled with a bulk update; the queue shows it on the next view."""
    long_ago = timezone.now() - timedelta(weeks=20)
    initiative = InitiativeFactory(title="Quiet project", sponsor=sponsor, wards=[ward], status=Status.LIVE)
    Initiative.objects.filter(pk=initiative.pk).update(created_at=long_ago, last_activity_at=long_ago)
    client.force_login(sponsor)
    assert "Quiet project" not in _page(client, "projects:review_queue")
    jobs.scan_wards(notify_people=False)
    assert Initiative.objects.get(pk=initiative.pk).is_stalled
    assert "Quiet project" in _page(client, "projects:review_queue")


def test_a_page_never_shows_another_persons_drafts(client, qi_lead, staff, ward):
    InitiativeFactory(title="Secret draft", lead=qi_lead, created_by=qi_lead, wards=[ward], status=Status.DRAFT)
    client.force_login(qi_lead)
    assert "Secret draft" in _page(client)
    client.force_login(staff)
    assert "Secret draft" not in _page(client)


def test_the_navigation_count_follows_new_work(client, sponsor, ward):
    client.force_login(sponsor)
    InitiativeFactory(sponsor=sponsor, wards=[ward], status=Status.SUBMITTED)
    assert '<span class="app-nav-count">1<span class="nhsuk-u-visually-hidden"> to review' in _page(client, "home")
    InitiativeFactory(sponsor=sponsor, wards=[ward], status=Status.SUBMITTED)
    assert '<span class="app-nav-count">2<span class="nhsuk-u-visually-hidden"> to review' in _page(client, "home")


def test_filter_forms_offer_a_new_ward_at_once_and_keep_what_was_chosen(client, sponsor, ward):
    client.force_login(sponsor)
    assert "Birch Ward" not in _page(client)
    assert "Birch Ward" not in _page(client, "excellence:report_list")
    birch = WardFactory(name="Birch Ward")
    assert f'<option value="{birch.pk}">Birch Ward</option>' in _page(client)
    assert f'<option value="{birch.pk}">Birch Ward</option>' in _page(client, "excellence:report_list")
    chosen = _page(client, ward=birch.pk)
    assert f'<option value="{birch.pk}" selected>Birch Ward</option>' in chosen
