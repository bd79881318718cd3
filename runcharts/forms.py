from __future__ import annotations

import math
from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError

from qiportal.fields import limit_of
from qiportal.forms import PatientSafeFormMixin, add_form_token
from runcharts import services
from runcharts.models import Measure, Rephase


class MeasureForm(PatientSafeFormMixin, forms.ModelForm):
    class Meta:
        model = Measure
        fields = [
            "name",
            "kind",
            "definition",
            "numerator",
            "denominator",
            "unit",
            "improvement",
            "target",
            "chart",
            "baseline_points",
            "ward",
        ]
        labels = {
            "name": "Measure name",
            "kind": "Type of measure",
            "definition": "Operational definition",
            "numerator": "Numerator (optional wording)",
            "denominator": "Denominator (optional wording)",
            "improvement": "Which direction is an improvement?",
            "chart": "Chart",
            "baseline_points": "Baseline: number of weeks",
        }
        help_texts = {
            "definition": (
                "Exactly what is counted or measured, how and when, so anyone collecting it gets the same answer."
            ),
            "target": "Leave empty if there is no target.",
            "chart": "A run chart suits most measures. Choose an XmR chart once you have 20 or more weeks.",
            "baseline_points": "Fix the centre line on the first weeks, for example 12. Leave empty to use all weeks.",
            "ward": "Leave empty if the measure covers the whole initiative.",
        }
        widgets = {
            "kind": forms.RadioSelect,
            "improvement": forms.RadioSelect,
            "chart": forms.RadioSelect,
            "definition": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "name": {"required": "Enter the measure name"},
            "definition": {"required": "Enter the operational definition"},
            "target": {"invalid": "Enter the target as a number"},
            "baseline_points": {"invalid": "Enter the baseline as a whole number of weeks"},
        }

    def __init__(self, *args, initiative=None, submit_label="Save measure", **kwargs):
        super().__init__(*args, **kwargs)
        if initiative is not None:
            self.fields["ward"].queryset = initiative.wards.all()
        self.fields["ward"].empty_label = "Whole initiative"
        self.fields["unit"].choices = Measure.Unit.choices
        self.fields["kind"].choices = Measure.Kind.choices
        self.fields["improvement"].choices = Measure.Improvement.choices
        self.fields["chart"].choices = Measure.Chart.choices
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", submit_label))
        if self.instance.pk is None:
            add_form_token(self.helper)

    def clean_baseline_points(self):
        value = self.cleaned_data.get("baseline_points")
        if value is not None and value < 2:
            raise ValidationError("Enter a baseline of at least 2 weeks, or leave it empty")
        return value

    def clean_target(self):
        value = self.cleaned_data.get("target")
        if value is not None and not math.isfinite(value):
            raise ValidationError("Enter the target as a number")
        return value

    def clean(self):
        data = super().clean()
        target = data.get("target")
        if data.get("unit") == Measure.Unit.PERCENT and target is not None and not 0 <= target <= 100:
            self.add_error("target", "Enter a target between 0 and 100 for a percentage")
        return data


def week_label(week: date) -> str:
    return f"Week starting {week:%A} {week.day} {week:%B %Y}"


class WeekGridForm(forms.Form):
    """One optional number per recent week. Clearing a value removes it (its history is kept)."""

    def __init__(self, *args, measure: Measure, weeks: list[date], existing: dict[date, float], **kwargs):
        super().__init__(*args, **kwargs)
        self.measure, self.weeks = measure, weeks
        for week in weeks:
            self.fields[f"week_{week.isoformat()}"] = forms.FloatField(
                label=week_label(week),
                required=False,
                initial=f"{existing[week]:g}" if week in existing else None,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-5"}),
                error_messages={"invalid": f"Enter a number for the {week_label(week).lower()}"},
            )
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Save values"))

    def clean(self):
        data = super().clean()
        for week in self.weeks:
            name = f"week_{week.isoformat()}"
            value = data.get(name)
            if value is None:
                continue
            try:
                services.check_value(self.measure, value)
            except ValidationError as error:
                self.add_error(name, f"{error.messages[0]} for the {week_label(week).lower()}")
        return data

    def values(self) -> dict[date, float | None]:
        return {week: self.cleaned_data.get(f"week_{week.isoformat()}") for week in self.weeks}


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="A CSV or Excel (.xlsx) file with the columns week_start and value.",
        error_messages={"required": "Select a CSV or Excel file", "empty": "The selected file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Upload and preview"))


class RephaseForm(PatientSafeFormMixin, forms.Form):
    week_start = forms.DateField(
        label="First week of the new period",
        help_text="A Monday, for example 2026-03-02 or 02/03/2026.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": "Enter the first week of the new period", "invalid": "Enter a real date"},
    )
    reason = forms.CharField(
        label="Why does the chart start a new period?",
        max_length=limit_of(Rephase, "reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the chart starts a new period"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Start a new period"))

    def clean_week_start(self):
        week = self.cleaned_data["week_start"]
        if week.weekday() != 0:
            raise ValidationError("Enter a Monday: weeks start on Monday")
        return week


class AnnotationForm(PatientSafeFormMixin, forms.Form):
    on = forms.DateField(
        label="Date",
        help_text="For example 2026-03-02 or 02/03/2026.",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": "Enter the date", "invalid": "Enter a real date"},
    )
    text = forms.CharField(
        label="Note",
        max_length=200,
        error_messages={"required": "Enter the note", "max_length": "Enter a note of 200 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Add note"))
