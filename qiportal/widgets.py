"""NHS.UK form controls the product shares: the date input (day, month and year boxes), the checkbox picker, and
long lists (a select of people, many checkboxes) written without a template per option.

The date input follows the NHS.UK pattern: three text boxes under one legend, never the browser's own date
control (which shows mm/dd/yyyy in some browsers). `DateField` checks what was typed and says what is wrong in
words a person can act on ("Start date must include a month"); each of its errors names the boxes that are
wrong, so the crispy pack (templates/nhsuk/layout/date_input.html) highlights only those and the error summary
links to the first of them.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from html import escape

from django import forms
from django.core.exceptions import ValidationError
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import mark_safe

PARTS = ("day", "month", "year")
LABELS = {"day": "Day", "month": "Month", "year": "Year"}
WIDTHS = {"day": 2, "month": 2, "year": 4}
MONTH_NAMES = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTH_NAMES.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTH_NAMES["sept"] = 9


def box_id(field_id: str, part: str) -> str:
    return f"{field_id}-{part}"


def parts_of(value) -> tuple[str, str, str]:
    """What the three boxes hold, as text: from a date, the boxes' own answers, or one whole date typed elsewhere
    (2026-03-17 or 17/03/2026, as older links and scripts send)."""
    if value is None or value == "":
        return ("", "", "")
    if isinstance(value, date):
        return (str(value.day), str(value.month), str(value.year))
    if isinstance(value, list | tuple):
        return tuple((str(part).strip() if part is not None else "") for part in [*value, "", "", ""][:3])
    text = str(value).strip()
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        year, month, day = match.groups()
        return (day, month, year)
    if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})", text):
        return match.groups()
    return (text, "?", "?")  # a whole answer that is no date at all: shown in the day box, reported as not real


class NhsDateInput(forms.Widget):
    """Day, month and year boxes posted as `<name>_day`, `<name>_month` and `<name>_year`.

    A form posted with the whole date under `<name>` (an ISO date or 17/03/2026) is read too, so links such as
    ?week=2026-03-16 keep working.
    """

    template_name = "nhsuk/widgets/date_input.html"

    def value_from_datadict(self, data, files, name):
        keys = [f"{name}_{part}" for part in PARTS]
        if any(key in data for key in keys):
            return tuple((data.get(key) or "").strip() for key in keys)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}_{part}" in data for part in PARTS)

    def id_for_label(self, id_):
        return box_id(id_, "day") if id_ else id_

    def format_value(self, value):
        return parts_of(value)

    def boxes(self, name: str, field_id: str, value, wrong: tuple[str, ...] = ()) -> list[dict]:
        """One dict per box: what the template needs to draw it."""
        values = parts_of(value)
        return [
            {
                "part": part,
                "name": f"{name}_{part}",
                "id": box_id(field_id, part),
                "label": LABELS[part],
                "value": values[index] if values[index] != "?" else "",
                "width": WIDTHS[part],
                "error": part in wrong,
            }
            for index, part in enumerate(PARTS)
        ]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        field_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"]["boxes"] = self.boxes(name, field_id, value)
        context["widget"]["field_id"] = field_id
        return context


def _wrong(message: str, parts: tuple[str, ...], code: str) -> ValidationError:
    # params carry the boxes to highlight; the messages have no %-placeholders, so they read as written.
    return ValidationError(message, code=code, params={"parts": parts})


def _number(text: str, part: str) -> int | None:
    if text.isdigit():
        return int(text)
    if part == "month" and text.lower().rstrip(".") in MONTH_NAMES:
        return MONTH_NAMES[text.lower().rstrip(".")]
    return None


def _and(words: list[str]) -> str:
    return " and ".join(words) if len(words) <= 2 else ", ".join(words[:-1]) + f" and {words[-1]}"


class DateField(forms.Field):
    """A date typed into the NHS.UK date input, with the NHS.UK error messages.

    `subject` names the date in messages, starting with a capital: "Start date" gives "Start date must include
    a month" and "Start date must be a real date". The `required` message is the field's own, as for any field
    ("Enter the start date").
    """

    widget = NhsDateInput
    default_error_messages = {"required": "Enter a date"}

    def __init__(self, *, subject: str | None = None, input_formats=None, **kwargs):
        super().__init__(**kwargs)
        self.subject = subject or (str(self.label) if self.label else "The date")

    def to_python(self, value) -> date | None:
        if isinstance(value, date):
            return value
        day_text, month_text, year_text = parts_of(value)
        if not (day_text or month_text or year_text):
            return None
        missing = [part for part, text in zip(PARTS, (day_text, month_text, year_text), strict=True) if not text]
        if missing:
            raise _wrong(f"{self.subject} must include a {_and(missing)}", tuple(missing), "incomplete")
        day, month, year = (
            _number(text, part) for part, text in zip(PARTS, (day_text, month_text, year_text), strict=True)
        )
        not_numbers = tuple(part for part, number in zip(PARTS, (day, month, year), strict=True) if number is None)
        if not_numbers:
            return self._not_real(not_numbers)
        if len(year_text) != 4:
            raise _wrong(f"{self.subject} must include a year with 4 numbers, for example 2026", ("year",), "year")
        if year < 1:
            return self._not_real(("year",))
        if not 1 <= month <= 12:
            return self._not_real(("month",))
        if not 1 <= day <= calendar.monthrange(year, month)[1]:
            return self._not_real(("day",))
        return date(year, month, day)

    def _not_real(self, parts: tuple[str, ...]):
        raise _wrong(f"{self.subject} must be a real date", parts, "invalid")

    def clean(self, value):
        value = self.to_python(value)
        self.validate(value)
        self.run_validators(value)
        return value

    def prepare_value(self, value):
        return value

    def has_changed(self, initial, data) -> bool:
        if self.disabled:
            return False
        try:
            data = self.to_python(data)
            initial = self.to_python(initial)
        except ValidationError:
            return True
        return initial != data


def wrong_boxes(bound_field) -> tuple[str, ...]:
    """The boxes of a date field to highlight: those its errors name, or all three for an error about the whole
    date (for example "The planned end must be the same as or after the planned start")."""
    wrong: list[str] = []
    for error in bound_field.errors.as_data():
        parts = (getattr(error, "params", None) or {}).get("parts")
        if not parts:
            return PARTS
        wrong.extend(part for part in parts if part not in wrong)
    return tuple(part for part in PARTS if part in wrong)


class CheckboxPicker(forms.CheckboxSelectMultiple):
    """A long list of people or places as NHS.UK checkboxes in a box that scrolls: every choice is a real checkbox
    (keyboard and no-JavaScript friendly). With JavaScript, static/js/picker.js adds a filter box above it."""

    picker = True

    def __init__(self, attrs=None, choices=(), *, noun: str = "people"):
        super().__init__(attrs, choices)
        self.noun = noun


# Long lists written in Python ------------------------------------------------------------------------------------
# Django writes each <option> and each checkbox through templates of its own (two includes an option): for a trust's
# 2,000 staff, the people step of logging an initiative took 0.9 s and the edit page 1 s (issue 15). These write the
# same markup in one pass; tests/qiportal/test_long_lists.py compares them with the templates' output.


def text(value) -> str:
    """A value as HTML text: escaped, unless it is already markup (conditional_escape's rule, without its cost)."""
    if type(value) is int:  # an id: nothing to escape
        return str(value)
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


def attributes(attrs: dict, *, skip: tuple = (), skip_none: bool = False) -> str:
    """Attributes as Django's attrs.html writes them (True as a bare name, False left out); the crispy pack's
    checkboxes also leave out None and the attributes it writes itself (`skip`)."""
    return "".join(
        f" {name}" if value is True else f' {name}="{text(value)}"'
        for name, value in attrs.items()
        if name not in skip and value is not False and not (skip_none and value is None)
    )


def option_tag(value, label, selected: bool) -> str:
    """One <option>, escaped: the markup Django's select_option.html gives."""
    return f'<option value="{text(value)}"{" selected" if selected else ""}>{text(label)}</option>'


class Listed(BaseChoiceIterator):
    """(value, label) pairs handed to a widget as they are: Django checks the shape of every pair a widget is given
    (normalize_choices), 2,000 times a list for a trust's staff, on each form."""

    def __init__(self, pairs):
        self.pairs = list(pairs)

    def __iter__(self):
        return iter(self.pairs)

    def __len__(self):
        return len(self.pairs)


class ByName(forms.models.ModelChoiceIterator):
    """A model choice field's options as (id, name) read as plain values: the log's, the excellence list's and
    the board's ward filters offer the trust's 150 wards on every view, and a row object for each cost more than
    writing the whole list out (about 2 ms a page at the scale trust; issue 15)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class NamedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for models named by their `name` (str() of each is its name), offered through ByName;
    what is sent is still checked against the queryset."""

    iterator = ByName


def _flat(choices) -> list | None:
    """The (value, label) pairs of a widget's choices, or None when they hold option groups (left to Django)."""
    pairs = list(iter(choices))  # iter(): a queryset's choices have a length, and list() would COUNT them first
    if any(isinstance(label, (list, tuple)) for _, label in pairs):
        return None
    return [("" if value is None else value, label) for value, label in pairs]


class LongSelect(forms.Select):
    """A select for long lists (people): its options written in Python, straight from its choices, rather than
    through Django's option dictionaries and a template each (ChoiceWidget.optgroups)."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = _flat(self.choices)
        if choices is None:  # option groups: Django's templates, as any other select
            return super().render(name, value, attrs, renderer)
        chosen = self.format_value(value)
        options, has_selected = [], False
        for option_value, label in choices:
            # Django's rule: a single select marks the first option whose value was chosen, and no other.
            selected = (not has_selected or self.allow_multiple_selected) and str(option_value) in chosen
            has_selected |= selected
            options.append(option_tag(option_value, label, selected))
        select_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            select_attrs["multiple"] = True
        # Every part escaped above.
        return mark_safe(f'<select name="{text(name)}"{attributes(select_attrs)}>{"".join(options)}</select>')  # noqa: S308  # nosec B308 B703


def _checkbox_item(control_id: str, name: str, value, checked: bool, extra: str, label) -> str:
    """One NHS.UK checkbox item; `control_id`, `name` and `extra` (its other attributes) are already escaped."""
    return (
        '<div class="nhsuk-checkboxes__item">'
        f'<input class="nhsuk-checkboxes__input" id="{control_id}" name="{name}" type="checkbox"'
        f' value="{text(value)}"{" checked" if checked else ""}{extra}>'
        f'<label class="nhsuk-label nhsuk-checkboxes__label" for="{control_id}">{text(label)}</label>'
        "</div>"
    )


def checkbox_items(bound_field) -> str:
    """The NHS.UK checkbox items of a multiple-choice field (templates/nhsuk/layout/checkboxes.html), the first
    taking the field's own id so that the error summary can link to it. Written straight from the widget's choices,
    each box with the attributes BoundField.subwidgets would give it (its id numbered by the option's index)."""
    widget = bound_field.field.widget
    choices = _flat(widget.choices)
    skip = ("id", "class", "checked")
    if choices is None:  # option groups: each box through Django's subwidgets
        items = (
            _checkbox_item(
                text(bound_field.auto_id if index == 0 else choice.id_for_label),
                text(choice.data["name"]),
                choice.data["value"],
                choice.data["selected"],
                attributes(choice.data["attrs"], skip=skip, skip_none=True),
                choice.choice_label,
            )
            for index, choice in enumerate(bound_field)
        )
    else:
        id_ = widget.attrs.get("id") or bound_field.auto_id
        extra = attributes(
            {**widget.attrs, **bound_field.build_widget_attrs({"id": id_} if id_ else {})}, skip=skip, skip_none=True
        )
        chosen = set(widget.format_value(bound_field.value()))
        first, numbered, name = text(bound_field.auto_id), text(id_), text(bound_field.html_name)
        items = (
            _checkbox_item(
                first if index == 0 else f"{numbered}_{index}" if id_ else numbered,
                name,
                value,
                str(value) in chosen,
                extra,
                label,
            )
            for index, (value, label) in enumerate(choices)
        )
    # Every part escaped above.
    return mark_safe("".join(items))  # noqa: S308  # nosec B308 B703
