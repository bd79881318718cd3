"""Drawing run charts and XmR charts with matplotlib's object API (Agg, no pyplot state), cached per version.

A page view never redraws an unchanged chart: drawings are cached under (measure id, data_version, kind and
the linked PDSA cycles' numbers and dates, which the projects app edits without touching data_version).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date

import matplotlib

matplotlib.use("Agg")

from django.core.cache import cache
from matplotlib import dates as mdates
from matplotlib.figure import Figure

from runcharts.analysis import Analysis

CHART_CACHE_SECONDS = 60 * 60 * 24 * 7
KINDS = ("svg", "png")

# NHS colours: Making Data Count's blue for improvement, orange for concern, purple for neutral change.
GREY = "#4c6272"
BLUE = "#005eb8"
ORANGE = "#ed8b00"
PURPLE = "#330072"
DARK = "#212b32"
# Shape as well as colour, so no signal is told by colour alone.
STYLES = {
    "common_cause": (GREY, "o", "Common cause"),
    "improvement": (BLUE, "^", "Improvement"),
    "concern": (ORANGE, "X", "Concern"),
    "neutral_high": (PURPLE, "D", "Special cause (neither better nor worse)"),
    "neutral_low": (PURPLE, "D", "Special cause (neither better nor worse)"),
}

# Counts renders, so tests and the benchmark can tell a cache hit from a redraw.
render_count = 0


@dataclass(frozen=True)
class ChartInput:
    measure_id: int
    data_version: int
    title: str
    unit: str
    target: float | None
    analysis: Analysis
    annotations: list[tuple[date, str]]
    pdsa: list[tuple[int, date]]


def version_token(data_version: int, pdsa: list[tuple[int, date]]) -> str:
    """What a drawing depends on besides the measure: its data and the PDSA cycles marked on it."""
    marks = hashlib.blake2s(repr(sorted(pdsa)).encode(), digest_size=6).hexdigest()
    return f"{data_version}-{marks}"


def cache_key(measure_id: int, data_version: int, kind: str, pdsa: list[tuple[int, date]]) -> str:
    return f"runcharts:chart:{measure_id}:{kind}:{version_token(data_version, pdsa)}"


def cached_chart(key: str, kind: str, build) -> bytes:
    """The drawing under `key`, drawn (with `build()` giving its ChartInput) only when not cached."""
    drawing = cache.get(key)
    if drawing is None:
        drawing = render(build(), kind)
        cache.set(key, drawing, CHART_CACHE_SECONDS)
    return drawing


def render(chart: ChartInput, kind: str) -> bytes:
    global render_count
    if kind not in KINDS:
        raise ValueError(f"Unknown chart format: {kind!r}")
    render_count += 1
    figure = draw(chart)
    out = io.BytesIO()
    if kind == "svg":
        figure.savefig(out, format="svg", metadata={"Date": None})
    else:
        figure.savefig(out, format="png", dpi=150)
    return out.getvalue()


def draw(chart: ChartInput) -> Figure:
    analysis = chart.analysis
    rows = analysis.rows
    figure = Figure(figsize=(10, 5), layout="constrained")
    ax = figure.add_subplot()
    ax.set_title(chart.title, loc="left", fontsize=13, color=DARK)
    ax.set_ylabel(chart.unit)
    ax.spines[["top", "right"]].set_visible(False)
    if not rows:
        ax.text(0.5, 0.5, "No data yet", transform=ax.transAxes, ha="center", va="center", color=GREY)
        return figure
    centre_label = "Mean" if analysis.chart == "xmr" else "Median"
    for period in sorted({r.period for r in rows}):
        part = [r for r in rows if r.period == period]
        x = [r.week_start for r in part]
        first = period == rows[0].period
        ax.plot(x, [r.value for r in part], color=GREY, linewidth=1.2, zorder=2)
        ax.plot(x, [r.centre for r in part], color=DARK, linewidth=1.4, label=centre_label if first else None)
        if analysis.chart == "xmr" and part[0].upper_limit is not None:
            ax.plot(
                x,
                [r.upper_limit for r in part],
                color=DARK,
                linestyle="--",
                linewidth=1,
                label="Process limits" if first else None,
            )
            ax.plot(x, [r.lower_limit for r in part], color=DARK, linestyle="--", linewidth=1)
            if analysis.result is not None:
                p = analysis.result.periods[period]
                ax.plot(
                    x,
                    [p.two_sigma_upper] * len(x),
                    color=GREY,
                    linestyle=":",
                    linewidth=0.9,
                    label="2-sigma lines" if first else None,
                )
                ax.plot(x, [p.two_sigma_lower] * len(x), color=GREY, linestyle=":", linewidth=0.9)
    drawn = set()
    for point_type, (colour, marker, label) in STYLES.items():
        chosen = [r for r in rows if r.point_type == point_type]
        if not chosen:
            continue
        ax.scatter(
            [r.week_start for r in chosen],
            [r.value for r in chosen],
            color=colour,
            marker=marker,
            s=42 if point_type == "common_cause" else 70,
            zorder=3,
            edgecolors="white",
            linewidths=0.5,
            label=None if label in drawn else label,
        )
        drawn.add(label)
    if chart.target is not None:
        ax.axhline(chart.target, color="#007f3b", linestyle="-.", linewidth=1.2, label="Target")
    for week in analysis.break_weeks:
        ax.axvline(week, color=DARK, linestyle=(0, (6, 3)), linewidth=1, alpha=0.7)
    top = ax.get_ylim()[1]
    for number, start in chart.pdsa:
        ax.axvline(start, color=PURPLE, linewidth=1, alpha=0.8)
        ax.annotate(
            f"PDSA {number}",
            (mdates.date2num(start), top),
            xytext=(3, -3),
            textcoords="offset points",
            rotation=90,
            va="top",
            ha="left",
            fontsize=8,
            color=PURPLE,
        )
    for k, (on, text) in enumerate(chart.annotations):
        nearest = min(rows, key=lambda r: abs((r.week_start - on).days))
        label = text if len(text) <= 40 else text[:39] + "…"
        ax.annotate(
            label,
            (mdates.date2num(nearest.week_start), nearest.value),
            xytext=(0, 18 + 12 * (k % 3)),
            textcoords="offset points",
            fontsize=8,
            color=DARK,
            ha="center",
            arrowprops={"arrowstyle": "-", "color": GREY, "linewidth": 0.6},
        )
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%-d %b\n%Y"))
    ax.margins(x=0.02)
    ax.grid(axis="y", color="#d8dde0", linewidth=0.6)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=4, frameon=False, fontsize=8)
    return figure
