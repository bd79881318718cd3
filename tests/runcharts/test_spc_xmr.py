"""XmR charts (NHS "Making Data Count"): the worked examples of the SPC rules document, then each rule and edge."""

import dataclasses
import doctest
import math
import pickle
from decimal import Decimal
from fractions import Fraction

import pytest

from runcharts import _spc_rules, spc
from runcharts.spc import XmrPoint, xmr

CLOSE = 2 * (2.66 / 3)


def approx(value):
    return pytest.approx(value, rel=1e-9, abs=1e-12)


def causes(chart):
    return [point.special_cause for point in chart.points]


def flagged(chart):
    return {index: point.special_cause for index, point in enumerate(chart.points) if point.special_cause}


def test_docstring_examples_hold():
    assert doctest.testmod(spc, raise_on_error=True).attempted >= 15
    assert doctest.testmod(_spc_rules, raise_on_error=True).attempted >= 4


# --- Section 5, example 1: screening, a point outside, target assurance -----------------------------------------

EXAMPLE_1 = [5, 7, 6, 8, 6, 5, 7, 19, 6, 7, 5, 6, 8, 7, 6]


def test_example_1_screens_the_ranges_around_the_spike():
    chart = xmr(EXAMPLE_1, target=12)
    [period] = chart.periods
    assert (period.start, period.end, period.n) == (0, 14, 15)
    assert period.centre == approx(108 / 15)
    assert period.centre == approx(7.2)
    # 14 ranges sum to 43; the cut 3.267 × 43/14 = 10.03 removes 12 and 13; the other 12 sum to 18.
    assert period.mean_moving_range == approx(1.5)
    assert (period.lower_limit, period.upper_limit) == (approx(3.21), approx(11.19))
    assert (period.two_sigma_lower, period.two_sigma_upper) == (approx(4.54), approx(9.86))
    assert period.short_group_warning is False
    assert chart.outside_limits == [7]
    assert chart.two_in_three == chart.trend == chart.shift == []
    assert flagged(chart) == {7: "outside_limits"}
    assert (chart.points[7].point_type, chart.points[7].direction) == ("improvement", "up")
    assert chart.variation == "common_cause"  # the last value, 6, is common cause
    assert chart.assurance == "fail"  # 12 > 11.19


def test_example_1_without_screening():
    [period] = xmr(EXAMPLE_1, target=12, screen_outliers=False).periods
    assert period.mean_moving_range == approx(43 / 14)
    assert period.mean_moving_range == pytest.approx(3.0714286, rel=1e-7)
    assert (period.lower_limit, period.upper_limit) == (approx(-0.97), approx(15.37))


# --- Section 5, example 2: fixed baseline, decrease, precedence -------------------------------------------------

EXAMPLE_2 = [20, 22, 19, 21, 20, 23, 18, 21, 20, 22, 19, 21, 21, 20, 19, 18, 17, 16, 15, 14.5, 16, 15]


def test_example_2_fixed_baseline_and_precedence():
    chart = xmr(EXAMPLE_2, improvement="decrease", fix_after=12)
    [period] = chart.periods
    assert (period.start, period.end, period.n) == (0, 21, 22)
    assert period.centre == approx(20.5)
    assert period.mean_moving_range == approx(27 / 11)  # no range reaches the cut of 8.02
    assert (period.lower_limit, period.upper_limit) == (approx(13.970909090909), approx(27.029090909091))
    assert (period.two_sigma_lower, period.two_sigma_upper) == (approx(16.147272727273), approx(24.852727272727))
    assert chart.trend == list(range(12, 20))
    assert chart.two_in_three == [17, 18, 19, 20, 21]
    assert chart.shift == list(range(13, 22))
    assert chart.outside_limits == []
    assert causes(chart) == [None] * 12 + ["trend"] * 8 + ["two_in_three"] * 2
    assert [point.point_type for point in chart.points] == ["common_cause"] * 12 + ["improvement"] * 10
    assert chart.variation == "improvement_low"
    assert chart.assurance is None


# --- Section 5, example 3: ties and points on the mean break rules ----------------------------------------------

EXAMPLE_3 = [10, 14, 9, 15, 11, 13, 8, 16, 10, 14, 12, 12, 8, 9, 10, 11, 11, 13, 14, 15, 13, 14, 12, 13, 14, 13, 15]


