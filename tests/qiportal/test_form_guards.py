"""Guards for issue 17's classes of fault, over every form of the product: no browser date control (the NHS.UK
date input instead), no Ctrl-click multiple select, no Django "---------" choice, no "(optional)" written into a
label (the crispy pack adds it, once, to what is truly optional)."""

import inspect

import pytest
from django import forms

import excellence.filters
import excellence.forms
import ffit.forms
import projects.filters
import projects.forms
import qiportal.forms
import qiportal.preferences
import runcharts.forms
from qiportal.widgets import DateField, NhsDateInput

MODULES = [
    excellence.forms,
    excellence.filters,
    ffit.forms,
    projects.forms,
    projects.filters,
    qiportal.forms,
    qiportal.preferences,
    runcharts.forms,
]


def declared_fields():
    for module in MODULES:
        for name, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == module.__name__:
                fields = getattr(value, "base_fields", None) or getattr(value, "base_filters", None) or {}
                for field_name, field in fields.items():
                    yield f"{module.__name__}.{name}.{field_name}", field


FIELDS = list(declared_fields())


def test_the_guard_sees_the_forms():
    names = {name for name, _ in FIELDS}
    assert "projects.forms.CharterPlanForm.planned_start_on" in names
    assert "excellence.forms.ReportForm.happened_on" in names
    assert len(FIELDS) > 60


@pytest.mark.parametrize(("name", "field"), FIELDS, ids=[name for name, _ in FIELDS])
def test_every_field_follows_the_nhs_patterns(name, field):
    if hasattr(field, "field_class"):  # a django-filter filter: the form field it makes
        if issubclass(field.field_class, forms.DateField):
            pytest.fail(f"{name} is a browser date field: use qiportal.widgets.DateField")
        return
    assert not isinstance(field, forms.DateField), f"{name}: use qiportal.widgets.DateField"
    assert not isinstance(field.widget, forms.DateInput), f"{name}: use the NHS.UK date input"
    if isinstance(field, DateField):
        assert isinstance(field.widget, NhsDateInput)
    assert not (
        isinstance(field.widget, forms.SelectMultiple) and not isinstance(field.widget, forms.CheckboxSelectMultiple)
    ), f"{name} is a Ctrl-click list: use checkboxes (qiportal.widgets.CheckboxPicker for a long list)"
    assert getattr(field, "empty_label", None) != "---------", f"{name} needs an empty label such as 'Choose a ward'"
    assert "(optional)" not in str(field.label or ""), f"{name}: the crispy pack adds '(optional)' itself"
