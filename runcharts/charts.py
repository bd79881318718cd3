"""Drawing run, XmR and control charts with matplotlib's object API (Agg, no pyplot state), cached per version.

A page view never redraws an unchanged chart: drawings are cached under (measure id, data_version, kind and
the linked PDSA cycles' numbers and dates, which the projects app edits without touching data_version).
Every piece of text a person typed (the measure's name, its denominator's wording, notes) is drawn literally:
matplotlib's mathtext is off, so a "$" in a name is a dollar sign, not the start of a formula that fails to parse.
"""

from __future__ import annotations

import hashlib
import io
import math
from dataclasses import dataclass
from datetime import date

import matplotlib

matplotlib.use("Agg")

from django.core.cache import cache
from matplotlib import dates as mdates
from matplotlib import rc_context
from matplotlib.figure import Figure

from runcharts import kinds
from runcharts.analysis import Analysis, Row

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

# Signals named on the chart, newest first; older ones are in the data table. More would hide the data.
LABELLED_SIGNALS = 6
LITERAL_TEXT = {"text.parse_math": False, "svg.hashsalt": "qiportal"}  # no mathtext; stable SVG ids


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
    if kind not in KINDS:
        raise ValueError(f"Unknown chart format: {kind!r}")
    out = io.BytesIO()
    with rc_context(LITERAL_TEXT):
        figure = draw(chart)
        if kind == "svg":
            figure.savefig(out, format="svg", metadata={"Date": None})
        else:
            figure.savefig(out, format="png", dpi=150)
    return out.getvalue()


def _series(rows: list[Row], frequency: str, values) -> tuple[list, list]:
    """x and y for a line that breaks at gaps and at periods with nothing recorded (NaN breaks a matplotlib line)."""
    xs, ys = [], []
    previous = None
    for row in rows:
        skipped = previous is not None and kinds.next_period(frequency, previous.period_start) != row.period_start
        if frequency != kinds.EVENT and skipped:
            xs.append(row.period_start)
            ys.append(math.nan)
        value = values(row)
        xs.append(row.period_start)
        ys.append(math.nan if value is None or row.is_gap else value)
        previous = row
    return xs, ys


def _signal_groups(rows: list[Row]) -> list[list[Row]]:
    """The signalling rows, grouped so each group is labelled once: a control chart's run as a whole (a gap or a
    point beyond a limit inside it does not split it), anything else as consecutive rows with the same finding."""
    groups: list[list[Row]] = []
    runs: dict[tuple, list[Row]] = {}
    previous = None  # the position of the last signalling row outside a run
    for k, row in enumerate(rows):
        if not row.special_cause or row.is_gap:
            continue
        if row.special_cause == "run":
            key = (row.period, row.detail, row.value > row.centre)
            if key not in runs:
                runs[key] = []
                groups.append(runs[key])
            runs[key].append(row)
            continue
        if previous == k - 1 and groups and groups[-1][-1].finding == row.finding:
            groups[-1].append(row)
        else:
            groups.append([row])
        previous = k
    return groups


def draw(chart: ChartInput) -> Figure:
    analysis = chart.analysis
    rows = analysis.rows
    frequency = analysis.frequency
    figure = Figure(figsize=(10, 5), layout="constrained")
    ax = figure.add_subplot()
    ax.set_title(chart.title, loc="left", fontsize=13, color=DARK, parse_math=False)
    ax.set_ylabel(chart.unit, parse_math=False)
    ax.spines[["top", "right"]].set_visible(False)
    plotted = [r for r in rows if not r.is_gap]
    if not plotted:
        ax.text(0.5, 0.5, "No data yet", transform=ax.transAxes, ha="center", va="center", color=GREY)
        return figure
    centre_label = analysis.centre_name
    stepped = analysis.is_control_chart
    runs_signal = {}
    if stepped and analysis.result is not None:
        runs_signal = {k: part.runs_signal for k, part in enumerate(analysis.result.parts)}
    for period in sorted({r.period for r in rows}):
        part = [r for r in rows if r.period == period]
        first = period == rows[0].period
        x, y = _series(part, frequency, lambda r: r.value)
        ax.plot(x, y, color=GREY, linewidth=1.2, zorder=2)
        cx, cy = _series(part, frequency, lambda r: r.centre)
        # qicharts2 dashes the centre line of a part whose runs analysis signals.
        ax.plot(
            cx,
            cy,
            color=DARK,
            linewidth=1.4,
            linestyle="--" if runs_signal.get(period) else "-",
            label=centre_label if first else None,
        )
        if analysis.has_limits and any(r.upper_limit is not None for r in part):
            ux, uy = _series(part, frequency, lambda r: r.upper_limit)
            lx, ly = _series(part, frequency, lambda r: r.lower_limit)
            # Limits that vary with the denominator are steps, one for each period's own limits.
            style = {"color": DARK, "linestyle": (0, (4, 2)), "linewidth": 1, "where": "mid"}
            if stepped:
                ax.step(ux, uy, label="Control limits" if first else None, **style)
                ax.step(lx, ly, **style)
            else:
                ax.plot(ux, uy, color=DARK, linestyle="--", linewidth=1, label="Process limits" if first else None)
                ax.plot(lx, ly, color=DARK, linestyle="--", linewidth=1)
            if analysis.chart == "xmr" and analysis.result is not None:
                p = analysis.result.periods[period]
                ax.plot(
                    [r.period_start for r in part],
                    [p.two_sigma_upper] * len(part),
                    color=GREY,
                    linestyle=":",
                    linewidth=0.9,
                    label="2-sigma lines" if first else None,
                )
                ax.plot([r.period_start for r in part], [p.two_sigma_lower] * len(part), color=GREY, linestyle=":")
    drawn = set()
    for point_type, (colour, marker, label) in STYLES.items():
        chosen = [r for r in plotted if r.point_type == point_type]
        if not chosen:
            continue
        ax.scatter(
            [r.period_start for r in chosen],
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
    for group in _signal_groups(rows)[-LABELLED_SIGNALS:]:
        # A run is labelled by the centre line at its middle, on its side; a single point beside the point.
        run = group[0].special_cause == "run"
        row = group[len(group) // 2] if run else group[-1]
        colour = STYLES[row.point_type][0]
        words = (row.detail or row.special_cause_label).replace(" the centre line", "")
        below = row.value < row.centre
        ax.annotate(
            words,
            (mdates.date2num(row.period_start), row.centre if run else row.value),
            xytext=(0, -16 if below else 12) if not run else (0, -5 if below else 5),
            textcoords="offset points",
            fontsize=7.5,
            color=colour,
            ha="center",
            va="top" if below else "bottom",
            parse_math=False,
            zorder=4,
        )
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
        nearest = min(plotted, key=lambda r: abs((r.period_start - on).days))
        label = text if len(text) <= 40 else text[:39] + "…"
        ax.annotate(
            label,
            (mdates.date2num(nearest.period_start), nearest.value),
            xytext=(0, 18 + 12 * (k % 3)),
            textcoords="offset points",
            fontsize=8,
            color=DARK,
            ha="center",
            parse_math=False,
            arrowprops={"arrowstyle": "-", "color": GREY, "linewidth": 0.6},
        )
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    date_format = "%b\n%Y" if frequency == kinds.MONTHLY else "%-d %b\n%Y"
    ax.xaxis.set_major_formatter(mdates.DateFormatter(date_format))
    ax.margins(x=0.02)
    ax.grid(axis="y", color="#d8dde0", linewidth=0.6)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=4, frameon=False, fontsize=8)
    return figure