def test_example_3_ties_and_points_on_the_mean_break_rules():
    chart = xmr(EXAMPLE_3, fix_after=12, target=10)
    [period] = chart.periods
    assert period.centre == 12.0
    assert period.mean_moving_range == approx(46 / 11)
    assert (period.lower_limit, period.upper_limit) == (approx(0.876363636364), approx(23.123636363636))
    assert (period.two_sigma_lower, period.two_sigma_upper) == (approx(4.584242424242), approx(19.415757575758))
    assert chart.outside_limits == chart.two_in_three == chart.trend == chart.shift == []
    assert {point.point_type for point in chart.points} == {"common_cause"}
    assert chart.variation == "common_cause"
    assert chart.assurance == "hit_and_miss"


def test_example_3_pitfall_a_value_just_off_the_mean_would_complete_a_shift():
    values = list(EXAMPLE_3)
    values[22] = 12.5  # was exactly on the mean, which breaks the run of points above it
    assert xmr(values, fix_after=12).shift == list(range(17, 27))


def test_example_3_pitfall_without_the_tie_there_would_be_a_trend():
    values = list(EXAMPLE_3)
    values[16] = 11.5  # 8, 9, 10, 11, 11, 13, 14, 15 had a tie; now 7 steps all rise
    assert xmr(values, fix_after=12).trend == list(range(12, 20))


# --- Lines of a period -------------------------------------------------------------------------------------------


def test_hand_checked_short_series():
    # Centre (10 + 12 + 11 + 13 + 12) / 5 = 11.6. Moving ranges 2, 1, 2, 1: mean 1.5, cut 4.9, none screened.
    # Limits 11.6 ∓ 2.66 × 1.5 = 7.61 / 15.59; 2-sigma lines 11.6 ∓ 1.7733… × 1.5 = 8.94 / 14.26.
    [period] = xmr([10, 12, 11, 13, 12]).periods
    assert period.centre == approx(11.6)
    assert period.mean_moving_range == 1.5
    assert (period.lower_limit, period.upper_limit) == (approx(7.61), approx(15.59))
    assert (period.two_sigma_lower, period.two_sigma_upper) == (approx(8.94), approx(14.26))
    assert period.short_group_warning is True


def test_hand_checked_screening_is_done_once():
    # Ranges: ten 1s, then 5 (0 → 5) and 30 (5 → 35). Unscreened mean 45/12 = 3.75, cut 12.25: only 30 goes, and the
    # mean of the rest is 15/11. Screening again would drop the 5 too (cut 3.267 × 15/11 = 4.46), but it is done once.
    [period] = xmr([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 5, 35]).periods
    assert period.mean_moving_range == approx(15 / 11)


def test_hand_checked_screening_drops_a_range_exactly_on_the_cut():
    # Ranges 1.733 (four times) and 13.068: mean 20/5 = 4 and cut 3.267 × 4 = 13.068, exactly the last range.
    # Only ranges strictly below the cut are kept, so the mean moving range is 1.733 (with <= it would be 4).
    values = [0, 1.733, 0, 1.733, 0, 13.068]
    assert 3.267 * (math.fsum([1.733] * 4 + [13.068]) / 5) == 13.068  # the float arithmetic really hits the cut
    assert xmr(values).periods[0].mean_moving_range == 1.733
    assert xmr(values, screen_outliers=False).periods[0].mean_moving_range == approx(4.0)


def test_every_line_is_a_python_float_and_every_index_a_plain_int():
    chart = xmr([1, 3, 2, 5, 4, 6, 8, 7, 9, 12, 20], rebase_at=[5])
    for period in chart.periods:
        for field in dataclasses.fields(period):
            value = getattr(period, field.name)
            expected = {"start": int, "end": int, "n": int, "short_group_warning": bool}.get(field.name, float)
            assert type(value) is expected, field.name
    for point in chart.points:
        assert type(point.index) is int
        assert all(type(v) is float for v in (point.value, point.centre, point.lower_limit, point.upper_limit))
    for name in ("outside_limits", "two_in_three", "trend", "shift"):
        assert all(type(index) is int for index in getattr(chart, name))


