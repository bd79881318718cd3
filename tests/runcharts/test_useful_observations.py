"""Too few useful observations: a run chart (or a control chart's runs) read from a handful of points off the median
is not a signal. Useful points are the rules document's (§3.4: off the median); its runs test starts at 10 of them
(§4.5, the table); and Anhøj's limits assume the median halves the data, so more points on it than off it is too few."""

import re
from datetime import date, timedelta
from pathlib import Path

from excellence import charts as excellence_charts
from runcharts import analysis, spc

RULES_DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "spc-rules.md"

# A ward's excellence reports: mostly weeks with none, so the median is 0 and every useful week is above it.
FEW_REPORTS = [0, 0, 1, 0, 2, 0, 1, 0, 0, 1, 0, 3, 0, 1, 0, 1]
# Oak Ward's 52 weeks in the demo: 17 reports, 14 weeks off a median of 0. Enough useful weeks by count (14 ≥ 10),
# but 38 on the median: the median never splits the data, so "0 crossings" says nothing about the ward.
OAK_WARD = [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
OAK_WARD += [2, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1]


def weeks(n: int) -> list[date]:
    first = date(2026, 1, 5)
    return [first + timedelta(weeks=k) for k in range(n)]


def test_the_threshold_is_the_smallest_size_in_the_documents_runs_table():
    text = RULES_DOCUMENT.read_text(encoding="utf-8")
    sizes = [int(n) for n in re.findall(r"(\d+): \d+–\d+", text)]
    assert sizes and spc.MIN_USEFUL == min(sizes) == 10
    assert "Outside 10..40 useful points, `runs_limits` is `None`" in text
    assert "Points on\n   the median are skipped" in text  # §3.4: what makes a point useful


def test_a_median_of_zero_from_a_few_reports_has_too_few_useful_observations():
    result = spc.run_chart(FEW_REPORTS)
    # The rules themselves still compute what qicharts2 computes: 7 useful weeks, all above, no crossing …
    assert (result.median, result.n_useful, result.crossings, result.crossings_min) == (0.0, 7, 0, 1)
    assert result.signal
    # … and the result says that is too few to read.
    assert result.too_few_useful and result.parts[-1].too_few_useful


def test_the_documents_worked_example_has_enough_useful_points_but_its_short_part_does_not():
    v = [12, 15, 13, 14, 16, 11, 14, 13, 9, 10, 8, 9, 10, 7, 9, 8]  # spc-rules.md, example 4
    assert not spc.run_chart(v, baseline=9).too_few_useful  # n_useful 14 of 16
    assert not spc.run_chart(v, rules="ihi").too_few_useful
    parted = spc.run_chart(v, parts=(8,))
    assert [part.n_useful for part in parted.parts] == [8, 5]
    assert [part.too_few_useful for part in parted.parts] == [True, True]
    alternating = [k % 2 for k in range(10)]
    assert not spc.run_chart(alternating).too_few_useful  # exactly 10 useful points is enough


def test_a_run_chart_says_too_few_useful_observations_instead_of_a_signal():
    for rules in ("anhoej", "ihi"):
        result = analysis.analyse(weeks=weeks(16), values=FEW_REPORTS, chart=rules, improvement="increase")
        assert result.signal == "not_enough_data"
        assert result.summary.startswith("Too few useful observations: only 7 of the 16 weeks are off the median of 0")
        assert "Non-random" not in result.summary
        assert not [row for row in result.rows if row.special_cause]  # no point is drawn as part of a signal


def test_a_monthly_run_chart_counts_months():
    result = analysis.analyse(
        weeks=weeks(16), values=FEW_REPORTS, chart="anhoej", improvement="increase", frequency="monthly"
    )
    assert "only 7 of the 16 months are off the median" in result.summary


def test_enough_useful_observations_still_signal():
    values = [0, 0, 0, 0, 0, 0, 0, 0, 5, 6, 7, 5, 6, 7, 5, 6, 7, 5, 6, 7, 5, 6]  # 14 weeks above a median of 0
    result = analysis.analyse(weeks=weeks(len(values)), values=values, chart="anhoej", improvement="increase")
    assert result.signal == "improvement"
    assert result.summary.startswith("Non-random improvement")


def test_a_control_charts_runs_on_too_few_useful_points_are_not_a_signal():
    # An I chart centred on the mean, 10: twelve points on it, a run of seven 11s and one 3 (mean stays 10).
    values = [10, 10, 3, 10, 11, 11, 11, 11, 11, 11, 11, 10, 10, 10, 10, 10, 10, 10, 10, 10]
    assert sum(values) / len(values) == 10
    raw = spc.control_chart(values, chart="i")
    assert raw.runs_signal and raw.n_useful == 8 and raw.parts[-1].too_few_useful
    result = analysis.analyse(weeks=weeks(len(values)), values=values, chart="i", improvement="increase")
    assert result.signal == "not_enough_data"
    assert "Too few useful observations: only 8 of the 20 weeks are off the centre line of 10" in result.summary
    assert not [row for row in result.rows if row.special_cause == "run"]


def test_the_excellence_chart_says_too_few_useful_observations():
    counts = list(zip(weeks(16), FEW_REPORTS, strict=True))
    chart = excellence_charts.analyse(counts)
    words = chart.description("Oak Ward")
    assert "median 0 a week" in words
    assert "Too few useful observations for the Anhøj rules: only 7 of the 16 weeks are off the median" in words
    assert "non-random" not in words and "crosses the median" not in words
    assert not chart.signal and not chart.flagged


def test_oak_wards_demo_excellence_chart_is_too_few_useful_observations_not_a_signal():
    assert (len(OAK_WARD), sum(OAK_WARD)) == (52, 17)
    result = spc.run_chart(OAK_WARD)
    assert (result.median, result.n_useful, result.crossings, result.signal) == (0.0, 14, 0, True)
    assert result.too_few_useful  # 14 useful weeks, but 38 on the median
    words = excellence_charts.analyse(list(zip(weeks(52), OAK_WARD, strict=True))).description("Oak Ward")
    assert "Too few useful observations for the Anhøj rules: only 14 of the 52 weeks are off the median" in words
    assert "crosses the median 0 times" not in words


def test_a_median_in_the_middle_of_the_data_is_read_as_usual():
    # Half the points on each side of the median, none on it: as many useful points as points.
    values = [1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9]
    result = spc.run_chart(values)
    assert result.n_useful == 20 and not result.too_few_useful and result.signal
