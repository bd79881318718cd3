"""Writes to measures and their data. Atomic, keyword-only and validated; views ask permissions first.

Every change that alters a chart goes through `data_changed`, which bumps `Measure.data_version` (the key
of cached drawings) and stores the new latest signal in `Measure.latest_signal`: the one place every page reads a
measure's signal from, whatever its data type or chart. Values are tracked by django-simple-history, so edits and
removals are saved row by row, never with `queryset.update()`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from projects import services as project_services
from projects.models import Initiative
from qiportal import permissions
from qiportal.models import User
from runcharts import kinds, selectors
from runcharts.analysis import Reading
from runcharts.latest import latest_of
from runcharts.models import LATEST_FIELDS, Annotation, DataPoint, Measure, Rephase
from runcharts.rows import when

# Fields whose change redraws the chart.
CHART_FIELDS = (
    "name",
    "unit",
    "improvement",
    "target",
    "chart",
    "baseline_points",
    "data_type",
    "frequency",
    "multiplier",
    "denominator",
)
MEASURE_FIELDS = (
    "kind",
    "data_type",
    "frequency",
    "multiplier",
    "name",
    "definition",
    "numerator",
    "denominator",
    "unit",
    "improvement",
    "target",
    "chart",
    "baseline_points",
    "ward",
    "owner",
)


@dataclass(frozen=True)
class DataChanges:
    added: int = 0
    replaced: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.added + self.replaced + self.removed


# Units whose values cannot be below 0 (a count, a rate, a time); a score, which can record a change, may be.
NOT_NEGATIVE = {
    Measure.Unit.COUNT: "a count",
    Measure.Unit.RATE: "a rate",
    Measure.Unit.MINUTES: "a time",
    Measure.Unit.HOURS: "a time",
    Measure.Unit.DAYS: "a time",
}


def _number(x: float) -> str:
    return f"{x:g}"


def check_reading(measure: Measure, period: date, reading: Reading) -> None:
    """The rules one period's data must meet, shared by the grid, the upload and this module.

    The messages name the period, so a row error says what to correct: "Numerator 12 is larger than denominator 10
    for March 2026". They follow the contract's errors (docs/spc-control-charts.md, "Errors").
    """
    label = kinds.period_label(measure.frequency, period)
    if measure.has_ratio:
        numerator, denominator = reading.numerator, reading.denominator
        if numerator is None or denominator is None:
            missing = "numerator" if numerator is None else "denominator"
            raise ValidationError(f"Enter the {missing} for {label}")
        numerator, denominator = float(numerator), float(denominator)
        for name, number in (("numerator", numerator), ("denominator", denominator)):
            if not math.isfinite(number):
                raise ValidationError(f"Enter the {name} as a number for {label}")
            if number < 0:
                raise ValidationError(f"Enter a {name} of 0 or more for {label}")
        if not numerator.is_integer():
            raise ValidationError(f"Enter the numerator as a whole number for {label}: it counts events or people")
        if measure.data_type == Measure.DataType.PROPORTION and not denominator.is_integer():
            raise ValidationError(f"Enter the denominator as a whole number for {label}")
        if denominator == 0 and numerator > 0:
            raise ValidationError(
                f"Numerator {_number(numerator)} has a denominator of 0 for {label}. Enter the denominator, "
                "or 0 for both if there was nothing to count"
            )
        if measure.data_type == Measure.DataType.PROPORTION and numerator > denominator:
            raise ValidationError(
                f"Numerator {_number(numerator)} is larger than denominator {_number(denominator)} for {label}"
            )
        return
    value = reading.value
    if value is None or not math.isfinite(value):
        raise ValidationError(f"Enter a number for {label}")
    value = float(value)
    if measure.data_type == Measure.DataType.SINGLE:
        if measure.unit == Measure.Unit.PERCENT and not 0 <= value <= 100:
            raise ValidationError(f"Enter a percentage between 0 and 100 for {label}")
        if measure.unit in NOT_NEGATIVE and value < 0:
            raise ValidationError(f"Enter 0 or more: {NOT_NEGATIVE[measure.unit]} cannot be negative ({label})")
    elif measure.data_type == Measure.DataType.TIME_BETWEEN:
        if value <= 0:
            raise ValidationError(f"Enter a time greater than 0 for {label}")
    elif value < 0 or not value.is_integer():
        what = "count" if measure.data_type == Measure.DataType.COUNT else "number of days or cases since the last"
        raise ValidationError(f"Enter the {what} as a whole number, 0 or more, for {label}")


def check_period(measure: Measure, day: date, *, today: date | None = None) -> None:
    """A period's first day: a Monday (weekly), the 1st (monthly) or any past day (an event); never the future."""
    today = today or timezone.localdate()
    if measure.frequency == kinds.WEEKLY and day.weekday() != 0:
        raise ValidationError(f"{day.day} {day:%B %Y} is not a Monday. Weeks start on Monday")
    if measure.frequency == kinds.MONTHLY and day.day != 1:
        raise ValidationError(f"{day.day} {day:%B %Y} is not the first day of a month")
    if day > today:
        label = kinds.period_label(measure.frequency, day)
        raise ValidationError(f"{label[0].upper()}{label[1:]} is in the future")