def test_every_point_takes_its_own_periods_lines():
    chart = xmr([1, 2, 1, 2, 1, 10, 11, 10, 11], rebase_at=[5])
    first, second = chart.periods
    assert (first.start, first.end, second.start, second.end) == (0, 4, 5, 8)
    for point in chart.points:
        period = first if point.index < 5 else second
        assert (point.centre, point.lower_limit, point.upper_limit) == (
            period.centre,
            period.lower_limit,
            period.upper_limit,
        )
    assert [point.index for point in chart.points] == list(range(9))
    assert [point.value for point in chart.points] == [1, 2, 1, 2, 1, 10, 11, 10, 11]


def test_moving_ranges_never_span_a_period_boundary():
    # Period 1: 1, 2, 1, 2, 1 has ranges 1, 1, 1, 1. The jump of 8 to period 2 must not count.
    first, second = xmr([1, 2, 1, 2, 1, 10, 11, 10, 11], rebase_at=[5]).periods
    assert first.mean_moving_range == 1.0
    assert second.mean_moving_range == 1.0
    assert (first.centre, second.centre) == (1.4, 10.5)


def test_rebase_at_index_0_and_repeats_change_nothing():
    values = [3, 5, 4, 6, 5, 7, 9, 8, 10, 12, 11, 13]
    assert xmr(values, rebase_at=[0, 6, 6, 0]) == xmr(values, rebase_at=[6])
    assert xmr(values, rebase_at=(0,)) == xmr(values)
    assert xmr(values, rebase_at=iter([6])) == xmr(values, rebase_at=[6])


def test_rebase_to_the_last_point_gives_a_one_point_period_with_undefined_spread():
    chart = xmr([3, 5, 4, 6, 5, 7], rebase_at=[5])
    last = chart.periods[-1]
    assert (last.start, last.end, last.n, last.centre) == (5, 5, 1, 7.0)
    assert math.isnan(last.mean_moving_range) and math.isnan(last.upper_limit)
    assert last.short_group_warning is True


def test_fix_after_takes_the_lines_from_the_first_points_of_each_period():
    values = [10, 12, 10, 12, 30, 31, 50, 52, 50, 52, 90, 95]
    first, second = xmr(values, fix_after=4, rebase_at=[6]).periods
    assert (first.centre, first.mean_moving_range) == (11.0, 2.0)  # from 10, 12, 10, 12 only
    assert (second.centre, second.mean_moving_range) == (51.0, 2.0)  # from 50, 52, 50, 52 only
    assert (first.n, second.n) == (6, 6)  # n counts the whole period, not the basis


def test_fix_after_at_least_the_period_length_uses_the_whole_period():
    values = [4, 6, 5, 7, 6]
    assert xmr(values, fix_after=5) == xmr(values)
    assert xmr(values, fix_after=50) == xmr(values)


def test_later_points_are_judged_against_fixed_limits():
    chart = xmr([10, 12, 10, 12, 10, 12, 40], fix_after=6)
    assert chart.periods[0].upper_limit == approx(11.0 + 2.66 * 2)
    assert chart.outside_limits == [6]


@pytest.mark.parametrize(("n", "warning"), [(1, True), (12, True), (13, False), (40, False)])
def test_short_group_warning_under_13_points_in_the_period(n, warning):
    values = [float(k % 3) for k in range(n)]
    assert xmr(values).periods[0].short_group_warning is warning
    # Counted per period, and on all its points, not only the basis.
    assert xmr(values, fix_after=2).periods[0].short_group_warning is warning


def test_single_point():
    chart = xmr([42], target=40)
    [period] = chart.periods
    assert (period.start, period.end, period.n, period.centre) == (0, 0, 1, 42.0)
    for line in ("mean_moving_range", "lower_limit", "upper_limit", "two_sigma_lower", "two_sigma_upper"):
        assert math.isnan(getattr(period, line))
    assert period.short_group_warning is True
    assert chart.points[0].special_cause is None and chart.points[0].point_type == "common_cause"
    assert chart.variation == "common_cause"
    assert chart.assurance == "hit_and_miss"  # NaN limits


def test_all_equal_values_give_nan_limits_after_screening():
    chart = xmr([7] * 20, target=5)
    [period] = chart.periods
    assert period.centre == 7.0
    assert math.isnan(period.mean_moving_range)
    assert math.isnan(period.lower_limit) and math.isnan(period.two_sigma_upper)
    assert flagged(chart) == {}  # and every point is on the mean, so no shift either
    assert chart.assurance == "hit_and_miss"


