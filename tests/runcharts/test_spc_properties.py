"""Property tests for the SPC maths: invariants, and agreement with slow reference versions written from the rules.

The references below follow the wording of the SPC rules document line by line (every window of 7, every window
of 3, every pair of flat groups), with none of the shortcuts the module takes to stay linear. XmR flags are judged
against the lines the module computed, so floating-point ties are settled the same way on both sides; the lines
themselves are checked separately against exact fractions.
"""

import math
import statistics
from fractions import Fraction
from functools import cache
from itertools import pairwise

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from runcharts.spc import run_chart, xmr

examples = settings(max_examples=300, deadline=None, database=None)

# Small integers make ties, points on the mean or median, and exact limits common, which is where the rules bite.
small_ints = st.lists(st.integers(-6, 6), min_size=1, max_size=50)
wide_floats = st.lists(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False), min_size=1, max_size=50
)
series = st.one_of(small_ints, wide_floats, st.lists(st.integers(0, 1000), min_size=1, max_size=50))

PRECEDENCE = ("outside_limits", "trend", "two_in_three", "shift")


@st.composite
def with_indices(draw, values_strategy=series, max_indices=4):
    values = draw(values_strategy)
    picked = draw(st.lists(st.integers(0, len(values) - 1), max_size=max_indices))
    return values, picked


def period_bounds(n, rebase_at):
    starts = sorted({0, *rebase_at})
    return list(zip(starts, [*starts[1:], n], strict=True))


# --- XmR reference ---------------------------------------------------------------------------------------------------


def reference_lines(basis, *, screen):
    """Centre and mean moving range as exact fractions, or None for an undefined spread."""
    exact = [Fraction(value) for value in basis]
    centre = sum(exact) / len(exact)
    ranges = [abs(b - a) for a, b in pairwise(exact)]
    if screen and ranges:
        cut = Fraction(3.267) * (sum(ranges) / len(ranges))
        ranges = [r for r in ranges if r < cut]
    return centre, (sum(ranges) / len(ranges) if ranges else None)


def screening_is_clear(values, chart):
    """No moving range within a hair of its screening cut, where float and exact arithmetic may disagree."""
    for period in chart.periods:
        segment = [Fraction(v) for v in values[period.start : period.end + 1]]
        ranges = [abs(b - a) for a, b in pairwise(segment)]
        if ranges:
            cut = Fraction(3.267) * (sum(ranges) / len(ranges))
            if any(abs(r - cut) <= cut / 10**9 for r in ranges):
                return False
    return True


def reference_xmr(values, chart, improvement):
    """Rule lists, causes and directions from the rules' wording, using the module's lines for each period."""
    rules = {name: set() for name in PRECEDENCE}
    for period in chart.periods:
        c, lower, upper = period.centre, period.lower_limit, period.upper_limit
        idx = range(period.start, period.end + 1)

        def side(i, c=c):
            return (values[i] > c) - (values[i] < c)

        def outside(i, lower=lower, upper=upper):
            return values[i] > upper or values[i] < lower

        def close(i, period=period, outside=outside):
            return not outside(i) and (values[i] > period.two_sigma_upper or values[i] < period.two_sigma_lower)

        rules["outside_limits"] |= {i for i in idx if outside(i)}
        for first in idx:
            window = range(first, first + 7)
            if window[-1] <= period.end:
                steps = [values[j + 1] - values[j] for j in window[:-1]]
                if all(step > 0 for step in steps) or all(step < 0 for step in steps):
                    rules["trend"] |= set(window)
                if side(first) != 0 and all(side(j) == side(first) for j in window):
                    rules["shift"] |= set(window)
            window = range(first, first + 3)
            if window[-1] <= period.end:
                same_side = side(first) != 0 and all(side(j) == side(first) for j in window)
                if same_side and sum(close(j) for j in window) >= 2:
                    rules["two_in_three"] |= {j for j in window if close(j)}

    causes, directions = [], []
    for period in chart.periods:
        for i in range(period.start, period.end + 1):
            cause = next((name for name in PRECEDENCE if i in rules[name]), None)
            if cause is None:
                direction = None
            elif cause != "trend":
                direction = "up" if values[i] > period.centre else "down"
            elif i + 1 <= period.end and i + 1 in rules["trend"]:
                direction = "up" if values[i + 1] - values[i] > 0 else "down"
            else:
                direction = "up" if values[i] - values[i - 1] > 0 else "down"
            causes.append(cause)
            directions.append(direction)
    types = {"increase": ("improvement", "concern"), "decrease": ("concern", "improvement")}
    types["neutral"] = ("neutral_high", "neutral_low")
    point_types = ["common_cause" if d is None else types[improvement][0 if d == "up" else 1] for d in directions]
    return {name: sorted(found) for name, found in rules.items()}, causes, directions, point_types


