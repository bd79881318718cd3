"""The NHS.UK date input (qiportal.widgets.DateField): day, month and year boxes with the NHS.UK error pattern."""

from datetime import date

import pytest
from crispy_forms.helper import FormHelper
from django import forms
from django.template import Context, Template

from qiportal.widgets import DateField
from tests.test_crispy_nhsuk import Elements, classes


class StartForm(forms.Form):
    starts_on = DateField(
        label="Start date",
        help_text="For example, 17 3 2026",
        error_messages={"required": "Enter the start date"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)


def posted(day="", month="", year=""):
    return StartForm({"starts_on_day": day, "starts_on_month": month, "starts_on_year": year})


def page(form) -> str:
    return Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form, "csrf_token": "x"}))


def test_three_boxes_make_the_date():
    form = posted("17", "3", "2026")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_on"] == date(2026, 3, 17)


def test_a_month_can_be_typed_as_a_word():
    form = posted("1", "Sept", "2026")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["starts_on"] == date(2026, 9, 1)


def test_a_whole_date_posted_under_the_fields_name_is_read_too():
    assert StartForm({"starts_on": "2026-03-17"}).is_valid()
    form = StartForm({"starts_on": "17/03/2026"})
    assert form.is_valid() and form.cleaned_data["starts_on"] == date(2026, 3, 17)


@pytest.mark.parametrize(
    ("boxes", "message", "wrong"),
    [
        (("", "", ""), "Enter the start date", {"day", "month", "year"}),
        (("17", "", "2026"), "Start date must include a month", {"month"}),
        (("", "", "2026"), "Start date must include a day and month", {"day", "month"}),
        (("17", "3", ""), "Start date must include a year", {"year"}),
        (("31", "2", "2026"), "Start date must be a real date", {"day"}),
        (("17", "13", "2026"), "Start date must be a real date", {"month"}),
        (("seven", "3", "2026"), "Start date must be a real date", {"day"}),
        (("17", "3", "26"), "Start date must include a year with 4 numbers, for example 2026", {"year"}),
    ],
)
def test_each_mistake_is_named_and_only_its_boxes_are_highlighted(boxes, message, wrong):
    form = posted(*boxes)
    assert not form.is_valid()
    assert form.errors["starts_on"] == [message]
    html = page(form)
    found = Elements(html)
    highlighted = {attrs["id"].rsplit("-", 1)[1] for attrs in found.with_class("nhsuk-input--error")}
    assert highlighted == wrong
    first_wrong = next(part for part in ("day", "month", "year") if part in wrong)
    assert f'href="#id_starts_on-{first_wrong}"' in html
    assert message in html


def test_an_error_about_the_whole_date_highlights_every_box():
    form = posted("17", "3", "2026")
    form.is_valid()
    form.add_error("starts_on", "The start date must be in the future")
    found = Elements(page(form))
    assert len(found.with_class("nhsuk-input--error")) == 3


def test_the_boxes_are_an_nhs_date_input_in_a_described_group():
    found = Elements(page(posted("17", "", "2026")))
    fieldset = next(attrs for tag, attrs in found.found if tag == "fieldset")
    assert fieldset["role"] == "group"
    assert fieldset["aria-describedby"].split() == ["id_starts_on_helptext", "id_starts_on_error"]
    assert classes(found.by_id("id_starts_on")) == {"nhsuk-date-input"}
    for part, width in (("day", 2), ("month", 2), ("year", 4)):
        box = found.by_id(f"id_starts_on-{part}")
        assert box["name"] == f"starts_on_{part}"
        assert box["inputmode"] == "numeric"
        assert box["type"] == "text"
        assert f"nhsuk-input--width-{width}" in classes(box)
    assert found.by_id("id_starts_on-day")["value"] == "17"
    assert "value" not in found.by_id("id_starts_on-month")


def test_a_saved_date_fills_the_boxes():
    found = Elements(page(StartForm(initial={"starts_on": date(2026, 3, 7)})))
    assert [found.by_id(f"id_starts_on-{p}")["value"] for p in ("day", "month", "year")] == ["7", "3", "2026"]


def test_an_optional_date_left_empty_is_none():
    class Optional(forms.Form):
        review_on = DateField(label="Review date", required=False)

    form = Optional({"review_on_day": "", "review_on_month": "", "review_on_year": ""})
    assert form.is_valid() and form.cleaned_data["review_on"] is None
