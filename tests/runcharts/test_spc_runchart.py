"""Run charts (Anhøj and IHI rules): the worked examples of the SPC rules document, then each rule and edge."""

import dataclasses
import math
import pickle
import re
from fractions import Fraction
from pathlib import Path

import pytest

from runcharts._spc_rules import RUNS_TABLE, crossings_min
from runcharts.spc import RunChartPart, run_chart

# The binding SPC rules document, kept in the repository so the tests need nothing outside it.
RULES_DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "spc-rules.md"

# The IHI runs table exactly as printed in the rules document (section 4), so the test needs no file outside the repo.
PRINTED_RUNS_TABLE = """
10: 3–9   11: 3–10  12: 3–11  13: 4–11  14: 4–12  15: 5–12  16: 5–13  17: 5–13
18: 6–14  19: 6–15  20: 6–16  21: 7–16  22: 7–17  23: 7–17  24: 8–18  25: 8–18
26: 9–19  27: 9–20  28: 10–20 29: 10–21 30: 11–22 31: 11–22 32: 11–23 33: 11–24
34: 12–24 35: 12–25 36: 13–25 37: 13–26 38: 14–26 39: 14–27 40: 15–27
"""
PART_FIELDS = [field.name for field in dataclasses.fields(RunChartPart)]
TOP_LEVEL_FIELDS = [name for name in PART_FIELDS if name not in ("start", "end")]
ANHOEJ = ("median", "n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min")

V = [12, 15, 13, 14, 16, 11, 14, 13, 9, 10, 8, 9, 10, 7, 9, 8]


def summary(result, *names):
    return tuple(getattr(result, name) for name in names)


def alternating(n):
    """n useful points, crossing the median (0.5) at every step: the longest run is 1."""
    return [k % 2 for k in range(n)]


def runs_of(lengths):
    """Runs of the given lengths, alternately above and below a median of 6, with no IHI trend anywhere.

    Above the median the values go 10, 12, 10, …; below it 0, 2, 0, …, so no 5 points ever rise or fall in a row.
    """
    values = []
    for r, length in enumerate(lengths):
        high, low = (10, 12) if r % 2 == 0 else (0, 2)
        values += [high if k % 2 == 0 else low for k in range(length)]
    return values


# --- Section 5, example 4: Anhøj --------------------------------------------------------------------------------


def test_example_4_frozen_baseline():
    chart = run_chart(V, baseline=9)
    assert chart.median == 13.0  # indices 2 and 7 are on it
    assert chart.n_useful == 14
    assert summary(chart, "longest_run", "longest_run_max", "crossings", "crossings_min") == (8, 7, 4, 4)
    assert chart.signal is True
    assert chart.shift == chart.flagged == list(range(8, 16))
    assert chart.trend == []
    assert (chart.runs, chart.runs_limits) == (None, None)
    [part] = chart.parts
    assert (part.start, part.end) == (0, 15)


def test_example_4_frozen_baseline_with_an_exclusion():
    chart = run_chart(V, baseline=9, exclude=(5,))
    assert chart.median == 13.5  # the baseline positions without index 5
    assert chart.n_useful == 15
    assert summary(chart, "longest_run", "longest_run_max", "crossings", "crossings_min") == (9, 7, 4, 4)
    assert chart.signal is True
    assert chart.shift == chart.flagged == list(range(7, 16))


def test_example_4_two_parts():
    chart = run_chart(V, parts=(8,))
    first, second = chart.parts
    assert (first.start, first.end, first.median, first.n_useful) == (0, 7, 13.5, 8)
    assert summary(first, "longest_run", "longest_run_max", "crossings", "crossings_min") == (2, 6, 6, 1)
    assert first.signal is False and first.flagged == []
    assert (second.start, second.end, second.median, second.n_useful) == (8, 15, 9.0, 5)
    assert summary(second, "longest_run", "longest_run_max", "crossings", "crossings_min") == (2, 5, 3, 0)
    assert second.signal is False and second.flagged == []
    for name in TOP_LEVEL_FIELDS:
        assert getattr(chart, name) == getattr(second, name), name