def test_all_equal_values_without_screening_collapse_the_limits_onto_the_centre():
    [period] = xmr([7] * 20, screen_outliers=False).periods
    assert period.mean_moving_range == 0.0
    assert period.lower_limit == period.upper_limit == period.centre == 7.0
    assert xmr([7] * 20, screen_outliers=False).outside_limits == []  # on the centre is not outside


def test_nan_limits_still_allow_trend_and_shift():
    # The basis 5, 5, 5, 5 has only zero ranges, all screened out: no limits. The rise after it is still a trend
    # (5 → 6 … → 12 is 7 points rising from index 3) and 8 points above the mean of 5 are a shift.
    chart = xmr([5, 5, 5, 5, 6, 7, 8, 9, 10, 11, 12], fix_after=4)
    assert math.isnan(chart.periods[0].upper_limit)
    assert chart.outside_limits == chart.two_in_three == []
    assert chart.trend == [3, 4, 5, 6, 7, 8, 9, 10]
    assert chart.shift == [4, 5, 6, 7, 8, 9, 10]
    assert chart.points[3].special_cause == "trend" and chart.points[3].direction == "up"


def test_a_zero_mean_moving_range_after_screening_puts_every_point_off_the_mean_outside():
    # Ranges 0 × 8 and 4: mean 4/9, cut 1.452, so only the 4 goes and the mean of the rest is exactly 0.
    # Centre 54/10 = 5.4; the limits collapse onto it and every point (none is 5.4) is outside.
    chart = xmr([5, 5, 5, 5, 5, 5, 5, 5, 5, 9])
    [period] = chart.periods
    assert period.mean_moving_range == 0.0
    assert period.lower_limit == period.upper_limit == period.centre == approx(5.4)
    assert chart.outside_limits == list(range(10))
    assert [point.direction for point in chart.points] == ["down"] * 9 + ["up"]
    assert chart.variation == "improvement_high"


# --- Outside the limits and close to them ------------------------------------------------------------------------

BASIS = [10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12]  # centre 11, mean moving range 2


def test_a_point_exactly_on_a_limit_is_not_outside():
    period = xmr(BASIS).periods[0]
    upper, lower = period.upper_limit, period.lower_limit
    chart = xmr([*BASIS, upper, lower, math.nextafter(upper, math.inf), math.nextafter(lower, -math.inf)], fix_after=12)
    assert chart.outside_limits == [14, 15]
    assert (chart.points[14].direction, chart.points[15].direction) == ("up", "down")


def test_a_point_exactly_on_a_two_sigma_line_is_not_close():
    period = xmr(BASIS).periods[0]
    on_line = period.two_sigma_upper
    beyond = math.nextafter(on_line, math.inf)
    assert xmr([*BASIS, on_line, on_line, on_line], fix_after=12).two_in_three == []
    assert xmr([*BASIS, on_line, beyond, beyond], fix_after=12).two_in_three == [13, 14]


# --- Two in three --------------------------------------------------------------------------------------------------
# With BASIS fixed: centre 11, limits 5.68 / 16.32, 2-sigma lines 7.453 / 14.547.


def test_two_of_three_close_points_on_one_side_flag_only_the_close_ones():
    chart = xmr([*BASIS, 15, 12, 15.5], fix_after=12)
    assert chart.two_in_three == [12, 14]  # 12 is above the mean but not close: never flagged by this rule
    assert flagged(chart) == {12: "two_in_three", 14: "two_in_three"}
    assert chart.points[14].point_type == "improvement" and chart.variation == "improvement_high"


def test_two_in_three_below_the_mean_on_a_decrease_measure_is_improvement_low():
    # The basis ends on 12 (above the mean), so 7, 7 alone have no window of 3 all below the mean.
    assert xmr([*BASIS, 7, 7], fix_after=12).two_in_three == []
    chart = xmr([*BASIS, 10, 7, 7], fix_after=12, improvement="decrease")
    assert chart.two_in_three == [13, 14]
    assert chart.variation == "improvement_low"


def test_a_point_on_the_mean_spoils_a_two_in_three_window():
    assert xmr([*BASIS, 15, 11, 15], fix_after=12).two_in_three == []


def test_close_points_on_opposite_sides_do_not_make_two_in_three():
    assert xmr([*BASIS, 15, 7, 15, 7], fix_after=12).two_in_three == []


