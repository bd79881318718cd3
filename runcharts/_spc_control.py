"""Private to ``runcharts.spc``: Shewhart control charts (I, P, P′, U, U′, C, G and T) with the Anhøj runs analysis.

Pure Python, no Django. What is computed is fixed by the project's control-chart document
(``docs/spc-control-charts.md``), which follows qicharts2 0.8.1 with the package attached (screened moving ranges).
The public functions are ``spc.control_chart``, ``spc.attribute_chart`` and ``spc.rare_event_chart``; they check
their arguments, turn each position into a value (or a gap) and call ``analyse`` here.

A *gap* (``None``) keeps its place: it adds nothing to a centre line, is never a useful point or a sigma signal, and
breaks the chain of moving ranges. An excluded point is left out of the lines and the runs analysis, and its
neighbours' moving range joins across it, but it is still judged against its part's limits.

>>> chart = analyse("c", [4.0, None, 6.0, 5.0, 17.0], None, baseline=None, parts=(), exclude=(), screen=True)
>>> chart.centre, chart.sigma_signals  # the mean of the four counts is 8; 17 is above 8 + 3 × √8 ≈ 16.5
(8.0, [4])
>>> chart.points[1].value, chart.points[1].upper_limit == chart.points[0].upper_limit  # a gap keeps the lines
(None, True)
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise, repeat
from typing import Any

from runcharts._spc_rules import (
    anhoej_runs,
    finite_number,
    frozen,
    indices,
    mean,
    median,
    mutable_twin,
    too_few_useful,
    whole_number,
)

ATTRIBUTE_CHARTS: tuple[str, ...] = ("p", "pp", "u", "up", "c")
RARE_EVENT_CHARTS: tuple[str, ...] = ("g", "t")
INDIVIDUAL_CHARTS: tuple[str, ...] = ("i",)
WITH_DENOMINATORS = frozenset({"p", "pp", "u", "up"})
LANEY = frozenset({"pp", "up"})
WITH_MOVING_RANGES = frozenset({"i", "t", "pp", "up"})

_SIGMAS = 3
_D2 = 1.128  # E[range of 2] / σ: σ is estimated as the mean moving range / d2
_SCREEN = 3.267  # D4 for moving ranges of 2: ranges at or above D4 × their mean are screened out
_T_POWER = 3.6  # Nelson's transformation: time between events ** (1 / 3.6) is roughly normal


@dataclass(frozen=True, slots=True)
class ControlChartPoint:
    """One position of a control chart, judged against its part's lines (P/U limits vary with its denominator)."""

    index: int
    value: float | None  # None for a gap
    centre: float
    lower_limit: float | None  # None where the limit is undefined
    upper_limit: float | None
    sigma_signal: bool  # strictly beyond a limit (an excluded point is judged too; a gap never is)


@dataclass(frozen=True, slots=True)
class ControlChartPart:
    """One part (positions ``start`` to ``end``, inclusive) with its own centre line, limits and runs analysis.

    The runs fields are None when no point is off the centre line. ``mean_moving_range`` is for i, t, pp and up
    charts only (NaN when there is no moving range), ``sigma_z`` for pp and up only.
    """

    start: int
    end: int
    centre: float  # NaN only when the basis has no point at all
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    crossings: int | None
    crossings_min: int | None
    runs_signal: bool
    shift: list[int]  # useful points in runs longer than longest_run_max
    sigma_signals: list[int]
    signal: bool  # runs_signal, or any sigma signal
    mean_moving_range: float | None
    sigma_z: float | None
    too_few_useful: bool  # too few points off the centre line to read the runs from (_spc_rules.too_few_useful)


@dataclass(frozen=True, slots=True)
class ControlChartResult:
    """A control chart. The fields after ``parts`` are those of the last part, index lists included."""

    chart: str
    points: list[ControlChartPoint]
    parts: list[ControlChartPart]
    centre: float
    n_useful: int
    longest_run: int | None
    longest_run_max: int | None
    crossings: int | None
    crossings_min: int | None
    runs_signal: bool
    shift: list[int]
    sigma_signals: list[int]
    signal: bool
    mean_moving_range: float | None
    sigma_z: float | None
    too_few_useful: bool


