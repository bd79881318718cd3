"""Statistical process control for measures: NHS "Making Data Count" XmR charts, Anhøj or IHI run charts, and
Shewhart control charts (I, P, P′, U, U′, C, G and T).

Pure Python (standard library only, no Django): services pass plain numbers in time order, and get frozen
dataclasses back; bad input raises ``ValueError`` naming the bad value. What is computed, down to ties, points on
the centre line and which rule wins, is fixed by the project's SPC documents: ``docs/spc-rules.md`` follows
NHSRplotthedots 0.2.2 for XmR charts, qicharts2 0.8.1 for Anhøj run charts and Perla, Provost & Murray (2011) for
IHI run charts; ``docs/spc-control-charts.md`` follows qicharts2 0.8.1 for the control charts (in
``_spc_control``).

Worked example: 15 weekly counts, higher is better, target 12, with one spike at index 7.

>>> chart = xmr([5, 7, 6, 8, 6, 5, 7, 19, 6, 7, 5, 6, 8, 7, 6], target=12)
>>> period = chart.periods[0]
>>> period.centre, period.mean_moving_range  # the moving ranges 12 and 13 around the spike are screened out
(7.2, 1.5)
>>> round(period.lower_limit, 2), round(period.upper_limit, 2)
(3.21, 11.19)
>>> chart.outside_limits, chart.points[7].special_cause, chart.points[7].point_type
([7], 'outside_limits', 'improvement')
>>> chart.variation, chart.assurance  # the last week is common cause; the target is above the upper limit
('common_cause', 'fail')

The same kind of series as a run chart, median frozen on the first 9 weeks:

>>> runs = run_chart([12, 15, 13, 14, 16, 11, 14, 13, 9, 10, 8, 9, 10, 7, 9, 8], baseline=9)
>>> runs.median, runs.n_useful, runs.longest_run, runs.longest_run_max, runs.crossings, runs.crossings_min
(13.0, 14, 8, 7, 4, 4)
>>> runs.signal, runs.flagged  # 8 points in a row below the median: more than the 7 expected by chance
(True, [8, 9, 10, 11, 12, 13, 14, 15])
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise, repeat
from typing import Literal

from runcharts import _spc_control
from runcharts._spc_control import ControlChartPart as ControlChartPart  # re-exported: the contract's names
from runcharts._spc_control import ControlChartPoint as ControlChartPoint
from runcharts._spc_control import ControlChartResult
from runcharts._spc_rules import MIN_USEFUL as MIN_USEFUL  # re-exported: the pages say how many are needed
from runcharts._spc_rules import (
    RUNS_TABLE,
    anhoej_runs,
    finite_number,
    finite_values,
    frozen,
    ihi_trend,
    indices,
    mean,
    median,
    mutable_twin,
    too_few_useful,
    useful_runs,
    whole_number,
    xmr_flags,
)

Improvement = Literal["increase", "decrease", "neutral"]
Rules = Literal["anhoej", "ihi"]

IMPROVEMENTS: tuple[str, ...] = ("increase", "decrease", "neutral")
RULE_SETS: tuple[str, ...] = ("anhoej", "ihi")

_LIMIT = 2.66  # 3 sigma, estimated as 3 / d2 (d2 = 1.128 for moving ranges of 2) times the mean moving range
_CLOSE = 2 * (_LIMIT / 3)  # 2 sigma, written as NHSRplotthedots writes it so boundary comparisons agree
_SCREEN = 3.267  # D4 for moving ranges of 2: ranges at or above D4 × the mean range are screened out
SHORT_GROUP = 13  # fewer points than this in a period and its limits get a warning
_IHI_SHIFT_POINTS = 6

# point_type by improvement direction, for a special cause whose direction is up / down.
_POINT_TYPES: dict[str, tuple[str, str]] = {
    "increase": ("improvement", "concern"),
    "decrease": ("concern", "improvement"),
    "neutral": ("neutral_high", "neutral_low"),
}


@dataclass(frozen=True, slots=True)
class XmrPeriod:
    """One period of an XmR chart: the points from ``start`` to ``end`` (inclusive) share these lines.

    The lines are NaN when the spread is undefined: a basis of one point, or every moving range screened out.
    """

    start: int
    end: int
    n: int  # points in the period, not only in its basis
    centre: float
    lower_limit: float
    upper_limit: float
    two_sigma_lower: float
    two_sigma_upper: float
    mean_moving_range: float
    short_group_warning: bool  # fewer than 13 points: the limits may not be reliable yet


@dataclass(frozen=True, slots=True)
class XmrPoint:
    """One value of an XmR chart, with the lines of its period and the special cause that won precedence."""

    index: int
    value: float
    centre: float
    lower_limit: float
    upper_limit: float
    special_cause: str | None  # "outside_limits" | "trend" | "two_in_three" | "shift" | None
    point_type: str  # "common_cause" | "improvement" | "concern" | "neutral_high" | "neutral_low"
    direction: str | None  # "up" | "down" for a special cause (for drawing); None for common cause


@dataclass(frozen=True, slots=True)
class XmrResult:
    """An XmR chart. The four rule lists are each rule on its own, before precedence."""

    periods: list[XmrPeriod]
    points: list[XmrPoint]
    outside_limits: list[int]
    two_in_three: list[int]
    trend: list[int]
    shift: list[int]
    variation: str  # from the last point: "common_cause", "improvement_high", ..., "neutral_low"
    assurance: str | None  # "pass" | "fail" | "hit_and_miss", or None without a target or for a neutral measure


@dataclass(frozen=True, slots=True)
class RunChartPart:
    """The runs analysis of one part (points ``start`` to ``end``, inclusive) of a run chart.

    Fields of the other rule set are None (``trend`` is ``[]`` for Anhøj); so are the Anhøj fields when no point
    is off the median.
    """

    start: int
    end: int
    median: float  # NaN only when every point the median is taken from is excluded
    n_useful: int  # included points not on the median
    longest_run: int | None  # Anhøj
    longest_run_max: int | None  # Anhøj
    crossings: int | None  # Anhøj
    crossings_min: int | None  # Anhøj
    runs: int | None  # IHI
    runs_limits: tuple[int, int] | None  # IHI, for 10 to 40 useful points
    shift: list[int]
    trend: list[int]  # IHI
    signal: bool  # non-random variation
    flagged: list[int]
    too_few_useful: bool  # too few points off the median to read a signal from (_spc_rules.too_few_useful)


@dataclass(frozen=True, slots=True)
class RunChartResult:
    """A run chart. The top-level fields are those of the last part; ``parts[k].flagged`` marks earlier parts."""

    median: float
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    crossings: int | None
    crossings_min: int | None
    runs: int | None
    runs_limits: tuple[int, int] | None
    shift: list[int]
    trend: list[int]
    signal: bool
    flagged: list[int]
    too_few_useful: bool
    parts: list[RunChartPart]


def xmr(
    values: Sequence[float],
    *,
    improvement: Improvement = "increase",
    target: float | None = None,
    fix_after: int | None = None,
    rebase_at: Iterable[int] = (),
    screen_outliers: bool = True,
) -> XmrResult:
    """Analyse ``values`` as an NHS "Making Data Count" XmR chart.

    ``improvement`` says which way is better, ``target`` gives the assurance, ``fix_after`` takes each period's
    lines from its first N points only, and ``rebase_at`` starts a new period (new lines) at each index given.

    Worked example: a decrease measure with limits fixed on its first 12 points, then a fall.

    >>> chart = xmr(
    ...     [20, 22, 19, 21, 20, 23, 18, 21, 20, 22, 19, 21, 21, 20, 19, 18, 17, 16, 15, 14.5, 16, 15],
    ...     improvement="decrease",
    ...     fix_after=12,
    ... )
    >>> chart.periods[0].centre, round(chart.periods[0].lower_limit, 6)
    (20.5, 13.970909)
    >>> chart.trend  # 21 down to 14.5: 8 points, each strictly below the one before
    [12, 13, 14, 15, 16, 17, 18, 19]
    >>> [point.special_cause for point in chart.points[19:]]  # the trend wins precedence over two in three
    ['trend', 'two_in_three', 'two_in_three']
    >>> chart.points[-1].point_type, chart.variation, chart.assurance
    ('improvement', 'improvement_low', None)
    """
    xs = finite_values(values)
    n = len(xs)
    if improvement not in IMPROVEMENTS:
        raise ValueError(f"improvement must be one of {', '.join(IMPROVEMENTS)}, not {improvement!r}")
    if target is not None:
        target = finite_number("target", target)
    if fix_after is not None:
        fix_after = whole_number("fix_after", fix_after, minimum=2)
    if not isinstance(screen_outliers, bool):
        raise ValueError(f"screen_outliers must be True or False, not {screen_outliers!r}")
    starts = sorted({0, *indices("rebase_at", rebase_at, n)})
    up_type, down_type = _POINT_TYPES[improvement]

    periods: list[XmrPeriod] = []
    points: list[XmrPoint] = []
    outside_limits: list[int] = []
    two_in_three: list[int] = []
    trend: list[int] = []
    shift: list[int] = []
    for start, stop in zip(starts, [*starts[1:], n], strict=True):
        segment = xs[start:stop]
        period = _xmr_period(segment, start, fix_after, screen_outliers)
        periods.append(period)
        centre, lower, upper = period.centre, period.lower_limit, period.upper_limit
        rules = xmr_flags(
            segment,
            centre=centre,
            lower=lower,
            upper=upper,
            close_lower=period.two_sigma_lower,
            close_upper=period.two_sigma_upper,
        )
        # Every point starts as common cause; map() builds them without a Python-level loop.
        lines = (repeat(centre), repeat(lower), repeat(upper))
        common = (repeat(None), repeat("common_cause"), repeat(None))
        drafts = list(map(_Draft, range(start, stop), segment, *lines, *common))
        # Precedence: write the causes lowest first, so each higher rule overwrites the lower ones.
        causes = {k: cause for cause in ("shift", "two_in_three", "trend", "outside_limits") for k in rules[cause]}
        in_trend = set(rules["trend"])
        for k, cause in causes.items():
            value = segment[k]
            if cause != "trend":
                up = value > centre
            elif k + 1 in in_trend:
                # NHSRplotthedots' "right-hand side wins": the step to the next trend point decides, and a tie counts
                # as down, even when this point ends a rising trend and the next one starts a falling one.
                up = segment[k + 1] > value
            else:
                up = value > segment[k - 1]  # the last point of a trend; a trend has 7 points, so k >= 6
            draft = drafts[k]
            draft.special_cause = cause
            draft.point_type = up_type if up else down_type
            draft.direction = "up" if up else "down"
        points += frozen(drafts, XmrPoint)
        outside_limits += [start + k for k in rules["outside_limits"]]
        two_in_three += [start + k for k in rules["two_in_three"]]
        trend += [start + k for k in rules["trend"]]
        shift += [start + k for k in rules["shift"]]

    last = points[-1]
    if last.special_cause is None:
        variation = "common_cause"
    elif improvement == "neutral":
        variation = last.point_type  # already "neutral_high" or "neutral_low"
    else:
        variation = f"{last.point_type}_{'high' if last.direction == 'up' else 'low'}"
    return XmrResult(
        periods=periods,
        points=points,
        outside_limits=outside_limits,
        two_in_three=two_in_three,
        trend=trend,
        shift=shift,
        variation=variation,
        assurance=_assurance(improvement, target, periods[-1]),
    )


_Draft = mutable_twin(XmrPoint)  # points are drafted mutable and then frozen in place: see mutable_twin


def _xmr_period(segment: list[float], start: int, fix_after: int | None, screen_outliers: bool) -> XmrPeriod:
    basis = segment if fix_after is None else segment[:fix_after]
    centre = mean(basis)
    ranges = [abs(b - a) for a, b in pairwise(basis)]
    if ranges and screen_outliers:
        cut = _SCREEN * mean(ranges)
        ranges = [moving_range for moving_range in ranges if moving_range < cut]  # once, never repeated
    # No ranges left (a basis of one point, or every range 0 and so not below a cut of 0): the spread is undefined.
    mean_moving_range = mean(ranges) if ranges else math.nan
    limit = _LIMIT * mean_moving_range
    close = _CLOSE * mean_moving_range
    return XmrPeriod(
        start=start,
        end=start + len(segment) - 1,
        n=len(segment),
        centre=centre,
        lower_limit=centre - limit,
        upper_limit=centre + limit,
        two_sigma_lower=centre - close,
        two_sigma_upper=centre + close,
        mean_moving_range=mean_moving_range,
        short_group_warning=len(segment) < SHORT_GROUP,
    )


def _assurance(improvement: str, target: float | None, period: XmrPeriod) -> str | None:
    if target is None or improvement == "neutral":
        return None
    if target > period.upper_limit:  # every point is expected below the target
        return "fail" if improvement == "increase" else "pass"
    if target < period.lower_limit:  # every point is expected above the target
        return "pass" if improvement == "increase" else "fail"
    return "hit_and_miss"  # includes a target on a limit, and NaN limits


def run_chart(
    values: Sequence[float],
    *,
    rules: Rules = "anhoej",
    baseline: int | None = None,
    parts: Iterable[int] = (),
    exclude: Iterable[int] = (),
) -> RunChartResult:
    """Analyse ``values`` as a run chart, by the Anhøj rules (the default) or the IHI rules.

    ``baseline`` takes the median from the first N points only (ignored when there are ``parts``, as in
    qicharts2), ``parts`` starts a new part with its own median at each index given (Anhøj only), and
    ``exclude`` leaves points out of the median and the runs analysis.

    Worked example: the IHI rules, where the median 8 is hit three times.

    >>> chart = run_chart([6, 9, 7, 10, 5, 8, 4, 6, 7, 7, 8, 11, 9, 10, 12, 8, 9, 10, 11], rules="ihi")
    >>> chart.median, chart.n_useful, chart.runs, chart.runs_limits
    (8.0, 16, 6, (5, 13))
    >>> chart.shift  # 7 useful points above the median; index 15 is on it and neither breaks nor joins the run
    [11, 12, 13, 14, 16, 17, 18]
    >>> chart.trend  # 4, 6, 7, 7, 8, 11: the repeated 7 counts once, leaving 5 rising points
    [6, 7, 8, 9, 10, 11]
    >>> chart.signal, chart.longest_run
    (True, None)
    """
    xs = finite_values(values)
    n = len(xs)
    if rules not in RULE_SETS:
        raise ValueError(f"rules must be one of {', '.join(RULE_SETS)}, not {rules!r}")
    if baseline is not None:
        baseline = whole_number("baseline", baseline, minimum=1)
    part_starts = indices("parts", parts, n)
    if rules == "ihi" and part_starts:
        raise ValueError(f"parts are only for rules='anhoej', not rules='ihi' (parts={part_starts!r})")
    excluded = set(indices("exclude", exclude, n))
    starts = sorted({0, *part_starts})
    freeze = baseline if len(starts) == 1 else None  # as in qicharts2, a baseline is ignored when there are parts

    results: list[RunChartPart] = []
    for start, stop in zip(starts, [*starts[1:], n], strict=True):
        included = [i for i in range(start, stop) if i not in excluded] if excluded else list(range(start, stop))
        basis = included if freeze is None else [i for i in included if i < freeze]
        centre = median([xs[i] for i in basis])
        analyse = _anhoej if rules == "anhoej" else _ihi
        results.append(analyse(xs, start, stop - 1, included, centre))
    last = results[-1]
    return RunChartResult(
        median=last.median,
        n_useful=last.n_useful,
        longest_run=last.longest_run,
        longest_run_max=last.longest_run_max,
        crossings=last.crossings,
        crossings_min=last.crossings_min,
        runs=last.runs,
        runs_limits=last.runs_limits,
        shift=list(last.shift),
        trend=list(last.trend),
        signal=last.signal,
        flagged=list(last.flagged),
        too_few_useful=last.too_few_useful,
        parts=results,
    )


def _anhoej(xs: list[float], start: int, end: int, included: list[int], centre: float) -> RunChartPart:
    runs = anhoej_runs(xs, included, centre)
    return RunChartPart(
        start=start,
        end=end,
        median=centre,
        n_useful=runs.n_useful,
        longest_run=runs.longest_run,
        longest_run_max=runs.longest_run_max,
        crossings=runs.crossings,
        crossings_min=runs.crossings_min,
        runs=None,
        runs_limits=None,
        shift=runs.shift,
        trend=[],
        signal=runs.signal,
        flagged=list(runs.shift),  # a crossings-only signal flags no point
        too_few_useful=too_few_useful(runs.n_useful, len(included)),
    )


def _ihi(xs: list[float], start: int, end: int, included: list[int], centre: float) -> RunChartPart:
    runs = useful_runs(xs, included, centre)
    n_useful = sum(len(run) for run in runs)
    shift = [i for run in runs if len(run) >= _IHI_SHIFT_POINTS for i in run]
    trend = ihi_trend(xs, included)
    limits = RUNS_TABLE.get(n_useful)
    unexpected_runs = limits is not None and not limits[0] <= len(runs) <= limits[1]
    return RunChartPart(
        start=start,
        end=end,
        median=centre,
        n_useful=n_useful,
        longest_run=None,
        longest_run_max=None,
        crossings=None,
        crossings_min=None,
        runs=len(runs),
        runs_limits=limits,
        shift=shift,
        trend=trend,
        signal=bool(shift or trend or unexpected_runs),
        flagged=sorted({*shift, *trend}),
        too_few_useful=too_few_useful(n_useful, len(included)),
    )


def control_chart(
    values: Sequence[float | None],
    *,
    chart: str = "i",
    baseline: int | None = None,
    parts: Iterable[int] = (),
    exclude: Iterable[int] = (),
    screen_outliers: bool = True,
) -> ControlChartResult:
    """An I chart (individuals, qicharts2 ``chart = "i"``) of ``values``, with the Anhøj runs analysis.

    ``None`` is a gap. ``baseline``, ``parts`` and ``exclude`` mean what they mean for ``run_chart``; the limits
    are the mean ± 3/1.128 × the mean moving range, screened when ``screen_outliers`` (not the 2.66 of ``xmr``).

    Worked example (spc-control-charts.md, example 3): a gap breaks the moving ranges; the excluded 40 is left out
    of the lines, its neighbours' range joins across it, and it is still judged against the limits.

    >>> chart = control_chart([20, 22, None, 19, 25, 21, 40, 23, 20, 22], exclude=(6,))
    >>> chart.centre, round(chart.mean_moving_range, 7), round(chart.points[0].lower_limit, 7)
    (21.5, 3.1666667, 13.0780142)
    >>> chart.sigma_signals, chart.longest_run, chart.crossings, chart.signal
    ([6], 1, 7, True)
    """
    chart = _spc_control.chart_name(chart, _spc_control.INDIVIDUAL_CHARTS, "control_chart")
    xs = _spc_control.gappy_numbers("values", values)
    return _spc_control.analyse(
        chart, xs, None, baseline=baseline, parts=parts, exclude=exclude, screen=screen_outliers
    )


def attribute_chart(
    numerators: Sequence[float | None],
    denominators: Sequence[float | None] | None = None,
    *,
    chart: str,
    baseline: int | None = None,
    parts: Iterable[int] = (),
    exclude: Iterable[int] = (),
    screen_outliers: bool = True,
) -> ControlChartResult:
    """A P, P′ (``"pp"``), U, U′ (``"up"``) or C chart of counts, over ``denominators`` except for C.

    A position is a gap when its numerator or denominator is ``None``, or both are 0. p̄ and ū are ratios of sums;
    the P and U limits vary with each denominator, and Laney's P′ and U′ widen them by ``sigma_z``. Scaling to a
    percentage or a rate per 1,000 is left to the caller.

    Worked example (spc-control-charts.md, example 1): one week is above its P limit, but not above its P′ one.

    >>> numerators, denominators = [3, 6, 2, 6, 4, 0, 13, 5], [30, 50, 20, 40, 40, 25, 45, 50]
    >>> p = attribute_chart(numerators, denominators, chart="p")
    >>> p.centre, round(p.points[1].upper_limit, 7), p.points[1].lower_limit, p.sigma_signals, p.signal
    (0.13, 0.2726815, 0.0, [6], True)
    >>> pp = attribute_chart(numerators, denominators, chart="pp")
    >>> round(pp.sigma_z, 7), round(pp.points[6].upper_limit, 7), pp.sigma_signals
    (1.5771538, 0.3672031, [])
    """
    chart = _spc_control.chart_name(chart, _spc_control.ATTRIBUTE_CHARTS, "attribute_chart")
    values, sizes, counts = _spc_control.attribute_inputs(chart, numerators, denominators)
    return _spc_control.analyse(
        chart, values, sizes, numerators=counts, baseline=baseline, parts=parts, exclude=exclude, screen=screen_outliers
    )


def rare_event_chart(
    values: Sequence[float | None],
    *,
    chart: str,
    baseline: int | None = None,
    parts: Iterable[int] = (),
    exclude: Iterable[int] = (),
    screen_outliers: bool = True,
) -> ControlChartResult:
    """A G chart (opportunities between events, such as days or patients) or a T chart (time between events).

    The G chart's centre line is the median, but its limits come from the mean, so its lower limit is always 0.
    The T chart is the I chart of value ** (1/3.6), its lines raised back to the power 3.6.

    Worked example (spc-control-charts.md, example 2): the runs are judged against the median, 10.5.

    >>> chart = rare_event_chart([12, 3, 25, 8, 0, 17, 40, 6, 9, 110], chart="g")
    >>> chart.centre, round(chart.points[0].upper_limit, 6), chart.points[0].lower_limit, chart.sigma_signals
    (10.5, 93.484041, 0.0, [9])
    >>> chart.n_useful, chart.longest_run, chart.crossings, chart.runs_signal
    (10, 2, 6, False)
    """
    chart = _spc_control.chart_name(chart, _spc_control.RARE_EVENT_CHARTS, "rare_event_chart")
    # G counts may be 0 (an event on the next opportunity); a time between events must be more than 0.
    xs = _spc_control.gappy_numbers("values", values, **({"minimum": 0} if chart == "g" else {"above": 0}))
    return _spc_control.analyse(
        chart, xs, None, baseline=baseline, parts=parts, exclude=exclude, screen=screen_outliers
    )
