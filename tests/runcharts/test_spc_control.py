"""Control charts (I, P, P′, U, U′, C, G, T): the worked examples of docs/spc-control-charts.md, rules, edges."""

import dataclasses
import doctest
import math
import pickle
from itertools import pairwise

import pytest

from runcharts import _spc_control, spc
from runcharts.spc import ControlChartPart, ControlChartResult, attribute_chart, control_chart, rare_event_chart

PART_FIELDS = [field.name for field in dataclasses.fields(ControlChartPart)]
TOP_LEVEL_FIELDS = [name for name in PART_FIELDS if name not in ("start", "end")]


def approx(value):
    return pytest.approx(value, rel=5e-7)  # the document rounds to 7 or 8 significant figures


def test_docstring_examples_hold():
    assert doctest.testmod(_spc_control, raise_on_error=True).attempted >= 3
    # The public functions' docstrings work examples 1, 2 and 3 (counted with the XmR and run-chart ones).
    assert doctest.testmod(spc, raise_on_error=True).attempted >= 27


# --- Section 6, example 1: P and P′ with varying denominators ------------------------------------------------------

NUMERATORS = [3, 6, 2, 6, 4, 0, 13, 5]
DENOMINATORS = [30, 50, 20, 40, 40, 25, 45, 50]


def test_example_1_p_chart():
    chart = attribute_chart(NUMERATORS, DENOMINATORS, chart="p")
    assert chart.chart == "p"
    assert chart.centre == approx(0.13)  # 39/300: a ratio of sums, not a mean of the weekly ratios
    fifty = [point for point, n in zip(chart.points, DENOMINATORS, strict=True) if n == 50]
    assert [point.upper_limit for point in fifty] == [approx(0.2726815)] * 2
    assert all(point.lower_limit == 0 for point in chart.points)  # 0.13 − 3σ is below 0 for every n here
    assert chart.points[6].value == approx(0.288889)
    assert chart.points[6].upper_limit == approx(0.2803995)
    assert chart.sigma_signals == [6] and chart.points[6].sigma_signal
    assert (chart.n_useful, chart.longest_run, chart.crossings) == (8, 3, 4)
    assert (chart.longest_run_max, chart.crossings_min) == (6, 1)
    assert chart.runs_signal is False and chart.signal is True
    assert chart.mean_moving_range is None and chart.sigma_z is None  # P charts use neither


def test_example_1_p_prime_chart():
    chart = attribute_chart(NUMERATORS, DENOMINATORS, chart="pp")
    assert chart.mean_moving_range == approx(1.7790294)  # none of the 7 ranges reaches the cut of 5.812
    assert chart.sigma_z == approx(1.5771538)
    assert chart.points[6].upper_limit == approx(0.3672031)
    fifty = [p.upper_limit for p, n in zip(chart.points, DENOMINATORS, strict=True) if n == 50]
    assert fifty == [approx(0.3550306)] * 2
    assert chart.sigma_signals == [] and chart.signal is False


def test_example_1_z_scores_are_against_the_unadjusted_sigma():
    z = [
        (n / d - 0.13) / math.sqrt(0.13 * 0.87 / d) for n, d in zip(NUMERATORS, DENOMINATORS, strict=True)
    ]  # the document's z-scores, recomputed
    expected = [-0.48860, -0.21026, -0.39894, 0.37612, -0.56418, -1.93278, 3.16934, -0.63078]
    assert z == [pytest.approx(value, abs=5e-6) for value in expected]
    ranges = [abs(b - a) for a, b in pairwise(z)]
    assert sum(ranges) / 7 == approx(attribute_chart(NUMERATORS, DENOMINATORS, chart="pp").mean_moving_range)


# --- Section 6, example 2: G chart; median centre, limits from the mean ---------------------------------------------

G_VALUES = [12, 3, 25, 8, 0, 17, 40, 6, 9, 110]


def test_example_2_g_chart():
    chart = rare_event_chart(G_VALUES, chart="g")
    assert chart.centre == 10.5  # the median, (9 + 12) / 2
    assert chart.points[0].upper_limit == approx(93.484041)  # 23 + 3·√(23·24), from the mean
    assert all(point.lower_limit == 0 for point in chart.points)
    assert chart.sigma_signals == [9]
    assert (chart.n_useful, chart.longest_run, chart.crossings) == (10, 2, 6)
    assert (chart.longest_run_max, chart.crossings_min, chart.runs_signal) == (6, 2, False)
    assert chart.mean_moving_range is None and chart.sigma_z is None


