"""What the drawing shows: steps for limits that move with the denominator, gaps as gaps, signals in words, and
a person's text drawn literally."""

import math
from datetime import date

from runcharts import charts, kinds
from runcharts.analysis import Reading, analyse

MONTHS = kinds.periods_between(kinds.MONTHLY, date(2024, 1, 1), date(2025, 12, 1))


def p_chart(readings, months=MONTHS, **options):
    analysis = analyse(
        weeks=months,
        readings=readings,
        chart="p",
        improvement="increase",
        data_type="proportion",
        frequency="monthly",
        multiplier=100,
        **options,
    )
    return charts.ChartInput(
        measure_id=1,
        data_version=1,
        title="Falls risk assessment (£, $x^{2$ 100%)",
        unit="Percent",
        target=90.0,
        analysis=analysis,
        annotations=[(date(2025, 3, 4), "Admission bundle prompt")],
        pdsa=[(1, date(2025, 3, 1))],
    )


def readings(n=24, spike=None):
    sizes = [40 + (k * 7) % 23 for k in range(n)]
    out = [Reading(numerator=round(0.6 * d), denominator=d) for d in sizes]
    if spike is not None:
        out[spike] = Reading(numerator=sizes[spike], denominator=sizes[spike])
    return out


def test_limits_that_move_with_the_denominator_are_drawn_as_steps():
    figure = charts.draw(p_chart(readings()))
    ax = figure.axes[0]
    steps = [line for line in ax.lines if line.get_drawstyle().startswith("steps")]
    assert len(steps) == 2  # upper and lower
    upper = [y for y in steps[0].get_ydata() if not math.isnan(y)]
    assert len(set(upper)) > 1
    assert "Control limits" in [text.get_text() for text in ax.get_legend().get_texts()]


def test_a_gap_and_a_month_with_nothing_recorded_break_the_line():
    data = readings()
    data[5] = Reading(numerator=0, denominator=0)  # nothing to count
    months = MONTHS[:10] + MONTHS[11:]  # nothing recorded for November 2024
    figure = charts.draw(p_chart(data[:23], months=months))
    ax = figure.axes[0]
    values = ax.lines[0].get_ydata()
    assert sum(math.isnan(y) for y in values) == 2


def test_signalling_points_are_marked_with_their_rule_in_words():
    figure = charts.draw(p_chart(readings(spike=20)))
    words = [text.get_text() for text in figure.axes[0].texts]
    assert "Above the upper limit" in words
    assert "PDSA 1" in words
    assert "Admission bundle prompt" in words


def test_a_run_is_labelled_once_with_its_length():
    data = [Reading(numerator=30, denominator=50)] * 12 + [Reading(numerator=40, denominator=50)] * 12
    figure = charts.draw(p_chart(data))
    words = [text.get_text() for text in figure.axes[0].texts]
    assert words.count("Run of 12 months above") == 1
    assert words.count("Run of 12 months below") == 1


def test_text_a_person_typed_is_drawn_literally():
    chart = p_chart(readings())
    figure = charts.draw(chart)
    assert figure.axes[0].get_title(loc="left") == "Falls risk assessment (£, $x^{2$ 100%)"  # not valid mathtext
    assert charts.render(chart, "svg").startswith(b"<?xml")
    assert charts.render(chart, "png").startswith(b"\x89PNG")


def test_re_phasing_starts_new_lines():
    figure = charts.draw(p_chart(readings(), rephase_weeks=[date(2025, 1, 1)]))
    ax = figure.axes[0]
    vertical = [line for line in ax.lines if len(set(line.get_xdata())) == 1]
    assert len(vertical) == 2  # the new period and PDSA 1