def xmr_flags(chart):
    return [(point.special_cause, point.point_type, point.direction) for point in chart.points]


def away_from_lines(chart, margin):
    """No value within ``margin`` of any line of its period (so tiny rounding changes cannot flip a comparison)."""
    for point in chart.points:
        period = next(p for p in chart.periods if p.start <= point.index <= p.end)
        lines = (period.centre, period.lower_limit, period.upper_limit, period.two_sigma_lower, period.two_sigma_upper)
        if any(abs(point.value - line) < margin for line in lines if not math.isnan(line)):
            return False
    return True


@examples
@given(with_indices(), st.sampled_from(["increase", "decrease", "neutral"]), st.booleans(), st.integers(2, 20))
def test_xmr_matches_the_reference(values_and_indices, improvement, screen, fix_after):
    values, rebase_at = values_and_indices
    for fix in (None, fix_after):
        chart = xmr(values, improvement=improvement, rebase_at=rebase_at, fix_after=fix, screen_outliers=screen)
        floats = [float(v) for v in values]
        rules, causes, directions, point_types = reference_xmr(floats, chart, improvement)
        assert {name: getattr(chart, name) for name in PRECEDENCE} == rules
        assert [point.special_cause for point in chart.points] == causes
        assert [point.direction for point in chart.points] == directions
        assert [point.point_type for point in chart.points] == point_types


@examples
@given(with_indices(), st.booleans(), st.integers(2, 20))
def test_xmr_lines_match_exact_fractions(values_and_indices, screen, fix_after):
    values, rebase_at = values_and_indices
    chart = xmr(values, rebase_at=rebase_at, fix_after=fix_after, screen_outliers=screen)
    assume(screening_is_clear(values, xmr(values, rebase_at=rebase_at)))
    assert [(p.start, p.end + 1) for p in chart.periods] == period_bounds(len(values), rebase_at)
    for period in chart.periods:
        basis = values[period.start : period.end + 1][:fix_after]
        centre, mean_range = reference_lines(basis, screen=screen)
        assert period.n == period.end - period.start + 1
        assert period.short_group_warning is (period.n < 13)
        assert period.centre == pytest.approx(float(centre), rel=1e-12, abs=1e-9)
        if mean_range is None:
            assert math.isnan(period.mean_moving_range) and math.isnan(period.upper_limit)
        else:
            assert period.mean_moving_range == pytest.approx(float(mean_range), rel=1e-12, abs=1e-9)


@examples
@given(with_indices())
def test_xmr_limits_are_symmetric_about_the_centre(values_and_indices):
    values, rebase_at = values_and_indices
    for period in xmr(values, rebase_at=rebase_at).periods:
        if math.isnan(period.mean_moving_range):
            continue
        scale = max(abs(period.centre), period.mean_moving_range, 1.0)
        assert period.upper_limit - period.centre == pytest.approx(period.centre - period.lower_limit, abs=1e-9 * scale)
        spread = period.upper_limit - period.centre
        two_sigma = period.two_sigma_upper - period.centre
        assert two_sigma == pytest.approx(period.centre - period.two_sigma_lower, abs=1e-9 * scale)
        assert spread == pytest.approx(2.66 * period.mean_moving_range, abs=1e-9 * scale)
        assert two_sigma == pytest.approx(2 / 3 * spread, abs=1e-9 * scale)
        assert period.lower_limit <= period.two_sigma_lower <= period.centre <= period.two_sigma_upper