def test_example_2_pitfall_the_mean_would_give_other_runs():
    # Against 23, the sides are − − + − − − + − − +: a longest run of 3 and 4 crossings, not 2 and 6.
    assert rare_event_chart(G_VALUES, chart="g").crossings == 6


# --- Section 6, example 3: I chart with a gap and an excluded point ------------------------------------------------

I_VALUES = [20, 22, None, 19, 25, 21, 40, 23, 20, 22]


def test_example_3_i_chart():
    chart = control_chart(I_VALUES, exclude=(6,))
    assert chart.chart == "i"
    assert chart.centre == 21.5  # 172 / 8: the gap and the excluded 40 are not in the basis
    assert chart.mean_moving_range == approx(19 / 6)  # 2, 6, 4, 2, 3, 2: the ranges touching the gap are dropped
    assert chart.points[0].lower_limit == approx(13.0780142)
    assert chart.points[0].upper_limit == approx(29.9219858)
    assert chart.sigma_signals == [6]  # the excluded point is still judged
    assert (chart.n_useful, chart.longest_run, chart.crossings) == (8, 1, 7)
    assert (chart.longest_run_max, chart.crossings_min) == (6, 1)
    gap = chart.points[2]
    assert (gap.value, gap.sigma_signal, gap.centre, gap.lower_limit) == (
        None,
        False,
        21.5,
        chart.points[0].lower_limit,
    )


def test_example_3_pitfall_joining_across_the_gap():
    # Without the gap (22 and 19 neighbours) the 7 ranges average 22/7 and the lower limit moves to 13.1413374.
    joined = control_chart([20, 22, 19, 25, 21, 40, 23, 20, 22], exclude=(5,))
    assert joined.mean_moving_range == approx(22 / 7)
    assert joined.points[0].lower_limit == approx(13.1413374)
    assert control_chart(I_VALUES, exclude=(6,)).points[0].lower_limit != approx(13.1413374)


def test_i_chart_uses_3_over_1_128_not_2_66():
    chart = control_chart([1.0, 3.0] * 6)
    assert chart.points[0].upper_limit - chart.centre == approx(3 * 2 / 1.128)


# --- Section 6, example 4: T chart with a baseline -----------------------------------------------------------------

T_VALUES = [4.0, 9.5, 2.0, 16.0, 6.5, 1.0, 12.0, 30.0]


def test_example_4_t_chart():
    chart = rare_event_chart(T_VALUES, chart="t", baseline=6)
    w = [value ** (1 / 3.6) for value in T_VALUES[:6]]
    assert chart.centre == approx((sum(w) / 6) ** 3.6)
    assert chart.centre == approx(5.0206083)
    assert chart.mean_moving_range == approx(0.63273705)  # in the w scale
    assert chart.points[7].upper_limit == approx(69.497641)
    assert chart.points[7].lower_limit == 0  # w̄ − 3σ_w < 0
    assert chart.sigma_signals == []
    assert (chart.n_useful, chart.longest_run, chart.crossings) == (8, 2, 5)  # after the baseline as well


# --- Gaps ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator"),
    [(None, 40), (4, None), (0, 0), (None, None)],
)
@pytest.mark.parametrize("chart", ["p", "pp", "u", "up"])
def test_a_gap_keeps_its_place_with_no_value_and_no_limits(chart, numerator, denominator):
    numerators, denominators = list(NUMERATORS), list(DENOMINATORS)
    numerators[2], denominators[2] = numerator, denominator
    result = attribute_chart(numerators, denominators, chart=chart)
    gap = result.points[2]
    assert (gap.index, gap.value, gap.lower_limit, gap.upper_limit, gap.sigma_signal) == (2, None, None, None, False)
    assert result.n_useful == 7
    # It adds nothing to the centre: the same as leaving the position out altogether.
    without = attribute_chart(NUMERATORS[:2] + NUMERATORS[3:], DENOMINATORS[:2] + DENOMINATORS[3:], chart=chart)
    assert result.centre == without.centre