_DraftPoint = mutable_twin(ControlChartPoint)  # drafted mutable, then frozen in place (see mutable_twin)


# --- Arguments ---------------------------------------------------------------------------------------------------


def chart_name(chart: object, offered: tuple[str, ...], function: str) -> str:
    if not isinstance(chart, str) or chart not in offered:
        raise ValueError(f"{function} draws chart {' | '.join(map(repr, offered))}, not {chart!r}")
    return chart


_PLAIN = frozenset({float, int, type(None)})


def gappy_numbers(name: str, values: object, *, minimum: float | None = None, above: float | None = None) -> list:
    """The values as a new, non-empty list of floats or None (a gap). NaN, inf, or anything else raises."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValueError(f"{name} must be a sequence of numbers, not {values!r}")
    checked = list(values)
    if not checked:
        raise ValueError(f"{name} must not be empty")
    isfinite = math.isfinite
    try:  # the common case, each pass in C where it can be: floats, ints and gaps, all finite
        types = set(map(type, checked))
        if types <= _PLAIN:
            fast = [value if value is None else float(value) for value in checked] if int in types else checked
            numbers = [value for value in fast if value is not None] if type(None) in types else fast
            if all(map(isfinite, numbers)):
                return _bounded(name, fast, values, minimum, above)
    except OverflowError:  # an int beyond the float range: the loop below names it
        pass
    for k, value in enumerate(checked):
        kind = type(value)
        if kind is float:
            if isfinite(value):
                continue
        elif kind is int:  # counts are the commonest input: convert a plain int without the general checks
            try:
                checked[k] = float(value)
                continue
            except OverflowError:
                pass
        elif value is None:
            continue
        checked[k] = finite_number(f"{name}[{k}]", value)
    return _bounded(name, checked, values, minimum, above)


def _bounded(name: str, checked: list, values, minimum: float | None, above: float | None) -> list:
    """``checked``, once every number is at least ``minimum`` or greater than ``above``; else the first is named."""
    if minimum is not None or above is not None:
        numbers = [value for value in checked if value is not None]
        if (minimum is not None and min(numbers, default=minimum) >= minimum) or (
            above is not None and min(numbers, default=above + 1) > above
        ):
            return checked
        bound = minimum if minimum is not None else above
        wrong = (
            (k for k, x in enumerate(checked) if x is not None and x < bound)
            if minimum is not None
            else (k for k, x in enumerate(checked) if x is not None and x <= bound)
        )
        k = next(wrong, None)
        if k is not None:
            need = "must not be negative" if minimum is not None else f"must be greater than {above:g}"
            raise ValueError(f"{name}[{k}] {need}, not {list(values)[k]!r}")
    return checked


def attribute_inputs(chart: str, numerators: object, denominators: object) -> tuple[list, list | None, list]:
    """(values, denominators, counts) for ``analyse``, checked against the contract's errors."""
    counts = gappy_numbers("numerators", numerators, minimum=0)
    if chart == "c":
        if denominators is not None:
            raise ValueError("a C chart counts events with no denominator: pass denominators=None")
        return counts, None, counts
    if denominators is None:
        raise ValueError(f"a {chart!r} chart needs denominators, one for each numerator")
    sizes = gappy_numbers("denominators", denominators, minimum=0)
    if len(sizes) != len(counts):
        raise ValueError(f"there are {len(counts)} numerators but {len(sizes)} denominators")
    values, sizes = _ratios(chart, counts, sizes)
    return values, sizes, counts


def _ratios(chart: str, numerators: list, denominators: list) -> tuple[list, list]:
    """(value, denominator) per position for p/pp/u/up: None for a gap; n/0 and, for p/pp, n > d raise."""
    pairs = list(zip(numerators, denominators, strict=True))
    # A gap: a missing numerator or denominator, or 0 out of 0. Anything over 0 out of 0 is an error.
    for k, (numerator, denominator) in enumerate(pairs):
        if denominator == 0 and numerator is not None and numerator > 0:
            raise ValueError(f"numerators[{k}] is {numerator:g} but denominators[{k}] is 0")
    if chart in ("p", "pp"):
        for k, (numerator, denominator) in enumerate(pairs):
            if numerator is not None and denominator is not None and numerator > denominator:
                raise ValueError(
                    f"numerators[{k}] ({numerator:g}) is greater than denominators[{k}] ({denominator:g}): "
                    "a proportion cannot exceed 1"
                )
    sizes = [None if n is None or not d else d for n, d in pairs]  # not d: None, or 0 (0 out of 0)
    values = [None if d is None else n / d for (n, _), d in zip(pairs, sizes, strict=True)]
    return values, sizes