@examples
@given(with_indices(), st.sampled_from(["increase", "decrease"]), st.floats(-10, 10))
def test_xmr_result_shape(values_and_indices, improvement, target_offset):
    values, rebase_at = values_and_indices
    chart = xmr(values, improvement=improvement, rebase_at=rebase_at, target=float(values[-1]) + target_offset)
    n = len(values)
    assert [point.index for point in chart.points] == list(range(n))
    for name in PRECEDENCE:
        found = getattr(chart, name)
        assert found == sorted(set(found)) and all(type(i) is int and 0 <= i < n for i in found)
    for point in chart.points:
        # special_cause is the first rule, in precedence order, whose list holds the point.
        expected = next((name for name in PRECEDENCE if point.index in getattr(chart, name)), None)
        assert point.special_cause == expected
    last = chart.points[-1]
    if last.special_cause is None:
        assert chart.variation == "common_cause"
    else:
        assert chart.variation == f"{last.point_type}_{'high' if last.direction == 'up' else 'low'}"
    period = chart.periods[-1]
    target = float(values[-1]) + target_offset
    if target > period.upper_limit:
        assert chart.assurance == ("fail" if improvement == "increase" else "pass")
    elif target < period.lower_limit:
        assert chart.assurance == ("pass" if improvement == "increase" else "fail")
    else:
        assert chart.assurance == "hit_and_miss"


@examples
@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=50), st.integers(-(10**6), 10**6))
def test_xmr_shifting_every_value_shifts_the_lines_and_keeps_the_flags(values, constant):
    chart = xmr(values)
    assume(away_from_lines(chart, 1e-6))
    moved = xmr([v + constant for v in values])
    assert xmr_flags(moved) == xmr_flags(chart)
    for before, after in zip(chart.periods, moved.periods, strict=True):
        assert after.centre == pytest.approx(before.centre + constant, abs=1e-6)
        if not math.isnan(before.upper_limit):
            assert after.upper_limit == pytest.approx(before.upper_limit + constant, abs=1e-6)
            assert after.lower_limit == pytest.approx(before.lower_limit + constant, abs=1e-6)


@examples
@given(with_indices(), st.integers(-30, 30))
def test_xmr_scaling_by_a_power_of_two_is_exact(values_and_indices, power):
    values, rebase_at = values_and_indices
    factor = 2.0**power
    chart = xmr(values, rebase_at=rebase_at)
    scaled = xmr([v * factor for v in values], rebase_at=rebase_at)
    assert xmr_flags(scaled) == xmr_flags(chart)
    for before, after in zip(chart.periods, scaled.periods, strict=True):
        for line in ("centre", "lower_limit", "upper_limit", "two_sigma_lower", "two_sigma_upper"):
            expected = getattr(before, line) * factor
            assert getattr(after, line) == expected or (math.isnan(expected) and math.isnan(getattr(after, line)))


@examples
@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=50), st.floats(0.01, 100))
def test_xmr_scaling_by_a_positive_constant_keeps_the_flags(values, factor):
    chart = xmr(values)
    assume(away_from_lines(chart, 1e-6) and screening_is_clear(values, chart))
    assert xmr_flags(xmr([v * factor for v in values])) == xmr_flags(chart)


@examples
@given(with_indices())
def test_xmr_mirroring_the_values_and_the_improvement_direction(values_and_indices):
    values, rebase_at = values_and_indices
    chart = xmr(values, rebase_at=rebase_at)
    mirrored = xmr([-v for v in values], rebase_at=rebase_at, improvement="decrease")
    for name in PRECEDENCE:
        assert getattr(mirrored, name) == getattr(chart, name)
    assert [p.point_type for p in mirrored.points] == [p.point_type for p in chart.points]
    flip = {"high": "low", "low": "high"}
    if chart.variation != "common_cause":
        kind, side = chart.variation.rsplit("_", 1)
        assert mirrored.variation == f"{kind}_{flip[side]}"


@examples
@given(series, st.data())
def test_xmr_a_rebased_period_is_the_chart_of_its_own_values(values, data):
    assume(len(values) >= 2)
    k = data.draw(st.integers(1, len(values) - 1))
    whole = xmr(values, rebase_at=[k, 0, k])
    tail = xmr(values[k:])
    assert dataclasses_equal(whole.periods[1], tail.periods[0], offset=k)
    assert xmr_flags(whole)[k:] == xmr_flags(tail)


