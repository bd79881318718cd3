"""Reads for measures and charts, shaped so query counts stay flat as measures and weeks grow."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Exists, OuterRef, QuerySet

from projects.models import Initiative, PdsaCycle
from qiportal.models import User
from runcharts.analysis import Analysis, analyse
from runcharts.models import DataPoint, Measure, Rephase

SIGNAL_CACHE_SECONDS = 60 * 60 * 24


def week_start(day: date) -> date:
    """The Monday of the week containing `day` (weeks start on Monday, seed 000 step 6)."""
    return day - timedelta(days=day.weekday())


def last_complete_week(as_of: date) -> date:
    """The Monday of the week before the one containing `as_of`."""
    return week_start(as_of) - timedelta(weeks=1)


def visible_measures(user: User) -> QuerySet[Measure]:
    return Measure.objects.filter(initiative__in=Initiative.objects.visible_to(user)).select_related(
        "initiative", "ward", "owner"
    )


def measures_for_initiative(initiative: Initiative) -> QuerySet[Measure]:
    return Measure.objects.filter(initiative=initiative).select_related("ward", "owner").order_by("kind", "name")


def measures_missing_data(as_of: date) -> QuerySet[Measure]:
    """Measures of live initiatives whose last complete week has no value: "data missing", for reminders."""
    week = last_complete_week(as_of)
    has_value = DataPoint.objects.filter(measure=OuterRef("pk"), week_start=week)
    return (
        Measure.objects.filter(initiative__status="live")
        .exclude(Exists(has_value))
        .select_related("initiative", "owner")
    )


def _analyse_measure(measure: Measure, points: list[tuple[date, float]], rephases: list[date]) -> Analysis:
    return analyse(
        weeks=[w for w, _ in points],
        values=[v for _, v in points],
        chart=measure.chart,
        improvement=measure.improvement,
        target=measure.target,
        baseline_points=measure.baseline_points,
        rephase_weeks=rephases,
    )


def measure_analysis(measure: Measure) -> Analysis:
    """The full analysis of one measure (two queries)."""
    points = list(measure.points.order_by("week_start").values_list("week_start", "value"))
    rephases = list(measure.rephases.values_list("week_start", flat=True))
    return _analyse_measure(measure, points, rephases)


def _signal_key(measure_id: int, data_version: int) -> str:
    return f"runcharts:signal:{measure_id}:{data_version}"


def cached_signals(versions: Iterable[tuple[int, int]]) -> dict[int, str]:
    """The latest signals already cached for these (measure id, data_version) pairs; no query at all."""
    keys = {measure_id: _signal_key(measure_id, version) for measure_id, version in versions}
    found = cache.get_many(list(keys.values()))
    return {measure_id: found[key] for measure_id, key in keys.items() if key in found}


def latest_signals(measures: Iterable[Measure]) -> dict[int, str]:
    """Each measure's latest signal: "improvement" | "concern" | "common_cause" | "not_enough_data".

    Cached per (measure, data_version); the measures not cached are analysed by `analyse_signals`.
    """
    measures = list(measures)
    if not measures:
        return {}
    signals = cached_signals((m.pk, m.data_version) for m in measures)
    missing = [m for m in measures if m.pk not in signals]
    if missing:
        signals.update(analyse_signals(missing))
    return signals


def analyse_signals(measures: Iterable[Measure]) -> dict[int, str]:
    """These measures' latest signals analysed afresh (no cache read), and cached per (measure, data_version).

    One query for all their points and one for their re-phasing weeks, however many there are.
    """
    measures = list(measures)
    if not measures:
        return {}
    ids = [m.pk for m in measures]
    points = defaultdict(list)
    for measure_id, week, value in (
        DataPoint.objects.filter(measure_id__in=ids)
        .order_by("measure_id", "week_start")
        .values_list("measure_id", "week_start", "value")
    ):
        points[measure_id].append((week, value))
    rephases = defaultdict(list)
    for measure_id, week in Rephase.objects.filter(measure_id__in=ids).values_list("measure_id", "week_start"):
        rephases[measure_id].append(week)
    fresh = {m.pk: _analyse_measure(m, points[m.pk], rephases[m.pk]).signal for m in measures}
    cache.set_many({_signal_key(m.pk, m.data_version): fresh[m.pk] for m in measures}, SIGNAL_CACHE_SECONDS)
    return fresh


def pdsa_markers(measure: Measure) -> list[tuple[int, date]]:
    """(number, start date) of each PDSA cycle linked to the measure, drawn on its chart."""
    return list(
        PdsaCycle.objects.filter(measure=measure).order_by("starts_on", "number").values_list("number", "starts_on")
    )


def recent_weeks(as_of: date, count: int) -> list[date]:
    """The Mondays of the current week and the `count - 1` weeks before it, newest first."""
    current = week_start(as_of)
    return [current - timedelta(weeks=k) for k in range(count)]