def test_points_outside_the_limits_neither_count_nor_get_flagged_by_two_in_three():
    # 17 is outside (above 16.32), 15 is close, 12 is above: only one close point in the window.
    chart = xmr([*BASIS, 17, 15, 12], fix_after=12)
    assert chart.outside_limits == [12]
    assert chart.two_in_three == []
    # Two close points around an outside one still qualify, and the outside one is not listed by this rule.
    chart = xmr([*BASIS, 15, 17, 15], fix_after=12)
    assert chart.two_in_three == [12, 14]
    assert flagged(chart) == {12: "two_in_three", 13: "outside_limits", 14: "two_in_three"}


# --- Trend ---------------------------------------------------------------------------------------------------------

WIDE = [0, 40] * 6  # centre 20, mean moving range 40: limits -86.4 / 126.4, far from anything below


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ([1, 2, 3, 4, 5, 6, 7], list(range(12, 19))),  # 7 rising points: 6 rising steps
        ([1, 2, 3, 4, 5, 6], []),  # 6 points are not enough
        ([1, 2, 3, 4, 5, 6, 7, 8, 9], list(range(12, 21))),  # overlapping windows merge
        ([9, 8, 7, 6, 5, 4, 3], list(range(12, 19))),  # falling
        ([1, 2, 3, 3, 4, 5, 6, 7], []),  # a tie breaks the trend: 3, 4, 5, 6, 7 then only 5 points after the tie
        ([1, 2, 3, 4, 5, 6, 5, 6, 7], []),
    ],
)
def test_trend_needs_6_strict_steps_in_one_direction(tail, expected):
    # The basis ends on 40 and the tail starts below it, so the step into the tail is down and joins no rising
    # trend; for the falling tail, 40 → 9 is a seventh falling step, starting the trend at index 11.
    chart = xmr([*WIDE, *tail], fix_after=12)
    if tail[0] > tail[1]:
        expected = [11, *expected]
    assert chart.trend == expected


def test_a_trend_crossing_the_mean_counts():
    # Around a centre of 20, 14 … 26 in steps of 2 crosses the mean: still a trend, and not a shift.
    chart = xmr([*WIDE, 14, 16, 18, 20, 22, 24, 26], fix_after=12)
    assert chart.trend == list(range(12, 19))
    assert chart.shift == []
    assert chart.points[15].value == 20.0 and chart.points[15].special_cause == "trend"


def test_a_rising_trend_below_the_mean_is_high_variation():
    chart = xmr([*WIDE, 1, 2, 3, 4, 5, 6, 7], fix_after=12)
    assert [point.direction for point in chart.points[12:]] == ["up"] * 7
    assert chart.variation == "improvement_high"  # the side is the trend's direction, not where the value sits
    assert xmr([*WIDE, 1, 2, 3, 4, 5, 6, 7], fix_after=12, improvement="decrease").variation == "concern_high"


def test_trend_direction_quirk_the_right_hand_side_wins():
    # A rising trend 11 … 17 then a falling one 17 … 11 share the peak (index 18). Its next point is in the trend
    # list, so the step to it (17 → 16, down) labels the peak "down", as NHSRplotthedots does.
    chart = xmr([*WIDE, 11, 12, 13, 14, 15, 16, 17, 16, 15, 14, 13, 12, 11], fix_after=12)
    assert chart.trend == list(range(12, 25))
    assert [point.direction for point in chart.points[12:]] == ["up"] * 6 + ["down"] * 7
    assert chart.points[18].point_type == "concern"


def test_trend_direction_quirk_a_tie_to_the_next_trend_counts_as_down():
    # Rising 11 … 17 (indices 12–18), a tie 17, 17, then falling 17 … 11 (indices 19–25). Point 18 ends the rise,
    # but point 19 is in the trend list and the step to it is 0, which counts as down.
    chart = xmr([*WIDE, 11, 12, 13, 14, 15, 16, 17, 17, 16, 15, 14, 13, 12, 11], fix_after=12)
    assert chart.trend == list(range(12, 26))
    assert chart.points[18].direction == "down"
    assert chart.points[17].direction == "up"


def test_the_last_point_of_a_trend_takes_the_step_into_it():
    chart = xmr([*WIDE, 1, 2, 3, 4, 5, 6, 7, 3], fix_after=12)
    assert chart.points[18].special_cause == "trend" and chart.points[18].direction == "up"
    assert chart.trend == list(range(12, 19))  # 7 → 3 ends it