def test_a_gap_breaks_the_laney_moving_ranges():
    numerators, denominators = list(NUMERATORS), list(DENOMINATORS)
    numerators[6] = None  # the 3.17 z-score and both ranges touching it go
    chart = attribute_chart(numerators, denominators, chart="pp")
    centre = chart.centre
    z = [
        None if n is None else (n / d - centre) / math.sqrt(centre * (1 - centre) / d)
        for n, d in zip(numerators, denominators, strict=True)
    ]
    ranges = [abs(b - a) for a, b in pairwise(z) if a is not None and b is not None]
    assert len(ranges) == 5
    assert chart.mean_moving_range == approx(sum(ranges) / 5)


def test_every_position_a_gap():
    chart = attribute_chart([None, 0], [10, 0], chart="p")
    assert math.isnan(chart.centre)
    assert all(point.upper_limit is None and point.lower_limit is None for point in chart.points)
    assert (chart.n_useful, chart.longest_run, chart.crossings, chart.runs_signal, chart.shift) == (
        0,
        None,
        None,
        False,
        [],
    )
    i = control_chart([None, None])
    assert math.isnan(i.centre) and math.isnan(i.mean_moving_range) and i.points[0].upper_limit is None


def test_a_c_chart_gap_keeps_the_parts_limits():
    chart = attribute_chart([4, None, 6], chart="c")
    assert chart.points[1].upper_limit == chart.points[0].upper_limit == approx(5 + 3 * math.sqrt(5))
    assert chart.points[1].value is None and not chart.points[1].sigma_signal


# --- Lines ----------------------------------------------------------------------------------------------------------


def test_u_chart_rate_has_no_cap_and_a_floored_lower_limit():
    chart = attribute_chart([2, 1, 3, 12], [2, 2, 2, 2], chart="u")  # rates above 1 are fine
    assert chart.centre == 2.25
    point = chart.points[0]
    assert point.upper_limit == approx(2.25 + 3 * math.sqrt(2.25 / 2))  # 5.43: no cap at 1
    assert point.lower_limit == 0  # 2.25 − 3·√(2.25/2) < 0
    assert chart.sigma_signals == [3]  # 6 per unit


def test_u_prime_widens_the_u_limits_by_sigma_z():
    numerators, denominators = [40, 90, 30, 120, 60, 10, 150, 70], [1000, 1100, 900, 1000, 1200, 950, 1000, 1050]
    u = attribute_chart(numerators, denominators, chart="u")
    up = attribute_chart(numerators, denominators, chart="up")
    assert up.sigma_z > 1  # large denominators, over-dispersed
    for plain, laney in zip(u.points, up.points, strict=True):
        assert laney.upper_limit - up.centre == approx((plain.upper_limit - u.centre) * up.sigma_z)
    assert len(u.sigma_signals) > len(up.sigma_signals)


def test_p_chart_upper_limit_is_capped_at_1_and_a_value_on_it_is_not_a_signal():
    chart = attribute_chart([1, 9, 8, 2, 2], [2, 10, 10, 2, 10], chart="p")
    assert chart.points[0].upper_limit == 1.0
    assert chart.points[3].value == 1.0 and not chart.points[3].sigma_signal


def test_c_chart():
    chart = attribute_chart([2, 4, 3, 5, 1, 3, 14], chart="c", baseline=6)
    assert chart.centre == 3.0
    assert chart.points[0].upper_limit == approx(3 + 3 * math.sqrt(3))
    assert chart.points[0].lower_limit == 0
    assert chart.sigma_signals == [6]


def test_c_chart_equals_a_u_chart_over_denominators_of_1():
    counts = [2, 4, 3, 5, 1, 3, 14, 0, 2]
    c = attribute_chart(counts, chart="c")
    u = attribute_chart(counts, [1] * len(counts), chart="u")
    assert (c.centre, c.sigma_signals, c.n_useful, c.longest_run) == (
        u.centre,
        u.sigma_signals,
        u.n_useful,
        u.longest_run,
    )
    assert [p.upper_limit for p in c.points] == [approx(p.upper_limit) for p in u.points]


def test_laney_part_with_a_p_bar_of_0_has_no_limits():
    chart = attribute_chart([0, 0, 0, 0], [10, 20, 30, 40], chart="pp")
    assert chart.centre == 0
    assert math.isnan(chart.mean_moving_range) and math.isnan(chart.sigma_z)
    assert all(point.upper_limit is None and point.lower_limit is None for point in chart.points)
    p = attribute_chart([0, 0, 0, 0], [10, 20, 30, 40], chart="p")
    assert [(point.lower_limit, point.upper_limit) for point in p.points] == [(0.0, 0.0)] * 4