def dataclasses_equal(a, b, offset):
    same = (a.start, a.end, a.n) == (b.start + offset, b.end + offset, b.n)
    lines = ("centre", "lower_limit", "upper_limit", "mean_moving_range")
    return same and all(
        getattr(a, name) == getattr(b, name) or (math.isnan(getattr(a, name)) and math.isnan(getattr(b, name)))
        for name in lines
    )


# --- Run chart reference -------------------------------------------------------------------------------------------


@cache
def reference_crossings_min(n_useful):
    m = n_useful - 1
    total = Fraction(0)
    for c in range(m + 1):
        total += Fraction(math.comb(m, c), 2**m)
        if total >= Fraction(1, 20):
            return c
    raise AssertionError("unreachable")


IHI_TABLE = {10: (3, 9), 20: (6, 16), 30: (11, 22), 40: (15, 27)}


def reference_part(values, included, median, rules):
    useful = [i for i in included if values[i] > median or values[i] < median]
    runs = []
    for i in useful:
        side = values[i] > median
        if runs and runs[-1][0] == side:
            runs[-1][1].append(i)
        else:
            runs.append((side, [i]))
    result = {"median": median, "n_useful": len(useful)}
    if rules == "anhoej":
        if useful:
            limit = round(math.log2(len(useful))) + 3
            longest = max(len(run) for _, run in runs)
            fewest = reference_crossings_min(len(useful))
            shift = [i for _, run in runs if len(run) > limit for i in run]
            signal = longest > limit or len(runs) - 1 < fewest
            result |= {"longest_run": longest, "longest_run_max": limit, "crossings": len(runs) - 1}
            result |= {"crossings_min": fewest, "shift": shift, "flagged": shift, "signal": signal}
        else:
            result |= {"longest_run": None, "crossings": None, "shift": [], "flagged": [], "signal": False}
    else:
        shift = [i for _, run in runs if len(run) >= 6 for i in run]
        trend = reference_ihi_trend(values, included)
        result |= {"runs": len(runs), "shift": shift, "trend": trend, "flagged": sorted({*shift, *trend})}
    return result


def reference_ihi_trend(values, included):
    """Every stretch of 5 or more flat groups, each step the same way, from its first group to its last."""
    groups = []  # (value, positions in ``included``)
    for p, i in enumerate(included):
        if groups and groups[-1][0] == values[i]:
            groups[-1][1].append(p)
        else:
            groups.append((values[i], [p]))
    flagged = set()
    for a in range(len(groups)):
        for b in range(a + 4, len(groups)):
            steps = [groups[g + 1][0] > groups[g][0] for g in range(a, b)]
            if all(steps) or not any(steps):
                flagged |= set(range(groups[a][1][0], groups[b][1][0] + 1))
    return [included[p] for p in sorted(flagged)]


@st.composite
def run_chart_arguments(draw):
    values = draw(series)
    n = len(values)
    rules = draw(st.sampled_from(["anhoej", "ihi"]))
    parts = draw(st.lists(st.integers(0, n - 1), max_size=3)) if rules == "anhoej" else []
    exclude = draw(st.lists(st.integers(0, n - 1), max_size=5))
    baseline = draw(st.none() | st.integers(1, n + 3))
    return values, {"rules": rules, "parts": parts, "exclude": exclude, "baseline": baseline}


@examples
@given(run_chart_arguments())
def test_run_chart_matches_the_reference(arguments):
    values, options = arguments
    chart = run_chart(values, **options)
    floats = [float(v) for v in values]
    bounds = period_bounds(len(values), options["parts"])
    assert [(part.start, part.end + 1) for part in chart.parts] == bounds
    excluded = set(options["exclude"])
    for part, (start, stop) in zip(chart.parts, bounds, strict=True):
        included = [i for i in range(start, stop) if i not in excluded]
        basis = included
        if options["baseline"] is not None and len(bounds) == 1:
            basis = [i for i in included if i < options["baseline"]]
        median = statistics.median([floats[i] for i in basis]) if basis else math.nan
        expected = reference_part(floats, included, median, options["rules"])
        for name, value in expected.items():
            actual = getattr(part, name)
            assert actual == value or (name == "median" and math.isnan(value) and math.isnan(actual)), name
        if options["rules"] == "ihi":
            if part.n_useful in IHI_TABLE:
                assert part.runs_limits == IHI_TABLE[part.n_useful]
            if not 10 <= part.n_useful <= 40:
                assert part.runs_limits is None
            too_few_or_many = (
                part.runs_limits is not None and not part.runs_limits[0] <= part.runs <= part.runs_limits[1]
            )
            assert part.signal == bool(part.shift or part.trend or too_few_or_many)


