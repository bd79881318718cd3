"""Reads for measures and charts, shaped so query counts stay flat as measures and weeks grow."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from projects.models import Initiative, PdsaCycle
from qiportal import permissions
from qiportal.models import User
from runcharts import kinds
from runcharts.analysis import Analysis, Reading, analyse
from runcharts.models import DataPoint, Measure, Rephase


def week_start(day: date) -> date:
    """The Monday of the week containing `day` (weeks start on Monday, seed 000 step 6)."""
    return kinds.period_start(kinds.WEEKLY, day)


def last_complete_week(as_of: date) -> date:
    """The Monday of the week before the one containing `as_of`."""
    return week_start(as_of) - timedelta(weeks=1)


def visible_measures(user: User) -> QuerySet[Measure]:
    """Measures of initiatives visible to the user, and standing measures (qiportal.permissions says which)."""
    standing = permissions.visible_standing_measures(user, Measure.objects.all()).values("pk")
    return Measure.objects.filter(
        Q(initiative__in=Initiative.objects.visible_to(user)) | Q(pk__in=standing)
    ).select_related("initiative", "ward", "directorate", "owner")


def measures_for_initiative(initiative: Initiative) -> QuerySet[Measure]:
    """The initiative's own measures and the standing measures it links to as outcome measures."""
    return (
        Measure.objects.filter(Q(initiative=initiative) | Q(pk__in=initiative.linked_measures.values("pk")))
        .select_related("ward", "directorate", "owner")
        .order_by("kind", "name")
    )


def standing_measures(*, ward=None, directorate=None) -> QuerySet[Measure]:
    """The standing measures of a ward, of a directorate, or of the trust (neither given)."""
    if ward is not None:
        found = Measure.objects.filter(scope=Measure.Scope.WARD, ward=ward)
    elif directorate is not None:
        found = Measure.objects.filter(scope=Measure.Scope.DIRECTORATE, directorate=directorate)
    else:
        found = Measure.objects.filter(scope=Measure.Scope.TRUST)
    return found.select_related("ward", "directorate", "owner").order_by("kind", "name")


def measures_missing_data(as_of: date) -> QuerySet[Measure]:
    """Measures of live initiatives with nothing recorded for their last complete week or month, for reminders.

    Rare-event measures are recorded when an event happens, so they are never missing data.
    """
    week = last_complete_week(as_of)
    month = kinds.last_complete_period(kinds.MONTHLY, as_of)
    weekly = Q(frequency=kinds.WEEKLY) & ~Exists(DataPoint.objects.filter(measure=OuterRef("pk"), week_start=week))
    monthly = Q(frequency=kinds.MONTHLY) & ~Exists(DataPoint.objects.filter(measure=OuterRef("pk"), week_start=month))
    return (
        Measure.objects.filter(initiative__status="live").filter(weekly | monthly).select_related("initiative", "owner")
    )


def standing_measures_for_initiative(initiative: Initiative) -> QuerySet[Measure]:
    """Standing measures an initiative may link to: its wards', its directorate's and the trust's, not yet linked."""
    owners = Q(scope=Measure.Scope.TRUST) | Q(scope=Measure.Scope.WARD, ward__in=initiative.wards.all())
    if initiative.directorate_id:
        owners |= Q(scope=Measure.Scope.DIRECTORATE, directorate_id=initiative.directorate_id)
    return (
        Measure.objects.filter(owners)
        .exclude(pk__in=initiative.linked_measures.values("pk"))
        .select_related("ward", "directorate")
        .order_by("scope", "name")
    )


POINT_FIELDS = ("week_start", "value", "numerator", "denominator")


def _analyse_measure(measure: Measure, points: list[tuple], rephases: list[date]) -> Analysis:
    return analyse(
        weeks=[week for week, *_ in points],
        readings=[Reading(value, numerator, denominator) for _, value, numerator, denominator in points],
        chart=measure.chart,
        improvement=measure.improvement,
        target=measure.target,
        baseline_points=measure.baseline_points,
        rephase_weeks=rephases,
        data_type=measure.data_type,
        frequency=measure.frequency,
        multiplier=measure.multiplier,
    )