def _store_analysis(measure: Measure, analysis) -> None:
    """Copy what the board and every list read onto the measure (not saved here)."""
    measure.latest_signal = analysis.signal
    for name, value in latest_of(analysis, improvement=measure.improvement, target=measure.target).as_fields().items():
        setattr(measure, name, value)


def data_changed(measure: Measure) -> None:
    """Bump the chart's version and store the latest analysis, in the caller's transaction."""
    measure.data_version += 1
    _store_analysis(measure, selectors.measure_analysis(measure))
    measure.save(update_fields=["data_version", "latest_signal", *LATEST_FIELDS, "updated_at"])


def store_latest_signals(measures) -> int:
    """Analyse these measures afresh and store each one's latest analysis: for data written in bulk, such as the
    trust-scale generator's, which skips the services. Two queries to read, one bulk update; returns how many."""
    measures = list(measures)
    analyses = selectors.fresh_analyses(measures)
    for measure in measures:
        _store_analysis(measure, analyses[measure.pk])
    Measure.objects.bulk_update(measures, ["latest_signal", *LATEST_FIELDS], batch_size=500)
    return len(measures)


def _locked(measure_id: int) -> Measure:
    return Measure.objects.select_for_update().get(pk=measure_id)


def _normalise(measure: Measure) -> None:
    """What the data type implies: rare events are recorded per event, a proportion is a percentage, and only a
    rate has a multiplier to choose. A chart the data type does not offer falls back to the suggestion."""
    measure.frequency = kinds.frequency_for(measure.data_type, measure.frequency)
    if measure.frequency == kinds.EVENT and measure.data_type not in kinds.RARE_EVENT_TYPES:
        measure.frequency = kinds.WEEKLY
    if measure.data_type == Measure.DataType.PROPORTION:
        measure.multiplier, measure.unit = 100, Measure.Unit.PERCENT
    elif measure.data_type == Measure.DataType.RATE:
        measure.unit = Measure.Unit.RATE
        if measure.multiplier not in kinds.RATE_MULTIPLIERS:
            measure.multiplier = 1_000
    else:
        measure.multiplier = 1
        if measure.data_type == Measure.DataType.COUNT:
            measure.unit = Measure.Unit.COUNT
    if measure.chart != Measure.Chart.AUTO and measure.chart not in kinds.CHARTS_FOR[measure.data_type]:
        measure.chart, measure.chart_reason = Measure.Chart.AUTO, ""


@transaction.atomic
def create_measure(*, initiative: Initiative, by: User, **fields) -> Measure:
    return _add_measure(by, fields, initiative=initiative)


def _add_measure(by: User, fields: dict, **owner) -> Measure:
    """Check the fields, fill in what the kind implies, validate and save a new measure with no data yet."""
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown measure fields: {', '.join(sorted(unknown))}")
    fields.setdefault("owner", by)
    measure = Measure(**owner, **fields)
    _normalise(measure)
    measure.full_clean()
    measure.save()
    measure.latest_signal = "not_enough_data"
    measure.save(update_fields=["latest_signal"])
    return measure