# --- Section 5, example 5: IHI -----------------------------------------------------------------------------------

EXAMPLE_5 = [6, 9, 7, 10, 5, 8, 4, 6, 7, 7, 8, 11, 9, 10, 12, 8, 9, 10, 11]


def test_example_5_ihi():
    chart = run_chart(EXAMPLE_5, rules="ihi")
    assert chart.median == 8.0  # indices 5, 10 and 15 are on it
    assert chart.n_useful == 16
    assert chart.runs == 6
    assert chart.runs_limits == (5, 13)  # so the number of runs is as expected
    assert chart.shift == [11, 12, 13, 14, 16, 17, 18]  # 7 useful points above, with 15 skipped
    assert chart.trend == [6, 7, 8, 9, 10, 11]  # 4, 6, 7, 7, 8, 11: the repeated 7 counts once
    assert chart.signal is True
    assert chart.flagged == [6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18]
    assert summary(chart, "longest_run", "longest_run_max", "crossings", "crossings_min") == (None,) * 4
    [part] = chart.parts
    assert (part.start, part.end) == (0, 18)


# --- Anhøj limits ------------------------------------------------------------------------------------------------

QUICK_CHECKS = {10: (6, 2), 12: (7, 3), 14: (7, 4), 16: (7, 4), 20: (7, 6), 24: (8, 8), 30: (8, 10), 36: (8, 13)}
QUICK_CHECKS |= {40: (8, 14), 100: (10, 41)}


@pytest.mark.parametrize(("n_useful", "limits"), QUICK_CHECKS.items())
def test_quick_check_table_of_anhoej_limits(n_useful, limits):
    chart = run_chart(alternating(n_useful))
    assert chart.n_useful == n_useful
    assert (chart.longest_run_max, chart.crossings_min) == limits


def test_crossings_min_is_the_exact_lower_5_percent_binomial_quantile():
    for n_useful in range(1, 130):
        m = n_useful - 1
        cumulative = Fraction(0)
        for c in range(m + 1):
            cumulative += Fraction(math.comb(m, c), 2**m)
            if cumulative >= Fraction(1, 20):
                break
        assert crossings_min(n_useful) == c, n_useful


def test_crossings_min_at_10000_points_is_plausible():
    # Normal approximation: (m / 2) − 1.645 × √m / 2 ≈ 4917.7 for m = 9999; the exact quantile is close to it.
    assert abs(crossings_min(10_000) - 4917.7) < 2


def test_one_useful_point():
    chart = run_chart([1, 2, 2])  # median 2: only the first point is useful
    assert summary(chart, "n_useful", "longest_run", "longest_run_max", "crossings", "crossings_min") == (1, 1, 3, 0, 0)
    assert chart.signal is False


def test_a_longest_run_equal_to_the_limit_is_not_a_signal_but_one_more_is():
    # Runs 7, 1, 1, 1, 1, 1, 1, 1: 10 points above and 4 below. Seven 5s put the median at 5 and, being on it,
    # are skipped: 14 useful points, so longest_run_max 7 and crossings_min 4, against a longest run of 7 and
    # 7 crossings.
    chart = run_chart([*runs_of([7, 1, 1, 1, 1, 1, 1, 1]), *[5] * 7])
    assert summary(chart, *ANHOEJ) == (5.0, 14, 7, 7, 7, 4)
    assert chart.signal is False and chart.flagged == []
    # One more point in the first run (and one more 5 to keep the median): 15 useful points, still a limit of 7
    # (log2 15 = 3.9), and crossings_min 4 (P(X <= 3) = 470/16384 < 5 % for Binomial(14, 1/2)).
    chart = run_chart([*runs_of([8, 1, 1, 1, 1, 1, 1, 1]), *[5] * 8])
    assert summary(chart, *ANHOEJ) == (5.0, 15, 8, 7, 7, 4)
    assert chart.signal is True
    assert chart.shift == chart.flagged == list(range(8))


