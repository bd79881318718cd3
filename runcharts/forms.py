from __future__ import annotations

import math
from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError

from qiportal.forms import PatientSafeFormMixin, add_form_token, required_when, text_box
from qiportal.models import Ward
from qiportal.widgets import DateField
from runcharts import kinds, services
from runcharts.analysis import Reading
from runcharts.models import Measure, Rephase

RATE_MULTIPLIER_CHOICES = [(m, f"per {m:,}") for m in kinds.RATE_MULTIPLIERS]


class MeasureForm(PatientSafeFormMixin, forms.ModelForm):
    ward = forms.ModelChoiceField(
        label="Ward",
        queryset=Ward.objects.all(),
        required=False,
        empty_label="Whole initiative",
        help_text="Leave empty if the measure covers the whole initiative.",
    )
    multiplier = forms.TypedChoiceField(
        label="Show the rate",
        choices=RATE_MULTIPLIER_CHOICES,
        coerce=int,
        initial=1_000,
        required=False,
        help_text="For a rate only, for example per 1,000 bed days. A proportion is always shown as a percentage.",
    )

    class Meta:
        model = Measure
        fields = [
            "name",
            "kind",
            "data_type",
            "frequency",
            "definition",
            "numerator",
            "denominator",
            "multiplier",
            "unit",
            "improvement",
            "target",
            "baseline_points",
            "ward",
        ]
        labels = {
            "name": "Measure name",
            "kind": "Type of measure",
            "data_type": "What is recorded",
            "frequency": "How often is it recorded?",
            "definition": "Operational definition",
            "numerator": "Numerator: what is counted",
            "denominator": "Denominator: out of what",
            "improvement": "Which direction is an improvement?",
            "baseline_points": "Baseline: number of points",
        }
        help_texts = {
            "definition": (
                "Exactly what is counted or measured, how and when, so anyone collecting it gets the same answer."
            ),
            "data_type": "This decides the chart: a proportion gets a P chart, a rate a U chart, and so on.",
            "frequency": "Rare events are recorded each time one happens, whatever you choose here.",
            "numerator": "For example 'Patients assessed for falls risk within 6 hours'.",
            "denominator": "For example 'Patients admitted' or 'bed days'.",
            "unit": "For single values and time between events. Proportions are percentages, rates are per the "
            "multiplier, counts are counts.",
            "target": "Leave empty if there is no target.",
            "baseline_points": (
                "Fix the centre line on the first points (weeks, months or events), for example 12. "
                "Leave empty to use all of them."
            ),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "data_type": forms.RadioSelect,
            "frequency": forms.RadioSelect,
            "improvement": forms.RadioSelect,
            "definition": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "name": {"required": "Enter the measure name"},
            "definition": {"required": "Enter the operational definition"},
            "data_type": {"required": "Choose what is recorded"},
            "frequency": {"required": "Choose how often it is recorded"},
            "target": {"invalid": "Enter the target as a number"},
            "baseline_points": {"invalid": "Enter the baseline as a whole number of points"},
        }

    def __init__(self, *args, initiative=None, submit_label="Save measure", **kwargs):
        super().__init__(*args, **kwargs)
        standing = initiative is None and (self.instance.pk is None or self.instance.is_standing)
        if standing:  # a standing measure's ward is its owner, fixed when it is added
            del self.fields["ward"]
        else:
            if initiative is not None:
                self.fields["ward"].queryset = initiative.wards.all()
            self.fields["ward"].empty_label = "Whole initiative"
        for name in ("numerator", "denominator"):
            required_when(self.fields[name], "Needed for a proportion or a rate.")
        self.fields["unit"].choices = Measure.Unit.choices
        self.fields["kind"].choices = Measure.Kind.choices
        self.fields["data_type"].choices = Measure.DataType.choices
        self.fields["frequency"].choices = Measure.Frequency.choices
        self.fields["improvement"].choices = Measure.Improvement.choices
        if self.instance.pk and self.instance.data_type == Measure.DataType.RATE:
            self.fields["multiplier"].initial = self.instance.multiplier
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", submit_label))
        if self.instance.pk is None:
            add_form_token(self.helper)

    def clean_baseline_points(self):
        value = self.cleaned_data.get("baseline_points")
        if value is not None and value < 2:
            raise ValidationError("Enter a baseline of at least 2 points, or leave it empty")
        return value

    def clean_target(self):
        value = self.cleaned_data.get("target")
        if value is not None and not math.isfinite(value):
            raise ValidationError("Enter the target as a number")
        return value

    def clean(self):
        data = super().clean()
        data_type, frequency = data.get("data_type"), data.get("frequency")
        if data_type and frequency:
            if data_type in kinds.RARE_EVENT_TYPES:
                data["frequency"] = kinds.EVENT
            elif frequency == kinds.EVENT:
                self.add_error("frequency", "Choose weekly or monthly: only rare events are recorded each time")
        if data_type in kinds.RATIO_TYPES:
            if not (data.get("numerator") or "").strip() and "numerator" not in self.errors:
                self.add_error("numerator", "Enter what the numerator counts, for a proportion or a rate")
            if not (data.get("denominator") or "").strip() and "denominator" not in self.errors:
                self.add_error("denominator", "Enter what the denominator is, for a proportion or a rate")
        if data.get("multiplier") in (None, ""):
            data["multiplier"] = 1_000 if data_type == Measure.DataType.RATE else 1
        target = data.get("target")
        percent = data.get("unit") == Measure.Unit.PERCENT or data_type == Measure.DataType.PROPORTION
        if percent and target is not None and not 0 <= target <= 100:
            self.add_error("target", "Enter a target between 0 and 100 for a percentage")
        return data


