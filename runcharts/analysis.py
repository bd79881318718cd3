"""From a measure's weekly values to what its chart, table, alt text and signal say.

The maths is in spc.py (pure); this module picks the spc call for the measure's chart choice, turns the
result into one row per week, and words what the rules found. It takes plain values, not querysets, so
selectors can analyse many measures from one query.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from runcharts import spc

# Fewer weeks than this and no chart's rules can say much: the signal is "not enough data".
MIN_POINTS = 10
# Making Data Count suggests XmR limits once there are about 20 points.
XMR_SUGGESTED_POINTS = 20

SIGNALS = ("improvement", "concern", "common_cause", "not_enough_data")
SIGNAL_LABELS = {
    "improvement": "Improvement",
    "concern": "Concern",
    "common_cause": "Common cause",
    "not_enough_data": "Not enough data",
}
SPECIAL_CAUSE_LABELS = {
    "outside_limits": "Outside the limits",
    "trend": "Trend",
    "two_in_three": "Two of three close to a limit",
    "shift": "Shift",
}
POINT_TYPE_LABELS = {
    "common_cause": "Common cause",
    "improvement": "Improvement",
    "concern": "Concern",
    "neutral_high": "Special cause (higher)",
    "neutral_low": "Special cause (lower)",
}
VARIATION_MEANINGS = {
    "common_cause": "Common cause variation: no significant change.",
    "improvement_high": "Special cause variation of an improving nature, because the values are higher.",
    "improvement_low": "Special cause variation of an improving nature, because the values are lower.",
    "concern_high": "Special cause variation of a concerning nature, because the values are higher.",
    "concern_low": "Special cause variation of a concerning nature, because the values are lower.",
    "neutral_high": "Special cause variation, higher, where neither direction is an improvement.",
    "neutral_low": "Special cause variation, lower, where neither direction is an improvement.",
}
ASSURANCE_MEANINGS = {
    "pass": "Assurance: the process will consistently meet the target.",
    "fail": "Assurance: the process will consistently fail the target unless it changes.",
    "hit_and_miss": "Assurance: the process will sometimes meet and sometimes miss the target (hit and miss).",
}


@dataclass(frozen=True)
class Row:
    """One week as the chart, the data table and the CSV export show it."""

    week_start: date
    value: float
    centre: float
    lower_limit: float | None
    upper_limit: float | None
    special_cause: str | None  # spc's rule name for XmR; "shift" or "trend" for run charts
    point_type: str  # "common_cause" | "improvement" | "concern" | "neutral_high" | "neutral_low"
    period: int  # 0-based period (XmR) or part (run chart)

    @property
    def special_cause_label(self) -> str:
        return SPECIAL_CAUSE_LABELS.get(self.special_cause, "") if self.special_cause else ""

    @property
    def point_type_label(self) -> str:
        return POINT_TYPE_LABELS[self.point_type]


@dataclass(frozen=True)
class Analysis:
    chart: str  # "anhoej" | "ihi" | "xmr"
    rows: list[Row]
    signal: str  # one of SIGNALS
    summary: str  # what the rules found, in words (the start of the alt text)
    variation: str | None  # XmR only
    assurance: str | None  # XmR only
    result: spc.XmrResult | spc.RunChartResult | None
    break_weeks: list[date]  # weeks where a new period or part starts

    @property
    def meanings(self) -> list[str]:
        """The NHS variation and assurance icons' meaning in words (XmR charts)."""
        lines = []
        if self.variation:
            lines.append(VARIATION_MEANINGS[self.variation])
        if self.assurance:
            lines.append(ASSURANCE_MEANINGS[self.assurance])
        return lines

    @property
    def suggests_xmr(self) -> bool:
        return self.chart != "xmr" and len(self.rows) >= XMR_SUGGESTED_POINTS


def _day(week: date) -> str:
    return f"{week.day} {week:%B %Y}"


def _weeks(n: int) -> str:
    return "1 week" if n == 1 else f"{n} weeks"


def _direction_signal(improvement: str, up: bool) -> str:
    if improvement == "neutral":
        # A neutral measure has no better or worse: a change is reported on the page, not as a signal.
        return "common_cause"
    return "improvement" if up == (improvement == "increase") else "concern"


def _point_type(improvement: str, up: bool) -> str:
    if improvement == "neutral":
        return "neutral_high" if up else "neutral_low"
    return "improvement" if up == (improvement == "increase") else "concern"


