"""Issue 17 on the run chart forms: every date is an NHS.UK date input, and wording is written, not generated."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from pytest_django.asserts import assertContains

from runcharts.forms import AnnotationForm, EventGridForm, MeasureForm, RephaseForm
from tests.factories import MeasureFactory
from tests.test_crispy_nhsuk import Elements, crispy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("form", "name"),
    [(lambda: RephaseForm(), "week_start"), (lambda: AnnotationForm(), "on")],
)
def test_dates_are_day_month_and_year_boxes(form, name):
    found = Elements(crispy(form()))
    assert found.by_id(f"id_{name}")["class"] == "nhsuk-date-input"
    for part in ("day", "month", "year"):
        assert found.by_id(f"id_{name}-{part}")["name"] == f"{name}_{part}"
    assert not [attrs for _, attrs in found.found if attrs.get("type") == "date"]


def test_a_new_event_date_is_a_date_input_with_its_own_wording(initiative, today):
    measure = MeasureFactory(initiative=initiative, data_type="time_between", frequency="event", unit="days")
    form = EventGridForm(
        {"new_1_on_day": "3", "new_1_on_month": "", "new_1_on_year": "2026", "new_1_value": "4"},
        measure=measure,
        events=[],
        existing={},
    )
    assert not form.is_valid()
    assert form.errors["new_1_on"] == ["The date of new event 1 must include a month"]


def test_a_rephase_names_a_wrong_month_box(initiative):
    form = RephaseForm({"week_start_day": "2", "week_start_month": "14", "week_start_year": "2026", "reason": "x"})
    assert not form.is_valid()
    assert form.errors["week_start"] == ["The first week of the new period must be a real date"]


def test_numerator_and_denominator_say_when_they_are_needed_not_optional(initiative):
    page = crispy(MeasureForm(initiative=initiative))
    assert "Numerator: what is counted (optional)" not in page
    assert "Needed for a proportion or a rate." in page
    assert "(optional) (optional)" not in page
    form = MeasureForm(
        {"name": "Falls risk", "kind": "process", "data_type": "proportion", "frequency": "monthly",
         "definition": "Assessed within 6 hours.", "unit": "count", "improvement": "increase"},
        initiative=initiative,
    )  # fmt: skip
    assert not form.is_valid()
    assert form.errors["numerator"] == ["Enter what the numerator counts, for a proportion or a rate"]
    assert form.errors["denominator"] == ["Enter what the denominator is, for a proportion or a rate"]


def test_a_grid_error_names_the_week_with_capitals(client, qi_lead, initiative, today):
    """Issue 17: "monday 30 november 2026" in a grid error. Labels and errors write days and months with capitals."""
    measure = MeasureFactory(initiative=initiative, name="Handovers on time", unit="percent")
    client.force_login(qi_lead)
    monday = today - timedelta(days=today.weekday() + 7)
    response = client.post(reverse("runcharts:data_entry", args=[measure.pk]), {f"week_{monday.isoformat()}": "140"})
    when = f"{monday.day} {monday:%B %Y}"
    assertContains(response, f"Enter a percentage between 0 and 100 for the week starting {when}", count=2)
    assertContains(response, f"Week starting Monday {when}")
    page = response.content.decode()
    assert not re.search(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday) \d", page)
    assert not re.search(
        r"\d (january|february|march|april|may|june|july|august|september|october|november|december)\b", page
    )
