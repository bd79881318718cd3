"""The results chart: the seven section percentages as a horizontal bar chart, drawn by matplotlib as SVG.

Object-oriented API on the SVG canvas (no pyplot, so no global state between requests). The page puts a
data table beside it, and the alt text lists every percentage, so the chart carries no information the text
does not. The drawing is narrow and its lettering large, so it stays readable when a 320 px screen shrinks it
to fit (about 288 px wide): see READABLE_AT and the test that measures it. Text stays text in the SVG.
"""

import io
import textwrap

from matplotlib import rc_context
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

NHS_BLUE = "#005eb8"
NHS_DARK_GREY = "#4c6272"
NHS_RED = "#d5281b"

WIDTH_INCHES, HEIGHT_INCHES = 4.8, 7.2  # 345.6 × 518.4 pt: a tall, narrow chart that a phone shrinks little
LABEL_SIZE = 15  # section names and percentages, in points of the drawing
SMALL_SIZE = 15  # axis ticks and the weak-score line's label
WRAP = 18  # characters a line of a section name
READABLE_AT = 288  # px: the chart's width on a 320 px screen (the page's 16 px margins either side)
SVG_TEXT = {"svg.fonttype": "none", "svg.hashsalt": "qiportal", "text.parse_math": False}


def section_chart_svg(rows, weak_percent: int) -> bytes:
    """`rows` are selectors.SectionRow in tool order; a section nobody answered is drawn as no bar."""
    names = ["\n".join(textwrap.wrap(row.name, WRAP)) for row in rows][::-1]  # first section at the top
    values = [row.score.percent or 0 for row in rows][::-1]
    with rc_context(SVG_TEXT):
        figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), layout="constrained")
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        bars = axes.barh(range(len(names)), values, color=NHS_BLUE, height=0.6)
        axes.set_yticks(range(len(names)), names, fontsize=LABEL_SIZE)
        for bar, row in zip(bars, list(rows)[::-1], strict=True):
            label = "Not answered" if row.score.percent is None else f"{row.score.percent:.0f}%"
            axes.annotate(
                label,
                (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=LABEL_SIZE,
            )
        axes.axvline(weak_percent, color=NHS_RED, linestyle="--", linewidth=1.5)
        axes.text(weak_percent, len(names) - 0.45, f" {weak_percent}%", color=NHS_RED, fontsize=SMALL_SIZE, va="bottom")
        axes.set_xlim(0, 125)
        axes.set_xticks(range(0, 101, 50))
        axes.set_xlabel("Combined score (%)", fontsize=SMALL_SIZE)
        axes.spines[["top", "right"]].set_visible(False)
        axes.tick_params(colors=NHS_DARK_GREY, labelsize=SMALL_SIZE)
        axes.tick_params(axis="y", labelsize=LABEL_SIZE, colors="#212b32")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