def analyse(
    *,
    weeks: list[date],
    values: list[float],
    chart: str,
    improvement: str,
    target: float | None = None,
    baseline_points: int | None = None,
    rephase_weeks: list[date] = (),
) -> Analysis:
    """Analyse weekly values (in week order, missing weeks left out) as the measure's chart choice says."""
    n = len(values)
    # A re-phasing week without a value starts the new period at the next week that has one.
    starts = sorted({next((i for i, w in enumerate(weeks) if w >= r), n) for r in rephase_weeks} - {0, n})
    break_weeks = [weeks[i] for i in starts]
    if n == 0:
        return Analysis(chart, [], "not_enough_data", "No data has been entered yet.", None, None, None, [])
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
        signal, summary = _xmr_words(result, rows, improvement)
        variation, assurance = result.variation, result.assurance
    else:
        parts = starts if chart == "anhoej" else []
        baseline = baseline_points if baseline_points and not parts else None
        result = spc.run_chart(values, rules=chart, baseline=baseline, parts=parts)
        rows = _run_chart_rows(result, weeks, values, improvement)
        signal, summary = _run_chart_words(result, rows, improvement, chart)
        variation = assurance = None
    if n < MIN_POINTS:
        signal = "not_enough_data"
        summary = f"Not enough data yet: {_weeks(n)} entered; the rules need at least {MIN_POINTS}. " + summary
    return Analysis(chart, rows, signal, summary, variation, assurance, result, break_weeks)


def _period_lookup(spans: list[tuple[int, int]]) -> dict[int, int]:
    return {i: k for k, (start, end) in enumerate(spans) for i in range(start, end + 1)}


def _run_chart_rows(result: spc.RunChartResult, weeks, values, improvement) -> list[Row]:
    period_of = _period_lookup([(p.start, p.end) for p in result.parts])
    shift = {i for part in result.parts for i in part.shift}
    trend = {i for part in result.parts for i in part.trend}
    rows = []
    for i, (week, value) in enumerate(zip(weeks, values, strict=True)):
        part = result.parts[period_of[i]]
        cause, point_type = None, "common_cause"
        if i in shift:
            cause, point_type = "shift", _point_type(improvement, value > part.median)
        elif i in trend:
            cause, point_type = "trend", _point_type(improvement, _step_up(values, i, part.start, part.end))
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
    """The weeks back from row `last`, in its period, on the same side of the centre (weeks on it skipped)."""
    stretch = []
    for row in reversed(rows[: last + 1]):
        if row.period != rows[last].period or (row.value != row.centre and (row.value > row.centre) != up):
            break
        if row.value != row.centre:
            stretch.append(row)
    return list(reversed(stretch))


def _xmr_words(result: spc.XmrResult, rows: list[Row], improvement: str) -> tuple[str, str]:
    last = rows[-1]
    if last.special_cause is None:
        return "common_cause", (
            f"Common cause variation: the latest week is within the limits and no rule is broken. "
            f"The mean is {last.centre:.4g}."
        )
    variation = result.variation
    up = variation.endswith("_high")
    kind = {"improvement": "improvement", "concern": "concern"}.get(variation.rsplit("_", 1)[0], "variation")
    label = f"Special cause {kind}" if kind != "variation" else "Special cause variation"
    stretch = _latest_stretch(rows, len(rows) - 1)
    since = _day(stretch[0].week_start)
    side = "above" if up else "below"
    if last.special_cause == "shift":
        stretch = _same_side(rows, len(rows) - 1, up)
        detail = f"{_weeks(len(stretch))} {side} the mean since {_day(stretch[0].week_start)}"
    elif last.special_cause == "trend":
        detail = f"{_weeks(len(stretch))} {'rising' if up else 'falling'} since {since}"
    elif last.special_cause == "outside_limits" and len(stretch) > 1:
        detail = f"{_weeks(len(stretch))} {side} the {'upper' if up else 'lower'} limit since {since}"
    elif last.special_cause == "outside_limits":
        detail = f"the latest week is {side} the {'upper' if up else 'lower'} limit"
    else:
        detail = f"2 of the last 3 weeks are close to the {'upper' if up else 'lower'} limit"
    return _direction_signal(improvement, up), f"{label}: {detail}."


def _run_chart_words(result: spc.RunChartResult, rows: list[Row], improvement: str, chart: str) -> tuple[str, str]:
    if result.n_useful == 0:
        return "common_cause", f"Every week is on the median of {result.median:.4g}: no runs to analyse."
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
        since = _day(stretch[0].week_start)
        kind = _direction_signal(improvement, up)
        label = {"improvement": "Non-random improvement", "concern": "Non-random concern"}.get(
            kind, "Non-random variation"
        )
        if rows[last].special_cause == "shift":
            above = rows[last].value > rows[last].centre
            stretch = _same_side(rows, last, above)
            side = "above" if above else "below"
            detail = f"{_weeks(len(stretch))} {side} the median since {_day(stretch[0].week_start)}"
        else:
            detail = f"{_weeks(len(stretch))} {'rising' if up else 'falling'} since {since}"
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
    return _direction_signal(improvement, up), f"Non-random variation: {detail}."