# --- The chart ---------------------------------------------------------------------------------------------------


def analyse(
    chart: str,
    values: list,
    sizes: list | None,
    *,
    baseline: object,
    parts: object,
    exclude: object,
    screen: object,
    numerators: list | None = None,
) -> ControlChartResult:
    """The chart of checked ``values`` (floats, None for a gap); ``sizes`` are the denominators for p/pp/u/up.

    ``numerators`` (p/pp/u/up) give the centre line as a ratio of sums, as qicharts2 does, not a mean of ratios.
    """
    n = len(values)
    if baseline is not None:
        baseline = whole_number("baseline", baseline, minimum=1)
    starts = sorted({0, *indices("parts", parts, n)})
    excluded = set(indices("exclude", exclude, n))
    if not isinstance(screen, bool):
        raise ValueError(f"screen_outliers must be True or False, not {screen!r}")
    freeze = baseline if len(starts) == 1 else None  # as for run charts, a baseline is ignored when there are parts

    points: list[Any] = []
    results: list[ControlChartPart] = []
    for start, stop in zip(starts, [*starts[1:], n], strict=True):
        rows = range(start, stop)
        basis_rows = [i for i in rows if i not in excluded and (freeze is None or i < freeze)]
        lines = _lines(chart, values, sizes, numerators, basis_rows, screen)
        part_points = _points(chart, values, sizes, rows, lines)
        points += part_points
        sigma_signals = [p.index for p in part_points if p.sigma_signal]
        included = [i for i in rows if values[i] is not None and i not in excluded]
        results.append(_runs(start, stop - 1, values, included, lines, sigma_signals))
    last = results[-1]
    return ControlChartResult(
        chart=chart,
        points=frozen(points, ControlChartPoint),
        parts=results,
        centre=last.centre,
        n_useful=last.n_useful,
        longest_run=last.longest_run,
        longest_run_max=last.longest_run_max,
        crossings=last.crossings,
        crossings_min=last.crossings_min,
        runs_signal=last.runs_signal,
        shift=list(last.shift),
        sigma_signals=list(last.sigma_signals),
        signal=last.signal,
        mean_moving_range=last.mean_moving_range,
        sigma_z=last.sigma_z,
        too_few_useful=last.too_few_useful,
    )


@dataclass(frozen=True, slots=True)
class _Lines:
    centre: float
    lower: float | None  # the part's limits (c, g, i, t); None when undefined or when they vary per point
    upper: float | None
    sigma_z: float | None  # Laney's multiplier (pp, up)
    mean_moving_range: float | None