@transaction.atomic
def create_standing_measure(*, by: User, ward=None, directorate=None, **fields) -> Measure:
    """A measure owned by a ward, a directorate (give one) or the trust (give neither), not by an initiative."""
    if ward is not None and directorate is not None:
        raise ValidationError("A standing measure belongs to a ward, a directorate or the trust: choose one")
    if not permissions.can_add_standing_measure(by, ward=ward, directorate=directorate):
        raise PermissionDenied
    scope = Measure.Scope.WARD if ward else Measure.Scope.DIRECTORATE if directorate else Measure.Scope.TRUST
    return _add_measure(by, fields, scope=scope, ward=ward, directorate=directorate)


@transaction.atomic
def link_outcome_measure(*, initiative: Initiative, measure_id: int, by: User) -> Measure:
    """Use a standing measure as one of the initiative's outcome measures, linked rather than copied."""
    measure = _locked(measure_id)
    if not measure.is_standing:
        raise ValidationError("Link a ward's, directorate's or the trust's standing measure, not another initiative's")
    if not permissions.can_link_outcome_measure(by, initiative):
        raise PermissionDenied
    measure.outcome_for.add(initiative)
    return measure


@transaction.atomic
def unlink_outcome_measure(*, initiative: Initiative, measure_id: int, by: User) -> None:
    if not permissions.can_link_outcome_measure(by, initiative):
        raise PermissionDenied
    _locked(measure_id).outcome_for.remove(initiative)


@transaction.atomic
def update_measure(*, measure_id: int, by: User, **fields) -> Measure:
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown measure fields: {', '.join(sorted(unknown))}")
    measure = _locked(measure_id)
    before = {name: getattr(measure, name) for name in CHART_FIELDS}
    for name, value in fields.items():
        setattr(measure, name, value)
    _normalise(measure)
    measure.full_clean()
    _check_existing_data(measure, before)
    measure._change_reason = f"Edited by {by}"
    measure.save()
    if any(getattr(measure, name) != value for name, value in before.items()):
        data_changed(measure)
    return measure


def _check_existing_data(measure: Measure, before: dict) -> None:
    """A measure with data keeps its frequency and the shape of its data; every value must suit the new rules."""
    if not measure.points.exists():
        return
    if measure.frequency != before["frequency"]:
        raise ValidationError(
            {
                "frequency": "This measure already has data, so how often it is recorded cannot change. "
                "Add a new measure instead"
            }
        )
    was_ratio = before["data_type"] in kinds.RATIO_TYPES
    if measure.has_ratio != was_ratio:
        raise ValidationError(
            {
                "data_type": "This measure's data has "
                + ("a numerator and a denominator" if was_ratio else "one value")
                + " for each period, so it cannot change to this type. Add a new measure instead"
            }
        )
    for point in measure.points.all():
        try:
            check_reading(measure, point.week_start, Reading(point.value, point.numerator, point.denominator))
        except ValidationError as error:
            field = "unit" if measure.data_type == Measure.DataType.SINGLE else "data_type"
            if field == "unit" and measure.unit == Measure.Unit.PERCENT:
                raise ValidationError(
                    {"unit": "Some values are outside 0 to 100, so this measure cannot be a percentage"}
                ) from error
            raise ValidationError({field: f"Existing data does not fit: {error.messages[0]}"}) from error


@transaction.atomic
def change_chart(*, measure_id: int, by: User, chart: str, reason: str) -> Measure:
    """Choose the measure's chart (or go back to the suggested one), with the reason kept on its history."""
    measure = _locked(measure_id)
    reason = reason.strip()
    if chart != Measure.Chart.AUTO and chart not in kinds.CHARTS_FOR[measure.data_type]:
        raise ValidationError({"chart": f"Choose a chart that suits {measure.get_data_type_display().lower()}"})
    if not reason:
        raise ValidationError({"reason": "Enter why you are changing the chart"})
    if chart == measure.chart:
        raise ValidationError({"chart": "The measure already uses this chart. Choose a different one"})
    measure.chart, measure.chart_reason = chart, reason
    measure._change_reason = f"Chart changed by {by}: {reason}"[:100]
    measure.full_clean()
    measure.save()
    data_changed(measure)
    return measure


def _reading_fields(measure: Measure, reading: Reading) -> dict[str, float | None]:
    if measure.has_ratio:
        return {"value": None, "numerator": reading.numerator, "denominator": reading.denominator}
    return {"value": reading.value, "numerator": None, "denominator": None}


