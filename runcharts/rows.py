"""What an analysis gives the pages: one row per recorded period, the analysis as a whole, and the words of signals.

Shared by analysis.py (run and XmR charts) and analysis_control.py (control charts), so neither imports the other's
internals. Plain dataclasses and wording, no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from runcharts import kinds, spc
from runcharts.kinds import Suggestion

# Fewer weeks than this and no chart's rules can say much: the signal is "not enough data".
MIN_POINTS = 10
# Making Data Count suggests XmR limits once there are about 20 points.
XMR_SUGGESTED_POINTS = 20

SIGNALS = ("improvement", "concern", "common_cause", "not_enough_data")
SIGNAL_LABELS = {
    "improvement": "Improvement",
    "concern": "Concern",
    "common_cause": "Common cause",
    "not_enough_data": "Not enough data",
}
SPECIAL_CAUSE_LABELS = {
    "outside_limits": "Outside the limits",
    "trend": "Trend",
    "two_in_three": "Two of three close to a limit",
    "shift": "Shift",
    # control charts (spc-control-charts.md)
    "above_limit": "Above the upper limit",
    "below_limit": "Below the lower limit",
    "run": "Run",
}
POINT_TYPE_LABELS = {
    "common_cause": "Common cause",
    "improvement": "Improvement",
    "concern": "Concern",
    "neutral_high": "Special cause (higher)",
    "neutral_low": "Special cause (lower)",
}
VARIATION_MEANINGS = {
    "common_cause": "Common cause variation: no significant change.",
    "improvement_high": "Special cause variation of an improving nature, because the values are higher.",
    "improvement_low": "Special cause variation of an improving nature, because the values are lower.",
    "concern_high": "Special cause variation of a concerning nature, because the values are higher.",
    "concern_low": "Special cause variation of a concerning nature, because the values are lower.",
    "neutral_high": "Special cause variation, higher, where neither direction is an improvement.",
    "neutral_low": "Special cause variation, lower, where neither direction is an improvement.",
}
ASSURANCE_MEANINGS = {
    "pass": "Assurance: the process will consistently meet the target.",
    "fail": "Assurance: the process will consistently fail the target unless it changes.",
    "hit_and_miss": "Assurance: the process will sometimes meet and sometimes miss the target (hit and miss).",
}


@dataclass(frozen=True)
class Reading:
    """One recorded period: a value, or a numerator and a denominator (proportions and rates)."""

    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None

    @property
    def is_gap(self) -> bool:
        """Nothing to count (0 out of 0), or nothing recorded: the chart shows a gap."""
        if self.numerator is not None or self.denominator is not None:
            return not self.denominator
        return self.value is None


@dataclass(frozen=True)
class Row:
    """One recorded period as the chart, the data table and the CSV export show it."""

    period_start: date
    value: float | None  # None for a gap; proportions and rates are multiplied (percent, per 1,000)
    centre: float
    lower_limit: float | None
    upper_limit: float | None
    special_cause: str | None  # spc's rule name for XmR; "shift" or "trend" for run charts; see SPECIAL_CAUSE_LABELS
    point_type: str  # "common_cause" | "improvement" | "concern" | "neutral_high" | "neutral_low"
    period: int  # 0-based period (XmR) or part (run and control charts)
    reading: Reading = Reading()
    detail: str = ""  # the rule in words, where the label alone does not say it ("Run of 9 below the centre line")

    @property
    def is_gap(self) -> bool:
        return self.value is None

    @property
    def special_cause_label(self) -> str:
        return SPECIAL_CAUSE_LABELS.get(self.special_cause, "") if self.special_cause else ""

    @property
    def point_type_label(self) -> str:
        return POINT_TYPE_LABELS[self.point_type]

    @property
    def finding(self) -> str:
        """What the rules found at this point, in words, for the data table and the CSV."""
        if self.is_gap:
            return "Gap: nothing to count"
        if not self.special_cause:
            return "Common cause"
        return f"{self.point_type_label}: {(self.detail or self.special_cause_label).lower()}"


@dataclass(frozen=True)
class Analysis:
    chart: str  # the chart drawn: "anhoej" | "ihi" | "xmr" | a control chart (kinds.CONTROL_CHARTS)
    rows: list[Row]
    signal: str  # one of SIGNALS
    summary: str  # what the rules found, in words (the start of the alt text)
    variation: str | None  # XmR only
    assurance: str | None  # XmR only
    result: spc.XmrResult | spc.RunChartResult | spc.ControlChartResult | None
    break_weeks: list[date]  # periods where a new period or part starts
    suggestion: Suggestion | None = None  # the chart kinds.py suggests for this data type and data
    chosen: str = ""  # the measure's stored choice: "auto" (follow the suggestion) or a chart
    frequency: str = kinds.WEEKLY

    @property
    def meanings(self) -> list[str]:
        """The NHS variation and assurance icons' meaning in words (XmR charts)."""
        lines = []
        if self.variation:
            lines.append(VARIATION_MEANINGS[self.variation])
        if self.assurance:
            lines.append(ASSURANCE_MEANINGS[self.assurance])
        return lines

    @property
    def caveats(self) -> list[str]:
        """Warnings in words about limits drawn from too few points: each XmR period shorter than spc-rules.md's
        short-group threshold (13 points, NHSRplotthedots' default), named by when it starts."""
        if self.chart != "xmr" or self.result is None:
            return []
        starts = {}
        for row in self.rows:
            if not row.is_gap:
                starts.setdefault(row.period, row.period_start)
        lines = []
        for k, period in enumerate(self.result.periods):
            if not period.short_group_warning:
                continue
            since = when(self.frequency, starts[k]) if k in starts else ""
            which = "The limits" if len(self.result.periods) == 1 else f"The limits of the period from {since}"
            lines.append(
                f"{which} are drawn from only {kinds.count_label(self.frequency, period.n)}: the chart rules "
                f"(docs/spc-rules.md) consider a period's limits reliable from {spc.SHORT_GROUP} points, so read "
                "them with care."
            )
        return lines

    @property
    def chart_name(self) -> str:
        return kinds.SHORT_NAMES[self.chart]

    @property
    def is_control_chart(self) -> bool:
        return self.chart in kinds.CONTROL_CHARTS

    @property
    def has_limits(self) -> bool:
        return self.chart == "xmr" or self.is_control_chart

    @property
    def centre_name(self) -> str:
        """What the centre line is: the median (run charts, G charts) or the mean (XmR, the other control charts)."""
        if self.chart in kinds.RUN_CHARTS or self.chart == "g":
            return "Median"
        return "Mean" if self.chart in ("xmr", "i", "c", "t") else "Centre"

    @property
    def rule_document(self) -> str:
        return kinds.rule_document(self.chart)

    @property
    def points(self) -> int:
        """Recorded periods with something to plot (gaps left out)."""
        return sum(1 for row in self.rows if not row.is_gap)

    @property
    def suggestion_differs(self) -> bool:
        """The measure's chosen chart is not the one suggested: worth saying, and offering to change."""
        return self.suggestion is not None and self.chosen != "auto" and self.suggestion.chart != self.chart

    @property
    def suggested_chart_name(self) -> str:
        return kinds.SHORT_NAMES[self.suggestion.chart] if self.suggestion else ""

    @property
    def suggests_xmr(self) -> bool:
        return self.suggestion_differs and self.suggestion.chart == "xmr"


def when(frequency: str, start: date) -> str:
    """A period's start in words: '5 January 2026', or 'March 2026' for a month."""
    return f"{start:%B %Y}" if frequency == kinds.MONTHLY else f"{start.day} {start:%B %Y}"


def signal_for(improvement: str, up: bool) -> str:
    if improvement == "neutral":
        # A neutral measure has no better or worse: a change is reported on the page, not as a signal.
        return "common_cause"
    return "improvement" if up == (improvement == "increase") else "concern"


def point_type_for(improvement: str, up: bool) -> str:
    if improvement == "neutral":
        return "neutral_high" if up else "neutral_low"
    return "improvement" if up == (improvement == "increase") else "concern"


def too_few_useful_words(n_useful: int, n_points: int, frequency: str, centre: str) -> str:
    """What a chart says instead of a signal when too few of its points are off its median or centre line."""
    return (
        f"Too few useful observations: only {n_useful} of the {kinds.count_label(frequency, n_points)} "
        f"{'is' if n_useful == 1 else 'are'} off {centre}. The run-chart rules need at least {spc.MIN_USEFUL} "
        f"{kinds.NOUNS[frequency][1]} off it, and more off it than on it, to tell a signal from chance."
    )
