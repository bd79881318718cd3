"""Writes to measures and their weekly data. Atomic, keyword-only and validated; views ask permissions first.

Every change that alters a chart goes through `data_changed`, which bumps `Measure.data_version` (the key
of cached drawings and signals) and stores the new latest signal. Values are tracked by django-simple-history,
so edits and removals are saved row by row, never with `queryset.update()`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from projects import services as project_services
from projects.models import Initiative
from qiportal.models import User
from runcharts import selectors
from runcharts.models import Annotation, DataPoint, Measure, Rephase

# Fields whose change redraws the chart.
CHART_FIELDS = ("name", "unit", "improvement", "target", "chart", "baseline_points")
MEASURE_FIELDS = (
    "kind",
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


def check_value(measure: Measure, value: float) -> None:
    """The rules a weekly value must meet, shared by the grid, the upload and this module."""
    if not math.isfinite(value):
        raise ValidationError("Enter a number")
    if measure.unit == Measure.Unit.PERCENT and not 0 <= value <= 100:
        raise ValidationError("Enter a percentage between 0 and 100")
    if measure.unit in NOT_NEGATIVE and value < 0:
        raise ValidationError(f"Enter 0 or more: {NOT_NEGATIVE[measure.unit]} cannot be negative")


def check_week(week: date, *, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if week.weekday() != 0:
        raise ValidationError(f"{week.day} {week:%B %Y} is not a Monday. Weeks start on Monday")
    if week > today:
        raise ValidationError(f"The week starting {week.day} {week:%B %Y} is in the future")


def data_changed(measure: Measure) -> None:
    measure.data_version += 1
    measure.latest_signal = selectors.measure_analysis(measure).signal
    measure.save(update_fields=["data_version", "latest_signal", "updated_at"])


def _locked(measure_id: int) -> Measure:
    return Measure.objects.select_for_update().get(pk=measure_id)


@transaction.atomic
def create_measure(*, initiative: Initiative, by: User, **fields) -> Measure:
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown measure fields: {', '.join(sorted(unknown))}")
    fields.setdefault("owner", by)
    measure = Measure(initiative=initiative, **fields)
    measure.full_clean()
    measure.save()
    measure.latest_signal = "not_enough_data"
    measure.save(update_fields=["latest_signal"])
    return measure


@transaction.atomic
def update_measure(*, measure_id: int, by: User, **fields) -> Measure:
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown measure fields: {', '.join(sorted(unknown))}")
    measure = _locked(measure_id)
    redraw = any(getattr(measure, name) != value for name, value in fields.items() if name in CHART_FIELDS)
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.full_clean()
    if measure.unit == Measure.Unit.PERCENT and measure.points.exclude(value__gte=0, value__lte=100).exists():
        raise ValidationError({"unit": "Some values are outside 0 to 100, so this measure cannot be a percentage"})
    if measure.unit in NOT_NEGATIVE and measure.points.filter(value__lt=0).exists():
        raise ValidationError({"unit": f"Some values are below 0, and {NOT_NEGATIVE[measure.unit]} cannot be negative"})
    measure._change_reason = f"Edited by {by}"
    measure.save()
    if redraw:
        data_changed(measure)
    return measure


@transaction.atomic
def save_week_values(*, measure_id: int, by: User, values: dict[date, float | None]) -> DataChanges:
    """Set, change or remove (None) the value of each week given. Unchanged weeks are left alone."""
    measure = _locked(measure_id)
    existing = {p.week_start: p for p in measure.points.filter(week_start__in=list(values))}
    added = replaced = removed = 0
    for week, value in sorted(values.items()):
        point = existing.get(week)
        if value is None:
            if point is not None:
                point._change_reason = "Removed"
                point.delete()
                removed += 1
            continue
        check_week(week)
        check_value(measure, value)
        if point is None:
            DataPoint.objects.create(measure=measure, week_start=week, value=value, entered_by=by)
            added += 1
        elif point.value != value:
            point.value, point.entered_by = value, by
            point.save()
            replaced += 1
    changes = DataChanges(added, replaced, removed)
    if changes.total:
        data_changed(measure)
        if added or replaced:  # new data is a sign of work on the initiative (it is not stalled)
            project_services.record_activity(measure.initiative_id)
    return changes


@transaction.atomic
def import_values(*, measure_id: int, by: User, rows: list[tuple[date, float]]) -> DataChanges:
    """Save an upload's rows (already previewed): every row is checked again, and one bad row saves nothing."""
    weeks = [week for week, _ in rows]
    if len(set(weeks)) != len(weeks):
        raise ValidationError("A week appears more than once")
    changes = save_week_values(measure_id=measure_id, by=by, values=dict(rows))
    return changes


@transaction.atomic
def add_rephase(*, measure_id: int, by: User, week_start: date, reason: str) -> Rephase:
    measure = _locked(measure_id)
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": "Choose a Monday: weeks start on Monday"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the chart starts a new period"})
    if measure.rephases.filter(week_start=week_start).exists():
        raise ValidationError({"week_start": "The chart already starts a new period that week"})
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