@transaction.atomic
def save_values(*, measure_id: int, by: User, values: dict[date, Reading | None]) -> DataChanges:
    """Set, change or remove (None) the data of each period given. Unchanged periods are left alone."""
    measure = _locked(measure_id)
    existing = {p.week_start: p for p in measure.points.filter(week_start__in=list(values))}
    added = replaced = removed = 0
    for period, reading in sorted(values.items()):
        point = existing.get(period)
        if reading is None:
            if point is not None:
                point._change_reason = "Removed"
                point.delete()
                removed += 1
            continue
        check_period(measure, period)
        check_reading(measure, period, reading)
        fields = _reading_fields(measure, reading)
        if point is None:
            DataPoint.objects.create(measure=measure, week_start=period, entered_by=by, **fields)
            added += 1
        elif any(getattr(point, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(point, name, value)
            point.entered_by = by
            point.save()
            replaced += 1
    changes = DataChanges(added, replaced, removed)
    if changes.total:
        data_changed(measure)
        if (added or replaced) and measure.initiative_id:  # new data is work on the initiative (it is not stalled)
            project_services.record_activity(measure.initiative_id)
    return changes


@transaction.atomic
def import_values(*, measure_id: int, by: User, rows: list[tuple[date, Reading]]) -> DataChanges:
    """Save an upload's rows (already previewed): every row is checked again, and one bad row saves nothing."""
    periods = [period for period, _ in rows]
    if len(set(periods)) != len(periods):
        raise ValidationError("A period appears more than once")
    return save_values(measure_id=measure_id, by=by, values=dict(rows))


def _check_within_data(measure: Measure, start: date) -> None:
    """A new period starts within the data: after the first period with data (a new period there changes nothing)
    and no later than the latest, so that it splits what was recorded rather than a future no one has measured."""
    span = measure.points.aggregate(first=Min("week_start"), last=Max("week_start"))
    noun = measure.period_noun
    if span["first"] is None:
        raise ValidationError({"week_start": f"Enter some data first: a new period starts on a {noun} with data"})
    first, last = span["first"], span["last"]
    if not first < start <= last:
        when_first, when_last = when(measure.frequency, first), when(measure.frequency, last)
        raise ValidationError(
            {
                "week_start": f"Choose a {noun} within the data: after {when_first}, the first {noun} with data, "
                f"and no later than {when_last}, the latest"
            }
        )


@transaction.atomic
def add_rephase(*, measure_id: int, by: User, week_start: date, reason: str) -> Rephase:
    measure = _locked(measure_id)
    if not kinds.is_period_start(measure.frequency, week_start):
        first = "a Monday: weeks start on Monday" if measure.frequency == kinds.WEEKLY else "the first day of a month"
        raise ValidationError({"week_start": f"Choose {first}"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the chart starts a new period"})
    _check_within_data(measure, week_start)
    if measure.rephases.filter(week_start=week_start).exists():
        raise ValidationError({"week_start": f"The chart already starts a new period that {measure.period_noun}"})
    rephase = Rephase(measure=measure, week_start=week_start, reason=reason.strip(), created_by=by)
    rephase.full_clean()
    rephase.save()
    data_changed(measure)
    return rephase


@transaction.atomic
def remove_rephase(*, rephase_id: int, by: User) -> None:
    rephase = Rephase.objects.select_related("measure").get(pk=rephase_id)
    measure = _locked(rephase.measure_id)
    rephase._change_reason = f"Removed by {by}"
    rephase.delete()
    data_changed(measure)


@transaction.atomic
def add_annotation(*, measure_id: int, by: User, on: date, text: str) -> Annotation:
    measure = _locked(measure_id)
    annotation = Annotation(measure=measure, on=on, text=text.strip(), created_by=by)
    annotation.full_clean()
    annotation.save()
    data_changed(measure)
    return annotation


@transaction.atomic
def remove_annotation(*, annotation_id: int, by: User) -> None:
    annotation = Annotation.objects.get(pk=annotation_id)
    measure = _locked(annotation.measure_id)
    annotation._change_reason = f"Removed by {by}"
    annotation.delete()
    data_changed(measure)
