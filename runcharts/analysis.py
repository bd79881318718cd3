"""From a measure's data to what its chart, table, alt text and signal say.

The maths is in spc.py (pure); this module picks the chart (the measure's choice, or the one kinds.py suggests),
makes the spc call, turns the result into one row per recorded period, and words what the rules found. It takes
plain values, not querysets, so selectors can analyse many measures from one query.
"""

from __future__ import annotations

import math
from datetime import date

from runcharts import kinds, spc
from runcharts.analysis_control import analyse_control
from runcharts.kinds import Suggestion
from runcharts.rows import (  # re-exported: the pages and the other apps read them from here
    ASSURANCE_MEANINGS,
    MIN_POINTS,
    POINT_TYPE_LABELS,
    SIGNAL_LABELS,
    SIGNALS,
    SPECIAL_CAUSE_LABELS,
    VARIATION_MEANINGS,
    XMR_SUGGESTED_POINTS,
    Analysis,
    Reading,
    Row,
    point_type_for,
    signal_for,
    too_few_useful_words,
    when,
)

__all__ = [
    "ASSURANCE_MEANINGS",
    "MIN_POINTS",
    "POINT_TYPE_LABELS",
    "SIGNALS",
    "SIGNAL_LABELS",
    "SPECIAL_CAUSE_LABELS",
    "VARIATION_MEANINGS",
    "XMR_SUGGESTED_POINTS",
    "Analysis",
    "Reading",
    "Row",
    "analyse",
    "plotted_value",
    "suggestion_for",
]


def plotted_value(reading: Reading, multiplier: float = 1) -> float | None:
    """The value a chart plots: a ratio times its multiplier (percent, per 1,000), or the value; None for a gap."""
    if reading.is_gap:
        return None
    if reading.denominator is not None:
        return reading.numerator / reading.denominator * multiplier
    return reading.value


