"""The weekly count run chart: analysed by runcharts.spc (Anhøj rules), drawn by matplotlib as SVG.

The SVG is served from its own URL into an <img> (an inline SVG carries style attributes the CSP refuses)
and cached under a hash of the data, so a chart is drawn once per distinct set of weekly counts.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache

from runcharts.spc import MIN_USEFUL, run_chart

CACHE_SECONDS = 60 * 60 * 24


@dataclass(frozen=True)
class WeeklyRunChart:
    weeks: list[tuple[date, int]]
    median: float | None
    signal: bool
    longest_run: int | None
    longest_run_max: int | None
    crossings: int | None
    crossings_min: int | None
    flagged: frozenset[int]
    n_useful: int = 0  # weeks off the median
    rules_signal: bool = False  # what the Anhøj rules found, before asking whether enough weeks are useful
    too_few: bool = False  # too few weeks off the median to read the rules (runcharts.spc's rule)

    @property
    def signal_on_too_few(self) -> bool:
        """The rules fired, but on too few weeks off the median to be read as a signal."""
        return self.rules_signal and self.too_few

    @property
    def rows(self) -> list[tuple[date, int, bool]]:
        return [(week, count, i in self.flagged) for i, (week, count) in enumerate(self.weeks)]

    def description(self, place: str) -> str:
        """What the Anhøj rules found, in words: the chart's alt text and its caption."""
        total = sum(count for _, count in self.weeks)
        if not self.weeks:
            return f"No weeks to chart for {place}."
        start, end = self.weeks[0][0], self.weeks[-1][0]
        words = (
            f"Run chart of excellence reports per week for {place}, from the week of {start:%-d %B %Y} to the week "
            f"of {end:%-d %B %Y}: {total} reports in {len(self.weeks)} weeks"
        )
        if self.median is None:
            return words + "."
        words += f", median {self.median:g} a week. "
        if self.signal_on_too_few:
            return words + (
                f"Too few useful observations for the Anhøj rules: only {self.n_useful} of the {len(self.weeks)} "
                f"weeks {'is' if self.n_useful == 1 else 'are'} off the median. The rules need at least {MIN_USEFUL} "
                "weeks off it, and more off it than on it, to tell a signal from chance."
            )
        if self.signal:
            reasons = []
            runs_known = self.longest_run is not None and self.longest_run_max is not None
            if runs_known and self.longest_run > self.longest_run_max:
                reasons.append(
                    f"the longest run on one side of the median is {self.longest_run} weeks, "
                    f"more than the {self.longest_run_max} expected by chance"
                )
            if self.crossings is not None and self.crossings_min is not None and self.crossings < self.crossings_min:
                reasons.append(
                    f"the line crosses the median {self.crossings} times, fewer than the {self.crossings_min} expected"
                )
            return words + "The Anhøj rules find non-random variation: " + "; and ".join(reasons or ["a signal"]) + "."
        return words + "The Anhøj rules find only random variation: no shift and enough crossings of the median."


def analyse(weeks: list[tuple[date, int]]) -> WeeklyRunChart:

    values = [float(count) for _, count in weeks]
    if not values:
        return WeeklyRunChart(weeks, None, False, None, None, None, None, frozenset())
    result = run_chart(values, rules="anhoej")
    return WeeklyRunChart(
        weeks=weeks,
        median=float(result.median),
        signal=bool(result.signal) and not result.too_few_useful,
        longest_run=result.longest_run,
        longest_run_max=getattr(result, "longest_run_max", None),
        crossings=result.crossings,
        crossings_min=getattr(result, "crossings_min", None),
        flagged=frozenset() if result.too_few_useful else frozenset(result.flagged),
        n_useful=result.n_useful,
        rules_signal=bool(result.signal),
        too_few=result.too_few_useful,
    )


def cache_key(chart: WeeklyRunChart, title: str) -> str:
    data = json.dumps([title, [(week.isoformat(), count) for week, count in chart.weeks]])
    return "excellence-chart:v2:" + hashlib.sha256(data.encode()).hexdigest()


def render_svg(chart: WeeklyRunChart, title: str) -> bytes:
    key = cache_key(chart, title)
    svg = cache.get(key)
    if svg is None:
        svg = _draw(chart, title)
        cache.set(key, svg, CACHE_SECONDS)
    return svg


def _draw(chart: WeeklyRunChart, title: str) -> bytes:
    from matplotlib.figure import Figure  # the object API with the Agg/SVG canvas: no pyplot, no global state

    figure = Figure(figsize=(9, 3.6), layout="constrained")
    axes = figure.add_subplot()
    xs = [week for week, _ in chart.weeks]
    ys = [count for _, count in chart.weeks]
    axes.plot(xs, ys, color="#005eb8", marker="o", markersize=3, linewidth=1.5, label="Reports a week")
    flagged = [(xs[i], ys[i]) for i in sorted(chart.flagged) if i < len(xs)]
    if flagged:
        axes.plot(
            [x for x, _ in flagged],
            [y for _, y in flagged],
            linestyle="none",
            marker="o",
            markersize=6,
            color="#ed8b00",
            label="In a run longer than expected",
        )
    if chart.median is not None:
        axes.axhline(chart.median, color="#425563", linestyle="--", linewidth=1, label=f"Median {chart.median:g}")
    axes.set_title(title, loc="left", fontsize=11)
    axes.set_ylabel("Reports")
    axes.set_ylim(bottom=0)
    axes.grid(axis="y", color="#d8dde0", linewidth=0.5)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    figure.autofmt_xdate()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
