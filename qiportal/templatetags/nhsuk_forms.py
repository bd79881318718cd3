"""Filters the crispy pack (templates/nhsuk/) uses for the product's own NHS.UK controls (qiportal/widgets.py)."""

from django import template

from qiportal import widgets
from qiportal.widgets import CheckboxPicker, NhsDateInput, box_id, wrong_boxes

register = template.Library()


@register.filter
def is_nhs_date(bound_field) -> bool:
    return isinstance(bound_field.field.widget, NhsDateInput)


@register.filter
def is_picker(bound_field) -> bool:
    return isinstance(bound_field.field.widget, CheckboxPicker)


@register.filter
def date_boxes(bound_field) -> list[dict]:
    """The day, month and year boxes of a date field, with what was typed and which are wrong."""
    wrong = wrong_boxes(bound_field) if bound_field.errors else ()
    return bound_field.field.widget.boxes(bound_field.html_name, bound_field.auto_id, bound_field.value(), wrong)


@register.filter
def error_anchor(bound_field) -> str:
    """Where the error summary links for a field: its control, or for a date the first box that is wrong."""
    if is_nhs_date(bound_field):
        return box_id(bound_field.auto_id, (wrong_boxes(bound_field) or ("day",))[0])
    return bound_field.id_for_label or bound_field.auto_id


@register.simple_tag
def checkbox_items(bound_field) -> str:
    """A multiple-choice field's checkboxes in one pass (a team picker lists every member of staff)."""
    return widgets.checkbox_items(bound_field)