def test_crossings_equal_to_the_minimum_is_not_a_signal_but_one_fewer_is():
    # 10 useful points: crossings_min 2 and longest_run_max 6. Runs 4, 3, 3 make 2 crossings; five 5s on the
    # median balance the 7 points above against the 3 below.
    chart = run_chart([*runs_of([4, 3, 3]), *[5] * 5])
    assert summary(chart, "median", "n_useful", "crossings", "crossings_min", "longest_run") == (5.0, 10, 2, 2, 4)
    assert chart.signal is False
    # Runs 5, 5: 1 crossing, fewer than 2. The median is (2 + 10) / 2 = 6.
    chart = run_chart(runs_of([5, 5]))
    assert summary(chart, "median", "n_useful", "crossings", "longest_run", "longest_run_max") == (6.0, 10, 1, 5, 6)
    assert chart.signal is True
    assert chart.flagged == chart.shift == []  # a crossings-only signal flags no point


def test_a_run_longer_than_the_limit_flags_its_useful_points_only():
    # Seven 9s, three 1s and five 5s: median 5. 10 useful points (limit 6); the 9s make a run of 7 in which the 5 at
    # index 3 is skipped, so it is not listed.
    values = [9, 9, 9, 5, 9, 9, 9, 9, 1, 1, 1, 5, 5, 5, 5]
    chart = run_chart(values)
    assert chart.median == 5.0
    assert summary(chart, "n_useful", "longest_run", "longest_run_max") == (10, 7, 6)
    assert chart.shift == chart.flagged == [0, 1, 2, 4, 5, 6, 7]
    assert chart.signal is True


def test_points_on_the_median_neither_break_nor_extend_a_run():
    # Median 5. The 5s sit inside the run of 9s and between 9s and 1s: the runs are 9 × 4 and 1 × 3.
    chart = run_chart([9, 5, 9, 5, 9, 9, 5, 1, 5, 1, 1])
    assert chart.median == 5.0
    assert summary(chart, "n_useful", "longest_run", "crossings") == (7, 4, 1)


def test_no_useful_points():
    chart = run_chart([4, 4, 4, 4])
    assert (chart.median, chart.n_useful) == (4.0, 0)
    assert summary(chart, "longest_run", "longest_run_max", "crossings", "crossings_min") == (None,) * 4
    assert chart.signal is False and chart.shift == chart.flagged == chart.trend == []


def test_single_point():
    for rules in ("anhoej", "ihi"):
        chart = run_chart([3.5], rules=rules)
        assert (chart.median, chart.n_useful, chart.signal, chart.flagged) == (3.5, 0, False, [])
        [part] = chart.parts
        assert (part.start, part.end) == (0, 0)
    assert run_chart([3.5], rules="ihi").runs == 0


# --- Median, baseline, exclude, parts ----------------------------------------------------------------------------


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert run_chart([1, 2, 3, 10]).median == 2.5
    assert run_chart([1e308, 1e308, 1e308, 1e308]).median == 1e308  # no overflow on the way


def test_baseline_takes_the_median_from_the_first_points_but_analyses_them_all():
    values = [1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17]
    chart = run_chart(values, baseline=3)
    assert chart.median == 2.0
    assert chart.n_useful == 10  # every point but the one on the median, baseline or not
    assert chart.flagged == list(range(2, 11))  # 9 above in a row: longest_run_max for 10 useful points is 6


def test_a_baseline_larger_than_the_series_means_all_points():
    assert run_chart(V, baseline=100) == run_chart(V)
    assert run_chart(V, baseline=1).median == 12.0


def test_baseline_is_ignored_when_there_are_parts():
    assert run_chart(V, parts=[8], baseline=3) == run_chart(V, parts=[8])


def test_parts_index_0_and_repeats_change_nothing():
    assert run_chart(V, parts=[8, 0, 8]) == run_chart(V, parts=[8])
    # With only index 0, there is one part, so the baseline still applies.
    assert run_chart(V, parts=[0], baseline=9) == run_chart(V, baseline=9)


