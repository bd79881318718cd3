"""A double submit creates nothing twice (issue 16, item 7): each create form carries a one-time token, and a second
POST of the same rendered form is sent to the first one's confirmation instead of saving again."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from excellence.models import ExcellenceReport
from ffit.models import Audit
from projects.models import Initiative, PdsaCycle
from qiportal.once import ALREADY_SENT
from runcharts.models import Measure
from tests.factories import InitiativeFactory, PriorityFactory
from tests.projects.test_lifecycle import fill_wizard


def token_of(response) -> str:
    match = re.search(rb'name="form_token" value="([0-9a-f]{32})"', response.content)
    assert match, "the form carries no one-time token"
    return match.group(1).decode()


def send_twice(client, url, data, page_url=None):
    data = {**data, "form_token": token_of(client.get(page_url or url))}
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == 302
    assert second.status_code == 302
    assert second["Location"] == first["Location"]  # the person sees the first one's confirmation
    assertContains(client.get(second["Location"]), ALREADY_SENT)
    return first


@pytest.fixture
def initiative(qi_lead, sponsor, ward):
    return InitiativeFactory(lead=qi_lead, sponsor=sponsor, directorate=ward.directorate, wards=[ward])


def test_an_excellence_report_sent_twice_is_saved_once(client, staff, ward, ward_manager):
    client.force_login(staff)
    data = {
        "team_ward": ward.pk,
        "ward": ward.pk,
        "happened_on": timezone.localdate().isoformat(),
        "what_happened": "Stayed after a long shift.",
        "why_excellent": "Calm and kind.",
        "difference_made": "The bay was settled.",
        "share": "yes",
    }
    first = send_twice(client, reverse("excellence:report_create"), data)
    report = ExcellenceReport.objects.get()
    assert first["Location"] == reverse("excellence:report_sent", args=[report.pk])


def test_a_new_initiative_saved_twice_is_logged_once(client, qi_lead, sponsor, ward):
    client.force_login(qi_lead)
    client.get(reverse("projects:initiative_create"))
    fill_wizard(client, ward, PriorityFactory(), sponsor, qi_lead)
    first = send_twice(client, reverse("projects:initiative_check"), {"action": "draft"})
    initiative = Initiative.objects.get()
    assert first["Location"] == initiative.get_absolute_url()


def test_a_pdsa_plan_saved_twice_is_one_cycle(client, qi_lead, initiative):
    client.force_login(qi_lead)
    today = timezone.localdate().isoformat()
    data = {"title": "Checklist on bay 1", "objective": "Try it", "starts_on": today, "planned_end_on": today}
    send_twice(client, reverse("projects:pdsa_create", args=[initiative.pk]), data)
    assert PdsaCycle.objects.count() == 1


def test_a_measure_added_twice_is_one_measure(client, qi_lead, initiative):
    client.force_login(qi_lead)
    data = {"name": "Falls", "kind": "outcome", "definition": "Falls a week", "unit": "count"}
    data.update(improvement="decrease", chart="anhoej", data_type="single", frequency="weekly")
    send_twice(client, reverse("runcharts:measure_create_for", args=[initiative.pk]), data)
    assert Measure.objects.count() == 1


def test_an_audit_opened_twice_is_one_audit(client, ward_manager, ward):
    client.force_login(ward_manager)
    send_twice(client, reverse("ffit:audit_open"), {"ward": ward.pk, "initiative": ""})
    assert Audit.objects.count() == 1


def test_a_form_sent_with_errors_can_be_corrected_and_sent_with_the_same_token(client, qi_lead, initiative):
    client.force_login(qi_lead)
    url = reverse("runcharts:measure_create_for", args=[initiative.pk])
    token = token_of(client.get(url))
    data = {"name": "Falls", "kind": "outcome", "unit": "count", "improvement": "decrease", "chart": "anhoej"}
    data.update(data_type="single", frequency="weekly")
    assertContains(client.post(url, {**data, "form_token": token}), "Enter the operational definition")
    assert client.post(url, {**data, "definition": "Falls a week", "form_token": token}).status_code == 302
    assert Measure.objects.count() == 1


def test_each_rendering_of_a_form_has_its_own_token(client, qi_lead, initiative):
    client.force_login(qi_lead)
    url = reverse("runcharts:measure_create_for", args=[initiative.pk])
    assert token_of(client.get(url)) != token_of(client.get(url))