# --- Shift -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        ([13] * 7, list(range(12, 19))),
        ([13] * 6, []),
        ([9] * 9, list(range(12, 21))),
        ([13, 13, 13, 11, 13, 13, 13, 13], []),  # a point exactly on the mean breaks the run
        ([13, 13, 13, 9, 13, 13, 13, 13], []),
    ],
)
def test_shift_is_7_points_strictly_on_one_side(tail, expected):
    # BASIS ends above its mean of 11; the 11 after it is on the mean, so the tail starts a fresh run at index 13.
    assert xmr([*BASIS, 11, *tail], fix_after=12).shift == [k + 1 for k in expected]


def test_shift_windows_never_span_a_period_boundary():
    # One period: mean 8.83, so indices 0–9 are below it and 10–17 above it, two shifts. Split at 10, the first
    # period (mean 1.1) has 5 points above then the boundary; the second (mean 18.5) has 4 above and 4 below.
    values = [0, 1, 0, 1, 0, 1, 2, 2, 2, 2, 20, 21, 20, 21, 18, 17, 16, 15]
    assert xmr(values).shift == list(range(18))
    assert xmr(values, rebase_at=[10]).shift == []


def test_trend_windows_never_span_a_period_boundary():
    # 0, 1, 2, 3, 4, 5, 6, 7 at indices 3–10 rise for 8 points, but a new period starts at index 8.
    values = [5, 0, 5, 0, 1, 2, 3, 4, 5, 6, 7, 0, 7, 0]
    assert xmr(values).trend == list(range(3, 11))
    assert xmr(values, rebase_at=[8]).trend == []


def test_rule_lists_are_per_rule_and_overlap_before_precedence():
    chart = xmr([*BASIS, 13, 14, 15, 15.2, 15.4, 15.6, 16, 17], fix_after=12)
    assert chart.outside_limits == [19]
    assert chart.trend == list(range(10, 20))  # from the basis's last two points, 10 and 12
    assert chart.shift == list(range(11, 20))
    assert chart.two_in_three == [14, 15, 16, 17, 18]  # 15 … 16 are beyond the 2-sigma line 14.55; 17 is outside
    # Precedence: outside_limits > trend > two_in_three > shift.
    assert chart.points[19].special_cause == "outside_limits"
    assert {chart.points[k].special_cause for k in range(10, 19)} == {"trend"}
    assert {chart.points[k].point_type for k in range(10, 20)} == {"improvement"}


# --- point_type, variation, assurance ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("improvement", "up", "down", "variation_up", "variation_down"),
    [
        ("increase", "improvement", "concern", "improvement_high", "concern_low"),
        ("decrease", "concern", "improvement", "concern_high", "improvement_low"),
        ("neutral", "neutral_high", "neutral_low", "neutral_high", "neutral_low"),
    ],
)
def test_point_type_and_variation_by_improvement_direction(improvement, up, down, variation_up, variation_down):
    high = xmr([*BASIS, 30], fix_after=12, improvement=improvement)
    low = xmr([*BASIS, -10], fix_after=12, improvement=improvement)
    assert (high.points[-1].point_type, high.variation) == (up, variation_up)
    assert (low.points[-1].point_type, low.variation) == (down, variation_down)
    assert high.points[0].point_type == "common_cause" and high.points[0].direction is None


def test_variation_comes_from_the_last_point_only():
    chart = xmr([*BASIS, 30, 11], fix_after=12)
    assert chart.outside_limits == [12]
    assert chart.variation == "common_cause"


@pytest.mark.parametrize(
    ("improvement", "target", "assurance"),
    [
        ("increase", None, None),
        ("neutral", 100, None),
        ("increase", 20, "fail"),  # above the upper limit 16.32: the process will not reach it
        ("decrease", 20, "pass"),
        ("increase", 2, "pass"),  # below the lower limit 5.68
        ("decrease", 2, "fail"),
        ("increase", 11, "hit_and_miss"),
        ("decrease", 11, "hit_and_miss"),
    ],
)
def test_assurance(improvement, target, assurance):
    assert xmr(BASIS, improvement=improvement, target=target).assurance == assurance