def test_each_part_is_analysed_on_its_own():
    values = [10] * 3 + [20] * 8 + [0] * 3 + [50, 60, 50, 60, 50, 60]
    chart = run_chart(values, parts=[14])
    first, second = chart.parts
    # Part 1 (0–13): median 20, so the 20s are on it; 10, 10, 10 and 0, 0, 0 make 6 useful points below it:
    # a run of 6, equal to the limit round(log2 6) + 3 = 6, and 0 crossings against a minimum of 1.
    assert (first.start, first.end, first.median, first.n_useful) == (0, 13, 20.0, 6)
    assert summary(first, "longest_run", "longest_run_max", "crossings", "crossings_min") == (6, 6, 0, 1)
    assert first.signal is True and first.flagged == []
    # Part 2 (14–19): median 55 and alternating; the top level is part 2.
    assert (second.start, second.end, second.median, second.crossings) == (14, 19, 55.0, 5)
    assert chart.signal is False and chart.flagged == []


def test_a_long_run_in_an_earlier_part_is_flagged_there_only():
    # Part 1 (0–17): five 1s, five 2s and eight 9s, median 2. The 2s are on it, so the 9s at 4–11 are one run of 8
    # among 13 useful points (limit 7). Part 2 alternates 5, 6.
    values = [1, 2] * 2 + [9] * 8 + [1, 2] * 3 + [5, 6] * 4
    chart = run_chart(values, parts=[18])
    assert chart.parts[0].median == 2.0
    assert chart.parts[0].flagged == list(range(4, 12))
    assert chart.flagged == chart.parts[1].flagged == []


def test_excluded_points_are_removed_before_counting_and_never_flagged():
    # Eight 10s, seven 0s and three 5s: median 5. The 0 at index 5 splits the 10s into runs of 5 and 3.
    values = [10] * 5 + [0] + [10] * 3 + [0] * 6 + [5] * 3
    kept = run_chart(values)
    assert summary(kept, "median", "n_useful", "longest_run", "longest_run_max") == (5.0, 15, 6, 7)
    assert kept.shift == []
    # Excluded, it is gone: its neighbours are adjacent, the 10s make one run of 8 among 14 useful points (limit 7),
    # and the median is still 5 (six 0s, three 5s, eight 10s).
    dropped = run_chart(values, exclude=[5])
    assert summary(dropped, "median", "n_useful", "longest_run", "longest_run_max") == (5.0, 14, 8, 7)
    assert dropped.flagged == [0, 1, 2, 3, 4, 6, 7, 8]


def test_exclude_takes_points_out_of_the_median_and_the_runs():
    values = [1, 1, 1, 1, 100, 9, 9, 9, 9, 9, 9, 9, 9]
    chart = run_chart(values, exclude=[4])
    # Included: four 1s and eight 9s, median 9: the 9s are on it, 4 useful points below.
    assert (chart.median, chart.n_useful, chart.longest_run) == (9.0, 4, 4)
    chart = run_chart([1, 1, 100, 1, 1, 9, 9, 9, 9, 9, 9, 2, 3], exclude=[2], baseline=5)
    # Baseline positions 0–4 without index 2: 1, 1, 1, 1, median 1. Useful: 9 × 6, 2, 3: one run of 8 > 6.
    assert (chart.median, chart.n_useful, chart.longest_run, chart.longest_run_max) == (1.0, 8, 8, 6)
    assert chart.flagged == [5, 6, 7, 8, 9, 10, 11, 12]
    assert 2 not in chart.flagged


def test_excluding_every_baseline_point_leaves_no_median_and_no_useful_points():
    chart = run_chart([1, 2, 3, 4, 5], baseline=2, exclude=[0, 1])
    assert math.isnan(chart.median)
    assert (chart.n_useful, chart.longest_run, chart.signal, chart.flagged) == (0, None, False, [])