def suggestion_for(data_type: str, frequency: str, readings: list[Reading]) -> Suggestion:
    """The suggested chart for this data, with Laney's sigma_z measured when P′ or U′ might be the better choice."""
    recorded = [reading for reading in readings if not reading.is_gap]
    median_denominator = sigma_z = None
    if data_type in kinds.RATIO_TYPES and len(recorded) >= kinds.CONTROL_LIMIT_POINTS:
        denominators = sorted(reading.denominator for reading in recorded)
        median_denominator = denominators[len(denominators) // 2]
        laney = spc.attribute_chart(
            [r.numerator for r in recorded],
            [r.denominator for r in recorded],
            chart="pp" if data_type == kinds.PROPORTION else "up",
        )
        sigma_z = laney.sigma_z if laney.sigma_z is not None and math.isfinite(laney.sigma_z) else None
    return kinds.suggest_chart(
        data_type,
        points=len(recorded),
        frequency=frequency,
        median_denominator=median_denominator,
        sigma_z=sigma_z,
    )


def analyse(
    *,
    weeks: list[date],
    values: list[float] | None = None,
    readings: list[Reading] | None = None,
    chart: str,
    improvement: str,
    target: float | None = None,
    baseline_points: int | None = None,
    rephase_weeks: list[date] = (),
    data_type: str = kinds.SINGLE,
    frequency: str = kinds.WEEKLY,
    multiplier: float = 1,
) -> Analysis:
    """Analyse recorded periods (in order, missing periods left out) as the measure's chart choice says.

    ``weeks`` are the periods' first days (weeks, months or event days); pass ``values`` for single values, or
    ``readings`` (which may hold numerators and denominators, and gaps) for any data type. ``chart`` "auto" draws
    the suggested chart.
    """
    if readings is None:
        readings = [Reading(value=value) for value in values or []]
    suggestion = suggestion_for(data_type, frequency, readings)
    chosen = chart
    chart = suggestion.chart if chart == "auto" else chart
    plotted = [plotted_value(reading, multiplier) for reading in readings]
    if not [value for value in plotted if value is not None]:
        summary = "No data has been entered yet." if not readings else "Every period so far has nothing to count."
        return Analysis(chart, [], "not_enough_data", summary, None, None, None, [], suggestion, chosen, frequency)
    if chart in kinds.CONTROL_CHARTS:
        return analyse_control(
            periods=weeks,
            readings=readings,
            plotted=plotted,
            chart=chart,
            improvement=improvement,
            baseline_points=baseline_points,
            rephase_dates=list(rephase_weeks),
            data_type=data_type,
            frequency=frequency,
            multiplier=multiplier,
            suggestion=suggestion,
            chosen=chosen,
        )
    # Run charts and XmR take no gaps (spc-rules.md): they analyse the recorded values, and gaps are drawn as gaps.
    kept = [k for k, value in enumerate(plotted) if value is not None]
    analysis = _analyse_values(
        weeks=[weeks[k] for k in kept],
        values=[plotted[k] for k in kept],
        chart=chart,
        improvement=improvement,
        target=target,
        baseline_points=baseline_points,
        rephase_weeks=rephase_weeks,
        frequency=frequency,
    )
    rows = _with_gaps(analysis.rows, weeks, readings, kept)
    return Analysis(
        analysis.chart,
        rows,
        analysis.signal,
        analysis.summary,
        analysis.variation,
        analysis.assurance,
        analysis.result,
        analysis.break_weeks,
        suggestion,
        chosen,
        frequency,
    )


def _with_gaps(rows: list[Row], weeks: list[date], readings: list[Reading], kept: list[int]) -> list[Row]:
    """The analysed rows with each recorded reading attached, and a gap row (no value) where nothing was counted."""
    by_position = dict(zip(kept, rows, strict=True))
    out, previous = [], None
    for k, reading in enumerate(readings):
        row = by_position.get(k)
        if row is None:
            neighbour = previous or rows[0]
            row = Row(weeks[k], None, neighbour.centre, None, None, None, "common_cause", neighbour.period, reading)
        else:
            row = Row(
                row.period_start,
                row.value,
                row.centre,
                row.lower_limit,
                row.upper_limit,
                row.special_cause,
                row.point_type,
                row.period,
                reading,
                row.detail,
            )
            previous = row
        out.append(row)
    return out


def _analyse_values(
    *,
    weeks: list[date],
    values: list[float],
    chart: str,
    improvement: str,
    target: float | None,
    baseline_points: int | None,
    rephase_weeks,
    frequency: str,
) -> Analysis:
    """An XmR or run chart of recorded values, none of them a gap."""
    n = len(values)
    # A re-phasing week without a value starts the new period at the next week that has one.
    starts = sorted({next((i for i, w in enumerate(weeks) if w >= r), n) for r in rephase_weeks} - {0, n})
    break_weeks = [weeks[i] for i in starts]
    if chart == "xmr":
        fix_after = baseline_points if baseline_points and baseline_points >= 2 else None
        result = spc.xmr(values, improvement=improvement, target=target, fix_after=fix_after, rebase_at=starts)
        period_of = _period_lookup([(p.start, p.end) for p in result.periods])
        rows = [
            Row(
                weeks[p.index],
                p.value,
                p.centre,
                None if math.isnan(p.lower_limit) else p.lower_limit,
                None if math.isnan(p.upper_limit) else p.upper_limit,
                p.special_cause,
                p.point_type,
                period_of[p.index],
            )
            for p in result.points
        ]
        signal, summary = _xmr_words(result, rows, improvement, frequency)
        variation, assurance = result.variation, result.assurance
    else:
        parts = starts if chart == "anhoej" else []
        baseline = baseline_points if baseline_points and not parts else None
        result = spc.run_chart(values, rules=chart, baseline=baseline, parts=parts)
        rows = _run_chart_rows(result, weeks, values, improvement)
        signal, summary = _run_chart_words(result, rows, improvement, chart, frequency)
        variation = assurance = None
    if n < MIN_POINTS:
        signal = "not_enough_data"
        summary = (
            f"Not enough data yet: {kinds.count_label(frequency, n)} entered; the rules need at least {MIN_POINTS}. "
            + summary
        )
    return Analysis(chart, rows, signal, summary, variation, assurance, result, break_weeks, frequency=frequency)


def _period_lookup(spans: list[tuple[int, int]]) -> dict[int, int]:
    return {i: k for k, (start, end) in enumerate(spans) for i in range(start, end + 1)}


def _run_chart_rows(result: spc.RunChartResult, weeks, values, improvement) -> list[Row]:
    period_of = _period_lookup([(p.start, p.end) for p in result.parts])
    # A part with too few useful points (spc.MIN_USEFUL) has no flagged points to show: its "signals" are chance.
    shift = {i for part in result.parts if not part.too_few_useful for i in part.shift}
    trend = {i for part in result.parts if not part.too_few_useful for i in part.trend}
    rows = []
    for i, (week, value) in enumerate(zip(weeks, values, strict=True)):
        part = result.parts[period_of[i]]
        cause, point_type = None, "common_cause"
        if i in shift:
            cause, point_type = "shift", point_type_for(improvement, value > part.median)
        elif i in trend:
            cause, point_type = "trend", point_type_for(improvement, _step_up(values, i, part.start, part.end))
        rows.append(Row(week, value, part.median, None, None, cause, point_type, period_of[i]))
    return rows


def _step_up(values, i: int, start: int, end: int) -> bool:
    """Direction of the trend at point i: the nearest non-zero step, looking back first."""
    for j in range(i, start, -1):
        if values[j] != values[j - 1]:
            return values[j] > values[j - 1]
    for j in range(i, end):
        if values[j + 1] != values[j]:
            return values[j + 1] > values[j]
    return True


def _latest_stretch(rows: list[Row], last: int) -> list[Row]:
    """The flagged rows of the same kind and rule that run back from row `last` without a gap."""
    stretch = [rows[last]]
    for row in reversed(rows[:last]):
        if row.special_cause != stretch[-1].special_cause or row.point_type != stretch[-1].point_type:
            break
        stretch.append(row)
    return list(reversed(stretch))


def _same_side(rows: list[Row], last: int, up: bool) -> list[Row]:
    """The periods back from row `last`, in its period, on the same side of the centre (weeks on it skipped)."""
    stretch = []
    for row in reversed(rows[: last + 1]):
        if row.period != rows[last].period or (row.value != row.centre and (row.value > row.centre) != up):
            break
        if row.value != row.centre:
            stretch.append(row)
    return list(reversed(stretch))


def _xmr_words(result: spc.XmrResult, rows: list[Row], improvement: str, frequency: str) -> tuple[str, str]:
    last = rows[-1]
    if last.special_cause is None:
        return "common_cause", (
            f"Common cause variation: the latest {kinds.NOUNS[frequency][0]} is within the limits and no rule is "
            f"broken. The mean is {last.centre:.4g}."
        )
    variation = result.variation
    up = variation.endswith("_high")
    kind = {"improvement": "improvement", "concern": "concern"}.get(variation.rsplit("_", 1)[0], "variation")
    label = f"Special cause {kind}" if kind != "variation" else "Special cause variation"
    stretch = _latest_stretch(rows, len(rows) - 1)
    since = when(frequency, stretch[0].period_start)
    side = "above" if up else "below"
    if last.special_cause == "shift":
        stretch = _same_side(rows, len(rows) - 1, up)
        count = kinds.count_label(frequency, len(stretch))
        detail = f"{count} {side} the mean since {when(frequency, stretch[0].period_start)}"
    elif last.special_cause == "trend":
        detail = f"{kinds.count_label(frequency, len(stretch))} {'rising' if up else 'falling'} since {since}"
    elif last.special_cause == "outside_limits" and len(stretch) > 1:
        detail = (
            f"{kinds.count_label(frequency, len(stretch))} {side} the {'upper' if up else 'lower'} limit since {since}"
        )
    elif last.special_cause == "outside_limits":
        detail = f"the latest {kinds.NOUNS[frequency][0]} is {side} the {'upper' if up else 'lower'} limit"
    else:
        detail = f"2 of the last 3 {kinds.NOUNS[frequency][1]} are close to the {'upper' if up else 'lower'} limit"
    return signal_for(improvement, up), f"{label}: {detail}."


def _run_chart_words(
    result: spc.RunChartResult, rows: list[Row], improvement: str, chart: str, frequency: str
) -> tuple[str, str]:
    if result.n_useful == 0:
        return "common_cause", f"Every week is on the median of {result.median:.4g}: no runs to analyse."
    if result.signal and result.too_few_useful:  # the rules fired, on too few points off the median to mean it
        part = result.parts[-1]
        centre = f"the median of {result.median:.4g}"
        return "not_enough_data", too_few_useful_words(result.n_useful, part.end - part.start + 1, frequency, centre)
    if not result.signal:
        return "common_cause", (
            f"Random (common cause) variation around the median of {result.median:.4g}: no run-chart rule is broken."
        )
    flagged = result.flagged
    if flagged:
        last = flagged[-1]
        point_type = rows[last].point_type
        if point_type.startswith("neutral"):
            up = point_type == "neutral_high"
        else:
            up = (point_type == "improvement") == (improvement == "increase")
        stretch = _latest_stretch(rows, last)
        since = when(frequency, stretch[0].period_start)
        kind = signal_for(improvement, up)
        label = {"improvement": "Non-random improvement", "concern": "Non-random concern"}.get(
            kind, "Non-random variation"
        )
        if rows[last].special_cause == "shift":
            above = rows[last].value > rows[last].centre
            stretch = _same_side(rows, last, above)
            side = "above" if above else "below"
            count = kinds.count_label(frequency, len(stretch))
            detail = f"{count} {side} the median since {when(frequency, stretch[0].period_start)}"
        else:
            detail = f"{kinds.count_label(frequency, len(stretch))} {'rising' if up else 'falling'} since {since}"
        return kind, f"{label}: {detail}."
    # No flagged point: too few crossings (Anhøj) or an unusual number of runs (IHI). Read the direction
    # from the side the latest useful week is on.
    part = result.parts[-1]
    latest = next((r for r in reversed(rows) if r.value != part.median), rows[-1])
    up = latest.value > part.median
    if chart == "anhoej":
        detail = f"the median is crossed {result.crossings} times, fewer than the {result.crossings_min} expected"
    else:
        detail = f"{result.runs} runs, outside the expected {result.runs_limits[0]} to {result.runs_limits[1]}"
    return signal_for(improvement, up), f"Non-random variation: {detail}."
