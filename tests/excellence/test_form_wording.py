"""Issue 17 on the excellence forms and pages: checkboxes for recipients, a real empty choice for the ward, the
date as an NHS.UK date input, "(optional)" once, and people named without a stray space before a comma."""

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from excellence.forms import ConversationForm, ReportForm, ThankYouForm
from excellence.models import ExcellenceReport
from qiportal.models import User
from tests.test_crispy_nhsuk import Elements, crispy

pytestmark = pytest.mark.django_db


def test_recipients_are_checkboxes_and_the_ward_has_a_real_empty_choice(staff, colleague, ward):
    page = crispy(ReportForm(user=staff))
    found = Elements(page)
    assert not [attrs for tag, attrs in found.found if tag == "select" and "multiple" in attrs]
    recipients = [attrs for _, attrs in found.found if attrs.get("name") == "recipients"]
    assert recipients and all(attrs["type"] == "checkbox" for attrs in recipients)
    assert "Ctrl" not in page
    assert "---------" not in page
    assert '<option value="">Choose a ward</option>' in page or "Choose a ward</option>" in page
    assert "Needed unless you choose a whole team or ward below." in page


def test_the_date_it_happened_is_a_date_input_with_nhs_errors(staff, colleague, ward):
    form = ReportForm(
        {"recipients": [colleague.pk], "ward": ward.pk, "happened_on_day": "31", "happened_on_month": "4",
         "happened_on_year": "2026", "what_happened": "x", "why_excellent": "y", "difference_made": "z",
         "share": "yes"},
        user=staff,
    )  # fmt: skip
    assert not form.is_valid()
    assert form.errors["happened_on"] == ["The date it happened must be a real date"]
    assert 'type="date"' not in crispy(form)
    conversation = ConversationForm(
        {"held_on_day": "", "held_on_month": "", "held_on_year": ""}, participants=User.objects.none()
    )
    assert conversation.errors["held_on"] == ["Enter the date of the conversation"]


def test_the_thank_you_message_says_optional_once():
    page = crispy(ThankYouForm(action="/x/"))
    assert "Your message to the person who reported this (optional)" in page
    assert "(optional) (optional)" not in page


def test_people_are_named_without_a_space_before_a_comma(make_report, ward):
    report = make_report(team_ward=ward)
    named = Template('{% include "excellence/_people.html" %}, {{ report.ward.name }}').render(
        Context({"report": report})
    )
    assert named == "Megan Clarke and the Oak Ward team, Oak Ward"


def test_the_sent_page_reads_without_stray_spaces(client, staff, make_report):
    report = make_report()
    client.force_login(staff)
    response = client.get(reverse("excellence:report_sent", args=[report.pk]))
    assertContains(response, "We have emailed your report to Megan Clarke, and told their line manager")
    assert not re.search(r"\s,", re.sub(r"<[^>]+>", "", response.content.decode()))


def test_the_ward_managers_home_names_the_team_without_a_stray_space(client, ward_manager, make_report, ward):
    report = make_report(team_ward=ward, recipients=[])
    ExcellenceReport.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=60))
    client.force_login(ward_manager)
    response = client.get(reverse("home"))
    text = re.sub(r"<[^>]+>", "", response.content.decode())
    assert "the Oak Ward team, Oak Ward" in text
    assert not re.search(r"\w\s+,", text)