def week_label(week: date) -> str:
    return f"Week starting {week:%A} {week.day} {week:%B %Y}"


def period_heading(frequency: str, start: date) -> str:
    """How the grid names a period: 'Week starting Monday 2 March 2026', 'March 2026'."""
    return week_label(start) if frequency == kinds.WEEKLY else f"{start:%B %Y}"


def _blank(data: dict, name: str) -> bool:
    return data.get(name) is None


class PeriodGridForm(forms.Form):
    """The data of each recent week or month: a value, or a numerator and a denominator. Clearing a period removes
    its data (its history is kept)."""

    def __init__(self, *args, measure: Measure, periods: list[date], existing: dict[date, Reading], **kwargs):
        super().__init__(*args, **kwargs)
        self.measure, self.periods = measure, periods
        self.prefix_word = measure.period_noun
        for period in periods:
            heading = period_heading(measure.frequency, period)
            reading = existing.get(period)
            if measure.has_ratio:
                for part, wording in (("numerator", measure.numerator), ("denominator", measure.denominator)):
                    number = getattr(reading, part) if reading else None
                    self.fields[self._name(period, part)] = _number_field(
                        f"{heading}: {part}",
                        number,
                        f"Enter the {part} for {kinds.period_label(measure.frequency, period)} as a number",
                        help_text=wording[:120] if wording else "",
                    )
            else:
                self.fields[self._name(period)] = _number_field(
                    heading,
                    reading.value if reading else None,
                    f"Enter a number for {kinds.period_label(measure.frequency, period)}",
                )
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Save values"))

    def _name(self, period: date, part: str = "") -> str:
        return f"{self.prefix_word}_{period.isoformat()}" + (f"_{part}" if part else "")

    def clean(self):
        data = super().clean()
        self._values: dict[date, Reading | None] = {}
        for period in self.periods:
            if self.measure.has_ratio:
                top, bottom = self._name(period, "numerator"), self._name(period, "denominator")
                if top in self.errors or bottom in self.errors:
                    continue
                if _blank(data, top) and _blank(data, bottom):
                    self._values[period] = None
                    continue
                reading = Reading(numerator=data.get(top), denominator=data.get(bottom))
                field = bottom if _blank(data, bottom) else top
            else:
                field = self._name(period)
                if field in self.errors:
                    continue
                if _blank(data, field):
                    self._values[period] = None
                    continue
                reading = Reading(value=data[field])
            try:
                services.check_reading(self.measure, period, reading)
            except ValidationError as error:
                self.add_error(field, error.messages[0])
            else:
                self._values[period] = reading
        return data

    def values(self) -> dict[date, Reading | None]:
        return self._values


def _number_field(label: str, initial: float | None, invalid: str, help_text: str = "") -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        initial=f"{initial:g}" if initial is not None else None,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "nhsuk-input--width-5"}),
        error_messages={"invalid": invalid},
    )


class EventGridForm(forms.Form):
    """Rare events: the latest ones, to correct or clear, and a few empty rows to add new ones."""

    NEW_ROWS = 3

    def __init__(self, *args, measure: Measure, events: list[date], existing: dict[date, Reading], **kwargs):
        super().__init__(*args, **kwargs)
        self.measure, self.events = measure, events
        what = _event_value_label(measure)
        for on in events:
            reading = existing.get(on)
            self.fields[f"event_{on.isoformat()}"] = _number_field(
                f"Event on {on.day} {on:%B %Y}: {what}",
                reading.value if reading else None,
                f"Enter a number for the event on {on.day} {on:%B %Y}",
            )
        for k in range(1, self.NEW_ROWS + 1):
            self.fields[f"new_{k}_on"] = DateField(
                label=f"New event {k}: date",
                subject=f"The date of new event {k}",
                required=False,
                help_text="For example, 2 3 2026",
            )
            self.fields[f"new_{k}_value"] = _number_field(
                f"New event {k}: {what}", None, f"Enter a number for new event {k}"
            )
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Save events"))

    def clean(self):
        data = super().clean()
        self._values: dict[date, Reading | None] = {}
        for on in self.events:
            name = f"event_{on.isoformat()}"
            if name in self.errors:
                continue
            self._check(name, on, data.get(name))
        for k in range(1, self.NEW_ROWS + 1):
            on_name, value_name = f"new_{k}_on", f"new_{k}_value"
            if on_name in self.errors or value_name in self.errors:
                continue
            on, value = data.get(on_name), data.get(value_name)
            if on is None and value is None:
                continue
            if on is None:
                self.add_error(on_name, f"Enter the date of new event {k}")
            elif value is None:
                self.add_error(value_name, f"Enter the {_event_value_label(self.measure)} for new event {k}")
            elif on in self._values or self.measure.points.filter(week_start=on).exists():
                self.add_error(on_name, f"There is already an event on {on.day} {on:%B %Y}. Correct it above")
            else:
                try:
                    services.check_period(self.measure, on)
                except ValidationError as error:
                    self.add_error(on_name, error.messages[0])
                    continue
                self._check(value_name, on, value)
        return data

    def _check(self, field: str, on: date, value: float | None) -> None:
        if value is None:
            self._values[on] = None
            return
        reading = Reading(value=value)
        try:
            services.check_reading(self.measure, on, reading)
        except ValidationError as error:
            self.add_error(field, error.messages[0])
        else:
            self._values[on] = reading

    def values(self) -> dict[date, Reading | None]:
        return self._values