def test_excluding_a_whole_part():
    chart = run_chart([1, 2, 3, 4, 5, 6], parts=[3], exclude=[3, 4, 5])
    assert math.isnan(chart.median) and chart.n_useful == 0 and chart.signal is False
    assert chart.parts[0].median == 2.0


def test_top_level_fields_equal_the_last_part_including_index_lists():
    chart = run_chart([1, 2, 3] + [0] * 4 + [9] * 8 + [0] * 4, parts=[3])  # part 2: median 4.5, a run of 8
    last = chart.parts[-1]
    for name in TOP_LEVEL_FIELDS:
        assert getattr(chart, name) == getattr(last, name), name
    assert chart.flagged == list(range(7, 15))  # so the index lists are really compared
    assert not hasattr(chart, "start")


def test_results_survive_pickling_as_a_cache_would():
    chart = run_chart(V, parts=[8])
    assert pickle.loads(pickle.dumps(chart)) == chart  # noqa: S301 (our own bytes, not untrusted data)


def test_index_lists_are_sorted_plain_ints():
    chart = run_chart(EXAMPLE_5, rules="ihi", exclude=(0,))
    for name in ("shift", "trend", "flagged"):
        indices = getattr(chart, name)
        assert indices == sorted(set(indices))
        assert all(type(index) is int for index in indices)
    assert type(chart.median) is float


# --- IHI rules -----------------------------------------------------------------------------------------------------


def parse_runs_table(text):
    return {int(n): (int(low), int(high)) for n, low, high in re.findall(r"(\d+): (\d+)–(\d+)", text)}


def test_ihi_runs_table_is_the_printed_table_verbatim():
    printed = parse_runs_table(PRINTED_RUNS_TABLE)
    assert sorted(printed) == list(range(10, 41))
    assert printed == RUNS_TABLE
    # Not a recomputation: an exact one with 10 points on each side would give 7–15 at 20 (see the document).
    assert RUNS_TABLE[20] == (6, 16)


def test_the_printed_table_matches_the_rules_document():
    text = RULES_DOCUMENT.read_text(encoding="utf-8").split("**Runs table**")[1].split("```text")[1].split("```")[0]
    assert text.strip() == PRINTED_RUNS_TABLE.strip()


@pytest.mark.parametrize(
    ("lengths", "runs", "signal"),
    [
        ([3, 5, 4, 5, 3], 5, True),  # fewer than 6: too few runs
        ([4, 3, 3, 3, 3, 4], 6, False),  # the low bound itself is fine
        ([2, 2, 2, 2] + [1] * 12, 16, False),  # the high bound itself is fine
        ([2, 2, 1, 2] + [1] * 13, 17, True),  # more than 16: too many runs
    ],
)
def test_ihi_runs_test_at_20_useful_points(lengths, runs, signal):
    chart = run_chart(runs_of(lengths), rules="ihi")
    assert (chart.median, chart.n_useful, chart.runs, chart.runs_limits) == (6.0, 20, runs, (6, 16))
    assert chart.shift == chart.trend == []  # so only the runs test can signal
    assert chart.signal is signal
    assert chart.flagged == []


@pytest.mark.parametrize(("n_useful", "limits"), [(9, None), (10, (3, 9)), (40, (15, 27)), (41, None)])
def test_ihi_runs_limits_only_from_10_to_40_useful_points(n_useful, limits):
    chart = run_chart(alternating(n_useful), rules="ihi", baseline=2)  # median 0.5, also for an odd count
    assert (chart.n_useful, chart.runs, chart.runs_limits) == (n_useful, n_useful, limits)
    assert chart.signal is (limits is not None and n_useful > limits[1])


def test_ihi_shift_is_6_or_more_useful_points():
    five = run_chart([9, 9, 9, 9, 9, 1, 1, 1, 1, 1], rules="ihi")
    assert (five.median, five.shift) == (5.0, [])
    six = run_chart([9, 9, 9, 5, 9, 9, 9, 1, 1, 1, 1, 1, 1], rules="ihi")
    assert six.median == 5.0
    assert six.shift == [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]  # 9 × 6 with 5 skipped, then 1 × 6