def measure_analysis(measure: Measure) -> Analysis:
    """The full analysis of one measure (two queries)."""
    points = list(measure.points.order_by("week_start").values_list(*POINT_FIELDS))
    rephases = list(measure.rephases.values_list("week_start", flat=True))
    return _analyse_measure(measure, points, rephases)


def latest_signals(measures: Iterable[Measure]) -> dict[int, str]:
    """Each measure's latest signal: "improvement" | "concern" | "common_cause" | "not_enough_data".

    Read from the column the services keep (Measure.latest_signal), so a page of measures costs no query here
    and no analysis, whatever each measure's data type or chart.
    """
    return {measure.pk: measure.latest_signal or "not_enough_data" for measure in measures}


def fresh_signals(measures: Iterable[Measure]) -> dict[int, str]:
    """These measures' latest signals, analysed afresh (see fresh_analyses)."""
    return {pk: analysis.signal for pk, analysis in fresh_analyses(measures).items()}


def fresh_analyses(measures: Iterable[Measure]) -> dict[int, Analysis]:
    """These measures' analyses, afresh, for the services that store their latest results.

    One query for all their points and one for their re-phasing weeks, however many measures there are.
    """
    measures = list(measures)
    if not measures:
        return {}
    ids = [m.pk for m in measures]
    points = defaultdict(list)
    for measure_id, *point in (
        DataPoint.objects.filter(measure_id__in=ids)
        .order_by("measure_id", "week_start")
        .values_list("measure_id", *POINT_FIELDS)
    ):
        points[measure_id].append(point)
    rephases = defaultdict(list)
    for measure_id, week in Rephase.objects.filter(measure_id__in=ids).values_list("measure_id", "week_start"):
        rephases[measure_id].append(week)
    return {m.pk: _analyse_measure(m, points[m.pk], rephases[m.pk]) for m in measures}


@dataclass(frozen=True)
class ChartChange:
    on: datetime
    by: User | None
    chart: str
    reason: str

    @property
    def chart_label(self) -> str:
        return kinds.CHARTS[self.chart]


def chart_history(measure: Measure) -> list[ChartChange]:
    """Each change of the measure's chart, oldest first: when, by whom, to which chart and why (one query)."""
    changes, previous = [], None
    for record in measure.history.order_by("history_date", "history_id").select_related("history_user"):
        if previous is not None and record.chart != previous:
            changes.append(ChartChange(record.history_date, record.history_user, record.chart, record.chart_reason))
        previous = record.chart
    return changes


def pdsa_markers(measure: Measure) -> list[tuple[int, date]]:
    """(number, start date) of each PDSA cycle linked to the measure, drawn on its chart."""
    return list(
        PdsaCycle.objects.filter(measure=measure).order_by("starts_on", "number").values_list("number", "starts_on")
    )


def recent_weeks(as_of: date, count: int) -> list[date]:
    """The Mondays of the current week and the `count - 1` weeks before it, newest first."""
    return kinds.recent_periods(kinds.WEEKLY, as_of, count)


def readings(measure: Measure, periods: list[date] | None = None) -> dict[date, Reading]:
    """The measure's recorded readings by period start, for all periods or only those given (one query)."""
    points = measure.points.all() if periods is None else measure.points.filter(week_start__in=periods)
    return {
        week: Reading(value, numerator, denominator)
        for week, value, numerator, denominator in points.values_list(*POINT_FIELDS)
    }


def recent_events(measure: Measure, count: int) -> list[date]:
    """The dates of the measure's latest recorded events, newest first (rare-event measures)."""
    return list(measure.points.order_by("-week_start").values_list("week_start", flat=True)[:count])