def test_g_chart_of_zeros():
    chart = rare_event_chart([0, 0, 0], chart="g")
    assert (chart.centre, chart.points[0].lower_limit, chart.points[0].upper_limit) == (0.0, 0.0, 0.0)
    assert chart.n_useful == 0 and chart.sigma_signals == []


def test_t_chart_is_the_i_chart_of_the_transformed_values():
    values = [3.0, 8.5, 1.5, 20.0, 6.0, 2.5, 11.0, 4.0, 60.0]
    t = rare_event_chart(values, chart="t")
    i = control_chart([value ** (1 / 3.6) for value in values])
    assert t.mean_moving_range == approx(i.mean_moving_range)
    assert t.centre == approx(i.centre**3.6)
    assert t.points[0].upper_limit == approx(i.points[0].upper_limit ** 3.6)
    assert t.sigma_signals == i.sigma_signals


def test_no_moving_range_leaves_the_limits_undefined():
    for chart in (control_chart([5.0]), control_chart([5.0, 5.0, 5.0]), rare_event_chart([2.0, 2.0], chart="t")):
        assert math.isnan(chart.mean_moving_range)  # every range 0 is screened out (0 is not below a cut of 0)
        assert all(point.lower_limit is None and point.upper_limit is None for point in chart.points)
        assert chart.sigma_signals == []


def test_an_i_chart_lower_limit_may_be_negative():
    chart = control_chart([1.0, 9.0, 2.0, 8.0, 1.0])
    assert chart.points[0].lower_limit < 0


def test_screening_the_moving_ranges():
    values = [5, 7, 6, 8, 6, 5, 7, 19, 6, 7, 5, 6, 8, 7, 6]  # spc-rules example 1: the spike's ranges are cut
    screened = control_chart(values)
    plain = control_chart(values, screen_outliers=False)
    assert screened.mean_moving_range == 1.5
    assert plain.mean_moving_range == approx(43 / 14)
    assert screened.sigma_signals == [7]


def test_excluded_points_keep_the_lines_and_are_judged():
    chart = attribute_chart(NUMERATORS, DENOMINATORS, chart="p", exclude=(6,))
    assert chart.centre == approx(26 / 255)
    assert chart.sigma_signals == [6]
    assert chart.n_useful == 7  # and it is left out of the runs


def test_baseline_fixes_the_lines_and_the_runs_cover_every_point():
    chart = control_chart([10, 11, 9, 10, 30, 31, 29, 32], baseline=4)
    assert chart.centre == 10
    assert chart.sigma_signals == [4, 5, 6, 7]
    assert chart.n_useful == 6 and chart.longest_run == 4  # the two 10s are on the centre line
    # baseline at or beyond n is every point
    assert control_chart([1, 2, 3], baseline=3) == control_chart([1, 2, 3], baseline=50) == control_chart([1, 2, 3])


def test_parts_have_their_own_lines_and_the_top_level_is_the_last_part():
    numerators, denominators = NUMERATORS * 2, DENOMINATORS * 2
    chart = attribute_chart(numerators, denominators, chart="p", parts=(8,), baseline=3)  # baseline ignored
    assert [(part.start, part.end) for part in chart.parts] == [(0, 7), (8, 15)]
    assert chart.parts[0].centre == chart.parts[1].centre == approx(0.13)
    assert chart.parts[0].sigma_signals == [6] and chart.parts[1].sigma_signals == [14]
    for name in TOP_LEVEL_FIELDS:
        assert getattr(chart, name) == getattr(chart.parts[-1], name), name
    assert chart.sigma_signals == [14]


def test_part_at_0_and_repeated_parts_change_nothing():
    plain = control_chart(I_VALUES, baseline=5)
    assert control_chart(I_VALUES, baseline=5, parts=(0, 0)) == plain


def test_runs_signal_and_shift():
    values = [10, 12, 11, 9, 10, 11, 12, 10] + [20] * 9
    chart = control_chart(values, baseline=8)
    assert chart.longest_run == 9 and chart.longest_run_max == 7
    assert chart.runs_signal and chart.shift == list(range(8, 17))


