"""The results chart: the seven section percentages as a horizontal bar chart, drawn by matplotlib as SVG.

Object-oriented API on the SVG canvas (no pyplot, so no global state between requests). The page puts a
data table beside it, so the chart carries no information the table does not.
"""

import io

from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

NHS_BLUE = "#005eb8"
NHS_DARK_GREY = "#4c6272"
NHS_RED = "#d5281b"


def section_chart_svg(rows, weak_percent: int) -> bytes:
    """`rows` are selectors.SectionRow in tool order; a section nobody answered is drawn as no bar."""
    names = [row.name for row in rows][::-1]  # first section at the top
    values = [row.score.percent or 0 for row in rows][::-1]
    figure = Figure(figsize=(7, 4), layout="constrained")
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    bars = axes.barh(names, values, color=NHS_BLUE)
    for bar, row in zip(bars, list(rows)[::-1], strict=True):
        label = "Not answered" if row.score.percent is None else f"{row.score.percent:.0f}%"
        axes.annotate(
            label,
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
    axes.axvline(weak_percent, color=NHS_RED, linestyle="--", linewidth=1)
    axes.text(weak_percent, len(names) - 0.4, f" {weak_percent}%", color=NHS_RED, fontsize=8, va="bottom")
    axes.set_xlim(0, 110)
    axes.set_xticks(range(0, 101, 20))
    axes.set_xlabel("Combined score (% of the maximum)")
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(colors=NHS_DARK_GREY)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