def test_a_target_exactly_on_a_limit_is_hit_and_miss():
    period = xmr(BASIS).periods[0]
    for target in (period.upper_limit, period.lower_limit):
        for improvement in ("increase", "decrease"):
            assert xmr(BASIS, improvement=improvement, target=target).assurance == "hit_and_miss"
    assert xmr(BASIS, target=math.nextafter(period.upper_limit, math.inf)).assurance == "fail"


def test_assurance_uses_the_last_periods_limits():
    values = [*BASIS, *(v + 100 for v in BASIS)]
    # One period: the jump of 98 is screened, so the limits are 61 ∓ 5.32; split, the last period's are 111 ∓ 5.32.
    assert xmr(values, target=60).assurance == "hit_and_miss"
    assert xmr(values, target=60, rebase_at=[12]).assurance == "pass"


# --- The result objects ------------------------------------------------------------------------------------------


def test_results_are_frozen_dataclasses():
    chart = xmr([1, 2, 3])
    for obj in (chart, chart.periods[0], chart.points[0]):
        assert dataclasses.is_dataclass(obj)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, dataclasses.fields(obj)[0].name, None)


def test_points_are_ordinary_xmr_points():
    chart = xmr([*BASIS, 30], fix_after=12)
    point = chart.points[-1]
    assert type(point) is XmrPoint
    rebuilt = XmrPoint(12, 30.0, 11.0, point.lower_limit, point.upper_limit, "outside_limits", "improvement", "up")
    assert point == rebuilt and hash(point) == hash(rebuilt)
    assert dataclasses.replace(point, value=31.0).value == 31.0
    assert repr(point).startswith("XmrPoint(index=12, value=30.0")


def test_values_near_the_float_limit_do_not_overflow_the_mean():
    [period] = xmr([1e308, 1.5e308, 1e308]).periods
    assert period.centre == approx(3.5 / 3 * 1e308)


def test_results_survive_pickling_as_a_cache_would():
    chart = xmr([*BASIS, 30, 11], fix_after=12, target=20)
    copy = pickle.loads(pickle.dumps(chart))  # noqa: S301 (our own bytes, not untrusted data)
    assert copy == chart
    assert type(copy.points[12]) is XmrPoint and copy.points[12].special_cause == "outside_limits"


def test_accepts_ints_decimals_fractions_and_tuples():
    expected = xmr([1.0, 2.5, 2.0, 4.0])
    assert xmr((1, Decimal("2.5"), Fraction(2), 4)) == expected
    assert xmr(iter([1, 2.5, 2, 4])) == expected


# --- Bad input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "must not be empty"),
        (None, "None"),
        (5, "5"),
        ("123", "'123'"),
        ([1, None, 3], r"values\[1\].*None"),
        ([1, math.nan], r"values\[1\].*nan"),
        ([math.inf, 1], r"values\[0\].*inf"),
        ([1, -math.inf], r"values\[1\].*-inf"),
        ([1, "2"], r"values\[1\].*'2'"),
        ([1, True], r"values\[1\].*True"),
        ([1, Decimal("NaN")], r"values\[1\].*Decimal\('NaN'\)"),
        ([1, 10**400], r"values\[1\]"),
    ],
)
def test_bad_values_raise_value_error_naming_them(values, message):
    with pytest.raises(ValueError, match=message):
        xmr(values)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"improvement": "up"}, "improvement.*'up'"),
        ({"improvement": None}, "improvement.*None"),
        ({"target": math.nan}, "target.*nan"),
        ({"target": math.inf}, "target.*inf"),
        ({"target": "12"}, "target.*'12'"),
        ({"fix_after": 1}, "fix_after.*1"),
        ({"fix_after": 0}, "fix_after.*0"),
        ({"fix_after": 2.5}, "fix_after.*2.5"),
        ({"fix_after": True}, "fix_after.*True"),
        ({"rebase_at": [5]}, "rebase_at.*5"),
        ({"rebase_at": [-1]}, "rebase_at.*-1"),
        ({"rebase_at": [1.0]}, r"rebase_at.*1\.0"),
        ({"rebase_at": [True]}, "rebase_at.*True"),
        ({"rebase_at": 2}, "rebase_at.*2"),
        ({"rebase_at": "1"}, "rebase_at.*'1'"),
        ({"screen_outliers": "no"}, "screen_outliers.*'no'"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(arguments, message):
    with pytest.raises(ValueError, match=message):
        xmr([1, 2, 3, 4, 5], **arguments)