def _lines(chart: str, values: list, sizes, numerators, basis_rows: list[int], screen: bool) -> _Lines:
    basis = [i for i in basis_rows if values[i] is not None]
    if chart in WITH_DENOMINATORS:
        centre = _ratio_of_sums([numerators[i] for i in basis], [sizes[i] for i in basis])
        if chart not in LANEY:
            return _Lines(centre, None, None, None, None)
        # Laney: z-scores of the basis rows against the unadjusted sigma; a gap has none and breaks the chain.
        sequence = _z_scores(chart, values, sizes, basis_rows, centre)
        mean_moving_range = _mean_moving_range(sequence, screen)
        return _Lines(centre, None, None, mean_moving_range / _D2, mean_moving_range)
    if chart == "c":
        centre = mean([values[i] for i in basis])
        sigma = math.sqrt(centre)
        return _Lines(centre, _floor(centre - _SIGMAS * sigma), centre + _SIGMAS * sigma, None, None)
    if chart == "g":
        m = mean([values[i] for i in basis])
        upper = m + _SIGMAS * math.sqrt(m * (m + 1))
        # The limits come from the mean; the centre line is the median (qicharts2 replaces it after the limits).
        # The lower limit of a G chart is always below 0, so always floored to 0.
        lower = _floor(m - _SIGMAS * math.sqrt(m * (m + 1)), always=True)
        return _Lines(median([values[i] for i in basis]), lower, upper, None, None)
    if chart == "i":
        centre = mean([values[i] for i in basis])
        sequence = [None if values[i] is None else values[i] - centre for i in basis_rows]
        mean_moving_range = _mean_moving_range(sequence, screen)
        sigma = mean_moving_range / _D2
        return _Lines(centre, centre - _SIGMAS * sigma, centre + _SIGMAS * sigma, None, mean_moving_range)
    # t: the I chart of value ** (1 / 3.6), its lines raised back to the power 3.6.
    transformed = {i: values[i] ** (1 / _T_POWER) for i in basis}
    centre_w = mean(list(transformed.values()))
    sequence = [transformed[i] - centre_w if i in transformed else None for i in basis_rows]
    mean_moving_range = _mean_moving_range(sequence, screen)
    sigma = mean_moving_range / _D2
    low_w = centre_w - _SIGMAS * sigma
    # A negative transformed limit has no real 3.6th power: qicharts2 gets NaN there and sets the limit to 0.
    lower = 0.0 if low_w <= 0 else _power(low_w)
    return _Lines(_power(centre_w), lower, _power(centre_w + _SIGMAS * sigma), None, mean_moving_range)


def _variance_factor(chart: str, centre: float) -> float:
    """σᵢ² × nᵢ: p̄(1 − p̄) for p and pp, ū for u and up."""
    return centre * (1 - centre) if chart in ("p", "pp") else centre


def _z_scores(chart: str, values: list, sizes: list, rows: list[int], centre: float) -> list[float | None]:
    """zᵢ = (valueᵢ − centre) / σᵢ with the unadjusted σᵢ; None for a gap, or where 0/0 gives NaN in qicharts2."""
    factor, sqrt, isfinite = _variance_factor(chart, centre), math.sqrt, math.isfinite
    sigmas = [None if values[i] is None else sqrt(factor / sizes[i]) for i in rows]
    # σ is 0 only for p̄ of 0 or 1 (or ū of 0), when every basis value is on the centre: 0/0, NaN in R, no score.
    scores = [None if not sigma else (values[i] - centre) / sigma for i, sigma in zip(rows, sigmas, strict=True)]
    return [z if z is None or isfinite(z) else None for z in scores]


def _points(chart: str, values: list, sizes, rows: range, lines: _Lines) -> list[Any]:
    centre = lines.centre
    part_values = values[rows.start : rows.stop]
    if chart in WITH_DENOMINATORS:
        lowers, uppers = _varying_limits(chart, sizes[rows.start : rows.stop], lines)
    else:
        lowers, uppers = [_defined(lines.lower)] * len(rows), [_defined(lines.upper)] * len(rows)
    # Comprehensions and map(), with no Python-level call per point: 10,000 points must stay within the budget.
    signals = [
        value is not None and ((upper is not None and value > upper) or (lower is not None and value < lower))
        for value, lower, upper in zip(part_values, lowers, uppers, strict=True)
    ]
    return list(map(_DraftPoint, rows, part_values, repeat(centre), lowers, uppers, signals))