def _event_value_label(measure: Measure) -> str:
    if measure.data_type == Measure.DataType.TIME_BETWEEN:
        return f"time since the previous event ({measure.get_unit_display().lower()})"
    return "days or cases since the previous event"


class OutcomeLinkForm(forms.Form):
    """Choose a standing measure for an initiative to use as an outcome measure."""

    measure = forms.ModelChoiceField(
        label="Standing measure",
        queryset=Measure.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the standing measure to link"},
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = choices if choices is not None else Measure.objects.none()
        self.fields["measure"].label_from_instance = lambda m: f"{m.name} ({m.owner_label})"
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Link measure"))


class ChartChoiceForm(PatientSafeFormMixin, forms.Form):
    """Choosing the measure's chart, or going back to the suggested one, with the reason kept on its history."""

    chart = forms.ChoiceField(
        label="Which chart should the measure use?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a chart", "invalid_choice": "Choose one of the charts listed"},
    )
    reason = text_box(
        Measure,
        "chart_reason",
        "Why are you changing the chart?",
        required="Enter why you are changing the chart",
        help_text="Kept on the measure's history, for example 'Over 2,000 admissions a month: the P chart's limits "
        "are too narrow'.",
    )

    def __init__(self, *args, measure: Measure, suggestion: kinds.Suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        suggested = kinds.SHORT_NAMES[suggestion.chart]
        choices = [("auto", f"The suggested chart, now a {suggested}: it follows the data as it grows")]
        choices += [(chart, kinds.CHARTS[chart]) for chart in kinds.CHARTS_FOR[measure.data_type]]
        self.fields["chart"].choices = choices
        self.fields["chart"].initial = measure.chart
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Change the chart"))


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        error_messages={"required": "Select a CSV or Excel file", "empty": "The selected file is empty"},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, columns: tuple[str, ...] = ("week_start", "value"), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"A CSV or Excel (.xlsx) file with the columns {_and(columns)}."
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Upload and preview"))


def _and(words) -> str:
    words = list(words)
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else words[0]


class RephaseForm(PatientSafeFormMixin, forms.Form):
    week_start = DateField(
        label="First week of the new period",
        subject="The first week of the new period",
        help_text="A Monday, for example 2 3 2026",
        error_messages={"required": "Enter the first week of the new period"},
    )
    reason = text_box(
        Rephase, "reason", "Why does the chart start a new period?", required="Enter why the chart starts a new period"
    )

    def __init__(self, *args, frequency: str = kinds.WEEKLY, **kwargs):
        super().__init__(*args, **kwargs)
        self.frequency = frequency
        field = self.fields["week_start"]
        if frequency == kinds.MONTHLY:
            field.label = "First month of the new period"
            field.subject = "The first month of the new period"
            field.help_text = "The first day of the month, for example 1 3 2026"
            field.error_messages["required"] = "Enter the first month of the new period"
        elif frequency == kinds.EVENT:
            field.label = "Date the new period starts"
            field.subject = "The date the new period starts"
            field.help_text = "For example, 2 3 2026"
            field.error_messages["required"] = "Enter the date the new period starts"
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", "Start a new period"))

    def clean_week_start(self):
        start = self.cleaned_data["week_start"]
        if self.frequency == kinds.WEEKLY and start.weekday() != 0:
            raise ValidationError("Enter a Monday: weeks start on Monday")
        if self.frequency == kinds.MONTHLY and start.day != 1:
            raise ValidationError("Enter the first day of a month")
        return start


class AnnotationForm(PatientSafeFormMixin, forms.Form):
    on = DateField(
        label="Date",
        subject="The date of the note",
        help_text="For example, 2 3 2026",
        error_messages={"required": "Enter the date of the note"},
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
