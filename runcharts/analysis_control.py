"""A measure's control chart (I, P, P′, U, U′, C, G or T) as rows, a signal and words, for analysis.analyse.

Weekly and monthly measures are analysed over every period from the first recorded to the last, so a period with
nothing recorded is a gap (it breaks the moving ranges, spc-control-charts.md §4) as well as a recorded 0 out of 0.
Rare-event measures are one row per event. Every signalling point is marked with its rule in words: "Above the upper
limit", "Run of 9 below the centre line".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from runcharts import kinds, spc
from runcharts.kinds import Suggestion
from runcharts.rows import MIN_POINTS, Analysis, Reading, Row, point_type_for, signal_for, too_few_useful_words, when

EARLIER_SHOWN = 3  # earlier signals named in the summary; the rest are counted


@dataclass(frozen=True)
class _Flag:
    cause: str  # "above_limit" | "below_limit" | "run"
    up: bool
    detail: str
    run_start: int | None = None  # for a run: the sequence position of its first point


def analyse_control(
    *,
    periods: list[date],
    readings: list[Reading],
    plotted: list[float | None],
    chart: str,
    improvement: str,
    baseline_points: int | None,
    rephase_dates: list[date],
    data_type: str,
    frequency: str,
    multiplier: float,
    suggestion: Suggestion,
    chosen: str,
) -> Analysis:
    if frequency in (kinds.WEEKLY, kinds.MONTHLY):
        sequence = kinds.periods_between(frequency, periods[0], periods[-1])
    else:
        sequence = list(periods)
    position = {period: k for k, period in enumerate(sequence)}
    recorded = dict(zip(periods, readings, strict=True))
    n = len(sequence)
    starts = sorted({next((k for k, p in enumerate(sequence) if p >= r), n) for r in rephase_dates} - {0, n})
    baseline = None
    if baseline_points and not starts:
        filled = [position[p] for p, value in zip(periods, plotted, strict=True) if value is not None]
        baseline = filled[baseline_points - 1] + 1 if len(filled) >= baseline_points else None
    options = {"baseline": baseline, "parts": starts}
    scale = multiplier if chart in ("p", "pp", "u", "up") else 1
    if chart in ("p", "pp", "u", "up"):
        numerators = [recorded[p].numerator if p in recorded else None for p in sequence]
        denominators = [recorded[p].denominator if p in recorded else None for p in sequence]
        result = spc.attribute_chart(numerators, denominators, chart=chart, **options)
    else:
        by_period = dict(zip(periods, plotted, strict=True))
        values = [by_period.get(p) for p in sequence]
        if chart == "c":
            result = spc.attribute_chart(values, chart="c", **options)
        elif chart == "i":
            result = spc.control_chart(values, **options)
        else:
            result = spc.rare_event_chart(values, chart=chart, **options)

    flags = _flags(result, frequency)
    part_of = {k: index for index, part in enumerate(result.parts) for k in range(part.start, part.end + 1)}
    rows = []
    for period, reading in zip(periods, readings, strict=True):
        k = position[period]
        point = result.points[k]
        flag = flags.get(k)
        rows.append(
            Row(
                period,
                None if point.value is None else point.value * scale,
                point.centre * scale,
                None if point.lower_limit is None else point.lower_limit * scale,
                None if point.upper_limit is None else point.upper_limit * scale,
                flag.cause if flag else None,
                point_type_for(improvement, flag.up) if flag else "common_cause",
                part_of[k],
                reading,
                flag.detail if flag else "",
            )
        )
    signal, summary = _words(result, rows, flags, sequence, improvement, frequency, scale, chart)
    points = sum(1 for value in plotted if value is not None)
    if points < MIN_POINTS:
        signal = "not_enough_data"
        summary = (
            f"Not enough data yet: {kinds.count_label(frequency, points)} entered; the rules need at least "
            f"{MIN_POINTS}. " + summary
        )
    return Analysis(
        chart,
        rows,
        signal,
        summary,
        None,
        None,
        result,
        [sequence[k] for k in starts],
        suggestion,
        chosen,
        frequency,
    )


def _flags(result: spc.ControlChartResult, frequency: str) -> dict[int, _Flag]:
    """Each signalling position's rule: beyond a limit first, then a run longer than the part allows."""
    flags: dict[int, _Flag] = {}
    nouns = kinds.NOUNS[frequency][1]
    for part in result.parts:
        points = result.points[part.start : part.end + 1]
        if part.shift and not part.too_few_useful:  # too few useful points: a long run there is chance
            in_shift = set(part.shift)
            # The runs of the part's useful points (off the centre line); those in `shift` are the long ones.
            useful = [p for p in points if p.value is not None and p.value != part.centre]
            runs: list[list] = []
            for p in useful:
                if runs and (runs[-1][-1].value > part.centre) == (p.value > part.centre):
                    runs[-1].append(p)
                else:
                    runs.append([p])
            for run in runs:
                if run[0].index in in_shift:
                    up = run[0].value > part.centre
                    detail = f"Run of {len(run)} {nouns} {'above' if up else 'below'} the centre line"
                    for p in run:
                        flags[p.index] = _Flag("run", up, detail, run[0].index)
        for p in points:
            if p.sigma_signal:
                up = p.upper_limit is not None and p.value > p.upper_limit
                cause = "above_limit" if up else "below_limit"
                flags[p.index] = _Flag(cause, up, "Above the upper limit" if up else "Below the lower limit")
    return flags