@pytest.mark.parametrize(
    ("values", "trend"),
    [
        ([1, 2, 3, 4, 5], [0, 1, 2, 3, 4]),  # 5 points rising
        ([1, 2, 3, 4], []),  # 4 are not enough
        ([5, 4, 3, 2, 1], [0, 1, 2, 3, 4]),
        ([1, 2, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]),  # a tie inside the trend is listed
        ([1, 1, 2, 3, 4, 5], [0, 1, 2, 3, 4, 5]),  # so is the flat group it starts from
        ([1, 2, 3, 4, 5, 5, 4], [0, 1, 2, 3, 4]),  # the tie after its last step is not
        ([1, 2, 2, 3, 3, 4], []),  # ties count once: 1, 2, 3, 4 is 4 points
        ([1, 2, 3, 4, 5, 4, 3, 2, 1], list(range(9))),  # the turning point belongs to both stretches
        ([1, 2, 3, 4, 5, 5, 4, 3, 2, 1], list(range(10))),  # a flat turning group joins the falling stretch
        ([3, 2, 3, 4, 5, 6, 1], [1, 2, 3, 4, 5]),
    ],
)
def test_ihi_trend(values, trend):
    assert run_chart(values, rules="ihi").trend == trend


def test_ihi_trend_reads_the_series_as_if_excluded_points_were_absent():
    values = [1, 2, 3, 0, 4, 5]
    assert run_chart(values, rules="ihi").trend == []
    assert run_chart(values, rules="ihi", exclude=[3]).trend == [0, 1, 2, 4, 5]


def test_ihi_uses_the_baseline_for_its_median():
    chart = run_chart([1, 2, 3, 10, 11, 12, 13, 14, 15], rules="ihi", baseline=3)
    assert chart.median == 2.0
    assert chart.shift == [2, 3, 4, 5, 6, 7, 8]


def test_fields_of_the_other_rule_set_are_none():
    anhoej = run_chart(EXAMPLE_5)
    assert (anhoej.runs, anhoej.runs_limits, anhoej.trend) == (None, None, [])
    ihi = run_chart(EXAMPLE_5, rules="ihi")
    assert summary(ihi, "longest_run", "longest_run_max", "crossings", "crossings_min") == (None,) * 4


def test_crossings_are_one_fewer_than_ihi_runs():
    for values in (V, EXAMPLE_5, runs_of([3, 1, 4, 1, 5, 9, 2, 6])):
        assert run_chart(values).crossings == run_chart(values, rules="ihi").runs - 1


# --- Bad input ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"rules": "IHI"}, "rules.*'IHI'"),
        ({"rules": "anhøj"}, "rules.*'anhøj'"),
        ({"baseline": 0}, "baseline.*0"),
        ({"baseline": -3}, "baseline.*-3"),
        ({"baseline": 2.0}, r"baseline.*2\.0"),
        ({"baseline": True}, "baseline.*True"),
        ({"parts": [5]}, "parts.*5"),
        ({"parts": [-1]}, "parts.*-1"),
        ({"parts": 2}, "parts.*2"),
        ({"exclude": [5]}, "exclude.*5"),
        ({"exclude": [None]}, "exclude.*None"),
        ({"rules": "ihi", "parts": [2]}, r"parts.*\[2\]"),
        ({"rules": "ihi", "parts": [0]}, r"parts.*\[0\]"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(arguments, message):
    with pytest.raises(ValueError, match=message):
        run_chart([1, 2, 3, 4, 5], **arguments)


@pytest.mark.parametrize(
    ("values", "message"),
    [([], "empty"), ([1, None], r"values\[1\].*None"), ([math.nan], "nan"), ([1, math.inf], "inf")],
)
def test_bad_values_raise_value_error_naming_them(values, message):
    for rules in ("anhoej", "ihi"):
        with pytest.raises(ValueError, match=message):
            run_chart(values, rules=rules)