def test_a_point_on_the_centre_is_skipped_by_the_runs():
    chart = attribute_chart([2, 1, 3], [10, 10, 10], chart="p")  # 0.2 is exactly p̄
    assert chart.n_useful == 2


# --- Result objects -------------------------------------------------------------------------------------------------


def test_results_are_frozen_plain_values_that_pickle():
    chart = attribute_chart(NUMERATORS, DENOMINATORS, chart="pp")
    assert isinstance(chart, ControlChartResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        chart.points[0].value = 1.0  # type: ignore[misc]
    assert type(chart.points[0]).__name__ == "ControlChartPoint"
    assert pickle.loads(pickle.dumps(chart)) == chart  # noqa: S301 (our own object)
    assert all(type(i) is int for i in chart.parts[0].sigma_signals + chart.shift)
    assert all(type(point.value) is float for point in chart.points)
    assert chart.sigma_signals is not chart.parts[-1].sigma_signals  # equal lists, not the same one


# --- Errors ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: attribute_chart([1], [2], chart="x"), "not 'x'"),
        (lambda: attribute_chart([1], [2], chart="g"), "not 'g'"),
        (lambda: rare_event_chart([1], chart="p"), "not 'p'"),
        (lambda: control_chart([1], chart="xmr"), "not 'xmr'"),
        (lambda: attribute_chart([1], chart="p"), "needs denominators"),
        (lambda: attribute_chart([1], [2], chart="c"), "no denominator"),
        (lambda: attribute_chart([1, 2], [2], chart="u"), "2 numerators but 1 denominators"),
        (lambda: attribute_chart([], [], chart="p"), "must not be empty"),
        (lambda: control_chart([]), "must not be empty"),
        (lambda: rare_event_chart([], chart="g"), "must not be empty"),
        (lambda: control_chart([1, math.nan]), "values[1]"),
        (lambda: control_chart([1, math.inf]), "values[1]"),
        (lambda: control_chart([1, "2"]), "values[1]"),
        (lambda: control_chart([True, 2]), "values[0]"),
        (lambda: control_chart("123"), "sequence of numbers"),
        (lambda: attribute_chart([1, -1], [2, 2], chart="u"), "numerators[1] must not be negative"),
        (lambda: attribute_chart([1, 1], [2, -2], chart="u"), "denominators[1] must not be negative"),
        (lambda: attribute_chart([-1], chart="c"), "must not be negative"),
        (lambda: rare_event_chart([3, -1], chart="g"), "values[1] must not be negative"),
        (lambda: attribute_chart([1, 3], [2, 0], chart="u"), "denominators[1] is 0"),
        (lambda: attribute_chart([1, 3], [2, 0], chart="p"), "denominators[1] is 0"),
        (lambda: attribute_chart([12], [10], chart="p"), "numerators[0] (12) is greater than denominators[0] (10)"),
        (lambda: attribute_chart([12], [10], chart="pp"), "greater than"),
        (lambda: rare_event_chart([2, 0], chart="t"), "values[1] must be greater than 0"),
        (lambda: rare_event_chart([2, -1.5], chart="t"), "values[1] must be greater than 0"),
        (lambda: control_chart([1, 2], baseline=0), "baseline"),
        (lambda: control_chart([1, 2], baseline=1.5), "baseline"),
        (lambda: control_chart([1, 2], parts=(2,)), "parts"),
        (lambda: control_chart([1, 2], parts=(-1,)), "parts"),
        (lambda: control_chart([1, 2], exclude=(5,)), "exclude"),
        (lambda: attribute_chart([1, 2], [3, 3], chart="p", exclude=(2,)), "exclude"),
        (lambda: control_chart([1, 2], screen_outliers=None), "screen_outliers"),
    ],
)
def test_bad_input_raises_value_error_naming_it(call, message):
    with pytest.raises(ValueError, match=None) as error:
        call()
    assert message in str(error.value)


def test_chart_has_no_default_for_attribute_and_rare_event_charts():
    with pytest.raises(TypeError):
        attribute_chart([1], [2])  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        rare_event_chart([1])  # type: ignore[call-arg]


def test_none_is_a_gap_not_an_error_and_u_may_exceed_its_denominator():
    assert control_chart([None, 1, 2]).points[0].value is None
    assert attribute_chart([12], [10], chart="u").points[0].value == 1.2
    assert attribute_chart([None], [0], chart="p").points[0].value is None  # a missing numerator over 0 is a gap