def _words(result, rows, flags, sequence, improvement, frequency, scale, chart) -> tuple[str, str]:
    part = result.parts[-1]
    noun = kinds.NOUNS[frequency][0]
    filled = [row for row in rows if not row.is_gap]
    last = filled[-1]
    position = {period: k for k, period in enumerate(sequence)}
    k_last = position[last.period_start]
    centre_words = f"the centre line of {part.centre * scale:.4g}"
    if k_last < part.start:  # the last part has no data yet
        return "common_cause", f"A new period has started; nothing has been recorded in it yet. Centre: {centre_words}."
    flag = flags.get(k_last)
    earlier_flags = [(k, f) for k, f in sorted(flags.items()) if part.start <= k < k_last]
    if flag is not None:
        kind = signal_for(improvement, flag.up)
        label = {"improvement": "Special cause improvement", "concern": "Special cause concern"}.get(
            kind, "Special cause variation"
        )
        if flag.cause == "run":
            detail = f"{flag.detail.lower()} since {when(frequency, sequence[flag.run_start])}"
        else:
            detail = f"the latest {noun}, {when(frequency, last.period_start)}, is {flag.detail.lower()}"
        earlier_flags = [(k, f) for k, f in earlier_flags if f.cause != "run" or f.run_start != flag.run_start]
        return kind, f"{label}: {detail}.{_earlier(earlier_flags, sequence, frequency)}"
    runs = [(k, f) for k, f in earlier_flags if f.cause == "run"]
    runs_signal = part.runs_signal and not part.too_few_useful
    if runs_signal and runs:
        _, run = runs[-1]
        kind = signal_for(improvement, run.up)
        label = {"improvement": "Non-random improvement", "concern": "Non-random concern"}.get(
            kind, "Non-random variation"
        )
        since = when(frequency, sequence[run.run_start])
        others = [(j, f) for j, f in earlier_flags if f.cause != "run" or f.run_start != run.run_start]
        return kind, f"{label}: {run.detail.lower()} since {since}.{_earlier(others, sequence, frequency)}"
    if runs_signal:  # too few crossings: no point is flagged; the side of the latest useful point says which way
        useful = [row for row in filled if row.value != row.centre and position[row.period_start] >= part.start]
        up = (useful or filled)[-1].value > part.centre * scale
        detail = f"the centre line is crossed {part.crossings} times, fewer than the {part.crossings_min} expected"
        return signal_for(
            improvement, up
        ), f"Non-random variation: {detail}.{_earlier(earlier_flags, sequence, frequency)}"
    if part.runs_signal:  # the runs rules fired, but on too few useful points to mean anything
        counted = sum(1 for row in filled if position[row.period_start] >= part.start)
        words = too_few_useful_words(part.n_useful, counted, frequency, centre_words)
        return "not_enough_data", f"{words}{_earlier(earlier_flags, sequence, frequency)}"
    limits = "within the limits" if last.upper_limit is not None else "plotted (the limits cannot be calculated yet)"
    return "common_cause", (
        f"Common cause variation: the latest {noun} is {limits} and no run is unusually long, around "
        f"{centre_words}.{_earlier(earlier_flags, sequence, frequency)}"
    )


def _earlier(flags: list[tuple[int, _Flag]], sequence: list[date], frequency: str) -> str:
    """Signals earlier in the latest period, in words, each run named once."""
    named, seen_runs = [], set()
    for k, flag in flags:
        if flag.cause == "run":
            if flag.run_start in seen_runs:
                continue
            seen_runs.add(flag.run_start)
            named.append(f"{flag.detail.lower()} from {when(frequency, sequence[flag.run_start])}")
        else:
            named.append(f"{when(frequency, sequence[k])} {flag.detail.lower()}")
    if not named:
        return ""
    shown = "; ".join(named[:EARLIER_SHOWN])
    more = len(named) - EARLIER_SHOWN
    return f" Earlier signals: {shown}{f'; and {more} more' if more > 0 else ''}."