def _varying_limits(chart: str, sizes: list, lines: _Lines) -> tuple[list, list]:
    """Each point's P or U limits from its own denominator; None for a gap (n = 0) and where undefined."""
    centre, sigma_z = lines.centre, lines.sigma_z
    gaps = [None] * len(sizes)
    if not math.isfinite(centre) or (sigma_z is not None and not math.isfinite(sigma_z)):
        return gaps, list(gaps)
    factor, sqrt = _variance_factor(chart, centre), math.sqrt
    # qicharts2's order of operations: σᵢ = √(factor / nᵢ), times sigma_z for Laney, then 3σᵢ.
    if sigma_z is None:
        spreads = [None if n is None else _SIGMAS * sqrt(factor / n) for n in sizes]
    else:
        spreads = [None if n is None else _SIGMAS * (sqrt(factor / n) * sigma_z) for n in sizes]
    present = [spread for spread in spreads if spread is not None]
    widest = max(present, default=0.0)
    # The UCL is capped at 1 for proportions and the LCL floored at 0, as qicharts2 does for finite limits.
    cap = 1.0 if chart in ("p", "pp") else math.inf
    if math.isfinite(centre + widest) and math.isfinite(centre - widest):
        uppers = [None if sp is None else (upper if (upper := centre + sp) <= cap else cap) for sp in spreads]
        lowers = [None if sp is None else (lower if (lower := centre - sp) >= 0 else 0.0) for sp in spreads]
    else:  # some limits are beyond the float range: those are undefined
        uppers = [None if sp is None else _defined(centre + sp) for sp in spreads]
        lowers = [None if sp is None else _defined(centre - sp) for sp in spreads]
        uppers = [upper if upper is None or upper <= cap else cap for upper in uppers]
        lowers = [lower if lower is None or lower >= 0 else 0.0 for lower in lowers]
    return lowers, uppers


def _runs(start: int, end: int, values: list, included: list[int], lines: _Lines, sigma_signals: list[int]):
    """The Anhøj runs analysis of the part's included non-gap points against its centre line (spc-rules §3.4-3.10)."""
    centre = lines.centre
    runs = anhoej_runs(values, included, centre)
    n_useful, longest_run, longest_allowed = runs.n_useful, runs.longest_run, runs.longest_run_max
    crossings, fewest_crossings, shift, runs_signal = runs.crossings, runs.crossings_min, runs.shift, runs.signal
    return ControlChartPart(
        start=start,
        end=end,
        centre=centre,
        n_useful=n_useful,
        longest_run=longest_run,
        longest_run_max=longest_allowed,
        crossings=crossings,
        crossings_min=fewest_crossings,
        runs_signal=runs_signal,
        shift=shift,
        sigma_signals=sigma_signals,
        signal=runs_signal or bool(sigma_signals),
        mean_moving_range=lines.mean_moving_range,
        sigma_z=lines.sigma_z,
        too_few_useful=too_few_useful(n_useful, len(included)),
    )


# --- Arithmetic ----------------------------------------------------------------------------------------------------


def _mean_moving_range(sequence: Sequence[float | None], screen: bool) -> float:
    """The mean of |s[k+1] − s[k]| over neighbours that are both numbers, screened once; NaN with no range."""
    ranges = [abs(b - a) for a, b in pairwise(sequence) if a is not None and b is not None]
    ranges = [r for r in ranges if r == r]  # inf − inf after an overflow is NaN, which R's mean(na.rm = TRUE) drops
    if ranges and screen:
        cut = _SCREEN * mean(ranges)
        ranges = [moving_range for moving_range in ranges if moving_range < cut]  # strictly less: once, not repeated
    return mean(ranges)


def _ratio_of_sums(numerators: list[float], denominators: list[float]) -> float:
    """Σ numerators / Σ denominators (p̄ or ū), not the mean of the ratios; NaN for an empty basis."""
    if not denominators:
        return math.nan
    try:
        return math.fsum(numerators) / math.fsum(denominators)
    except OverflowError:
        top, bottom = math.fsum(x / 2**64 for x in numerators), math.fsum(x / 2**64 for x in denominators)
        return top / bottom


def _floor(lower: float, *, always: bool = False) -> float:
    """A lower limit below 0 becomes 0: only a finite one, except on a G chart, where qicharts2 floors any."""
    return 0.0 if lower < 0 and (always or math.isfinite(lower)) else lower


def _defined(limit: float | None) -> float | None:
    """None where the formula gives NaN or ±inf, as qicharts2 leaves such a limit NA."""
    return limit if limit is not None and math.isfinite(limit) else None


def _power(w: float) -> float:
    try:
        return w**_T_POWER
    except OverflowError:
        return math.inf
    except (ValueError, TypeError):  # a negative base (not reached: limits below 0 are set to 0 first)
        return math.nan