@examples
@given(run_chart_arguments())
def test_run_chart_invariants(arguments):
    values, options = arguments
    chart = run_chart(values, **options)
    excluded = set(options["exclude"])
    for part in chart.parts:
        included = [i for i in range(part.start, part.end + 1) if i not in excluded]
        # n_useful is the number of included points not on the median.
        assert part.n_useful == sum(1 for i in included if values[i] > part.median or values[i] < part.median)
        for name in ("shift", "trend", "flagged"):
            found = getattr(part, name)
            assert found == sorted(set(found)) and all(type(i) is int for i in found)
            assert set(found) <= set(included)  # never an excluded point, never outside the part
        assert part.flagged == sorted({*part.shift, *part.trend})
        if options["rules"] == "anhoej":
            assert part.trend == [] and part.runs is None and part.runs_limits is None
            if part.n_useful:
                assert 1 <= part.longest_run <= part.n_useful
                assert 0 <= part.crossings <= part.n_useful - 1
                assert part.signal == (part.longest_run > part.longest_run_max or part.crossings < part.crossings_min)
        else:
            assert part.longest_run is part.longest_run_max is part.crossings is part.crossings_min is None
    last = chart.parts[-1]
    for name in ("median", "n_useful", "longest_run", "crossings", "runs", "runs_limits", "signal"):
        same = getattr(chart, name) == getattr(last, name)
        assert same or (name == "median" and math.isnan(chart.median) and math.isnan(last.median))
    assert (chart.shift, chart.trend, chart.flagged) == (last.shift, last.trend, last.flagged)


@examples
@given(series, st.lists(st.integers(0, 49), max_size=5))
def test_crossings_are_ihi_runs_minus_one(values, exclude):
    exclude = [i for i in exclude if i < len(values)]
    anhoej = run_chart(values, exclude=exclude)
    ihi = run_chart(values, rules="ihi", exclude=exclude)
    assert anhoej.n_useful == ihi.n_useful
    if anhoej.n_useful:
        assert anhoej.crossings == ihi.runs - 1
    else:
        assert ihi.runs == 0


@examples
@given(st.lists(st.integers(-1000, 1000), min_size=1, max_size=50), st.integers(-(10**6), 10**6), st.integers(-20, 20))
def test_run_charts_shift_and_scale_exactly(values, constant, power):
    for rules in ("anhoej", "ihi"):
        chart = run_chart(values, rules=rules)
        moved = run_chart([v + constant for v in values], rules=rules)
        scaled = run_chart([v * 2.0**power for v in values], rules=rules)
        assert moved.median == chart.median + constant
        assert scaled.median == chart.median * 2.0**power
        for other in (moved, scaled):
            assert (other.n_useful, other.signal, other.flagged) == (chart.n_useful, chart.signal, chart.flagged)
            assert (other.longest_run, other.crossings, other.runs) == (chart.longest_run, chart.crossings, chart.runs)


@examples
@given(series, st.data())
def test_an_anhoej_part_is_the_chart_of_its_own_values(values, data):
    assume(len(values) >= 2)
    k = data.draw(st.integers(1, len(values) - 1))
    part = run_chart(values, parts=[k]).parts[1]
    alone = run_chart(values[k:])
    assert (part.median, part.n_useful, part.longest_run, part.crossings, part.signal) == (
        alone.median,
        alone.n_useful,
        alone.longest_run,
        alone.crossings,
        alone.signal,
    )
    assert part.flagged == [i + k for i in alone.flagged]
