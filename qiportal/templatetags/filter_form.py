"""The list pages' filter forms, rendered in one pass of Python rather than crispy's per-field templates.

A filter form is rendered on every view of the portfolio and the excellence list, and crispy renders each field
through half a dozen templates and each <option> through Django's widget templates: about a third of the page's
time (issue 15). The filter fields are plain text boxes, selects and single checkboxes, so this writes the same
NHS.UK markup as the crispy pack (templates/nhsuk/field.html, layout/checkbox.html, layout/date_input.html)
directly. Anything else (a field with errors, radios, a widget this does not know) is handed to the crispy pack
unchanged, so a person sees the same form either way; tests/qiportal/test_filter_form.py compares the two.
"""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe

from qiportal.widgets import NhsDateInput, option_tag

register = template.Library()

FAST = (forms.TextInput, forms.Select, forms.CheckboxInput)
SLOW = (forms.SelectMultiple, forms.RadioSelect, forms.MultiWidget, forms.NumberInput, forms.DateInput)


@register.simple_tag
def filter_fields(form) -> str:
    """Every field of a (filter) form as NHS.UK form groups, without the form tag or buttons."""
    return format_html_join("", "{}", ((_field(form[name]),) for name in form.fields))


def _field(bound) -> str:
    widget = bound.field.widget
    if bound.is_hidden:
        return str(bound)
    if isinstance(widget, NhsDateInput) and not bound.errors:
        return _date(bound, widget)
    if bound.errors or not isinstance(widget, FAST) or isinstance(widget, SLOW):
        return as_crispy_field(bound, "nhsuk")
    if isinstance(widget, forms.CheckboxInput):
        return _checkbox(bound, widget)
    label = format_html(
        '<label class="nhsuk-label" for="{}">{}{}</label>', bound.id_for_label, bound.label, _optional(bound)
    )
    hint = _hint(bound, "nhsuk-hint")
    if isinstance(widget, forms.Select):
        choices = list(iter(widget.choices))  # iter(): no COUNT query for a length hint
        if any(isinstance(label, (list, tuple)) for _, label in choices):  # option groups: the pack's way
            return as_crispy_field(bound, "nhsuk")
        control = _select(bound, widget, choices)
    else:
        control = _input(bound, widget, "nhsuk-input")
    return format_html('<div id="div_{}" class="nhsuk-form-group">{}{}{}</div>', bound.auto_id, label, hint, control)


def _optional(bound) -> str:
    field = bound.field
    if field.required or getattr(field, "conditionally_required", False) or "(optional)" in str(bound.label):
        return ""
    return " (optional)"


def _hint(bound, css: str) -> str:
    if not bound.help_text:
        return ""
    # Text, not markup, as the pack writes it (a hint may carry a ward's name).
    return format_html('<div class="{}" id="{}_helptext">{}</div>', css, bound.auto_id, bound.help_text)


def _attrs(bound, widget, css: str, **extra) -> dict:
    attrs = bound.build_widget_attrs(dict(widget.attrs))
    classes = f"{type(widget).__name__.lower()} {css}"
    if attrs.get("class"):
        classes = f"{attrs['class']} {classes}"
    attrs.update(name=bound.html_name, id=bound.auto_id, **extra)
    attrs["class"] = classes
    return attrs


def _input(bound, widget, css: str) -> str:
    attrs = _attrs(bound, widget, css, type=widget.input_type)
    value = widget.format_value(bound.value())
    if value is not None:
        attrs["value"] = value
    return format_html("<input{}>", flatatt(attrs))


def _select(bound, widget, choices) -> str:
    selected = {str(v) for v in widget.format_value(bound.value())}
    # Each option written by option_tag (a ward list has 150; format_html per option cost more than the rest of the
    # form), each value and label escaped there.
    options = "".join(option_tag(value, label, str(value) in selected) for value, label in choices)
    options = mark_safe(options)  # noqa: S308  # nosec B308 B703
    return format_html("<select{}>{}</select>", flatatt(_attrs(bound, widget, "nhsuk-select")), options)


def _checkbox(bound, widget) -> str:
    extra = {"type": "checkbox"}
    if widget.check_test(bound.value()):
        extra["checked"] = True
    control = format_html("<input{}>", flatatt(_attrs(bound, widget, "nhsuk-checkboxes__input", **extra)))
    return format_html(
        '<div id="div_{}" class="nhsuk-form-group"><div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">'
        '<div class="nhsuk-checkboxes__item">{}<label class="nhsuk-label nhsuk-checkboxes__label" for="{}">{}</label>'
        "{}</div></div></div>",
        bound.auto_id,
        control,
        bound.id_for_label,
        conditional_escape(bound.label),
        _hint(bound, "nhsuk-hint nhsuk-checkboxes__hint"),
    )


def _date(bound, widget) -> str:
    """The NHS.UK date input: day, month and year boxes in a fieldset under one legend (layout/date_input.html)."""
    described = format_html(' aria-describedby="{}_helptext"', bound.auto_id) if bound.help_text else ""
    boxes = format_html_join(
        "",
        '<div class="nhsuk-date-input__item"><div class="nhsuk-form-group">'
        '<label class="nhsuk-label nhsuk-date-input__label" for="{}">{}</label>'
        '<input class="nhsuk-input nhsuk-date-input__input nhsuk-input--width-{}" id="{}" name="{}" type="text"'
        ' inputmode="numeric"{}></div></div>',
        (
            (box["id"], box["label"], box["width"], box["id"], box["name"], _value_attr(box["value"]))
            for box in widget.boxes(bound.html_name, bound.auto_id, bound.value())
        ),
    )
    return format_html(
        '<div id="div_{}" class="nhsuk-form-group"><fieldset class="nhsuk-fieldset" role="group"{}>'
        '<legend class="nhsuk-fieldset__legend">{}{}</legend>{}<div class="nhsuk-date-input" id="{}">{}</div>'
        "</fieldset></div>",
        bound.auto_id,
        described,
        bound.label,
        _optional(bound),
        _hint(bound, "nhsuk-hint"),
        bound.auto_id,
        boxes,
    )


def _value_attr(value) -> str:
    return format_html(' value="{}"', value) if value else ""
