"""What a measure's latest analysis says, in the shape the services store on the measure and the board reads.

Pure (no Django): from an `Analysis` to the Making Data Count variation icon, the assurance icon, the rule that fired
in words, the latest period and value, the last three values and the points of a small sparkline. The variation and
assurance names follow docs/spc-rules.md ("variation", "assurance"): for an XmR chart they are spc.xmr's own; for a
control chart they are read the same way from its last point and limits; a run chart has no limits, so no assurance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from runcharts import kinds
from runcharts.rows import Analysis

SPARKLINE_POINTS = 26
LAST_VALUES = 3

# The variation icons (docs/spc-rules.md, "variation"), with their names and words for people and spreadsheets.
# "" is the board's "no icon yet": not enough data for the rules to say anything.
VARIATIONS = {
    "improvement_high": ("Special cause improvement (high)", "Special cause variation of an improving nature: higher"),
    "improvement_low": ("Special cause improvement (low)", "Special cause variation of an improving nature: lower"),
    "concern_high": ("Special cause concern (high)", "Special cause variation of a concerning nature: higher"),
    "concern_low": ("Special cause concern (low)", "Special cause variation of a concerning nature: lower"),
    "neutral_high": ("Special cause (high)", "Special cause variation, higher, neither better nor worse"),
    "neutral_low": ("Special cause (low)", "Special cause variation, lower, neither better nor worse"),
    "common_cause": ("Common cause", "Common cause variation: no significant change"),
    "": ("Not enough data", "Too few points for the rules to say anything yet"),
}
ASSURANCES = {
    "pass": ("Consistently passing", "The process will consistently meet the target"),
    "fail": ("Consistently failing", "The process will consistently fail the target unless it changes"),
    "hit_and_miss": ("Hit and miss", "The process will sometimes meet and sometimes miss the target"),
    "": ("No assurance", "No target, or no limits to judge it against"),
}
# Orders for the board: concerns first, then neutral changes, common cause, improvements, not enough data;
# failing targets first, then hit and miss, passing, none.
VARIATION_ORDER = [
    "concern_high",
    "concern_low",
    "neutral_high",
    "neutral_low",
    "common_cause",
    "improvement_high",
    "improvement_low",
    "",
]
ASSURANCE_ORDER = ["fail", "hit_and_miss", "pass", ""]


@dataclass(frozen=True)
class Latest:
    chart: str = ""
    variation: str = ""
    assurance: str = ""
    rule: str = ""
    period: date | None = None
    value: float | None = None
    last_values: list = field(default_factory=list)  # [[ISO date, value], ...], oldest first
    sparkline: list = field(default_factory=list)  # values, oldest first; None for a gap

    def as_fields(self) -> dict:
        return {
            "latest_chart": self.chart,
            "latest_variation": self.variation,
            "latest_assurance": self.assurance,
            "latest_rule": self.rule,
            "latest_period": self.period,
            "latest_value": self.value,
            "latest_values": self.last_values,
            "sparkline": self.sparkline,
        }


def _direction_of(analysis: Analysis, improvement: str) -> str:
    """The variation of a run or control chart: its signal and direction, named as spc.xmr names an XmR chart's."""
    if analysis.signal in ("improvement", "concern"):
        up = (analysis.signal == "improvement") == (improvement == "increase")
        return f"{analysis.signal}_{'high' if up else 'low'}"
    last = next((row for row in reversed(analysis.rows) if not row.is_gap), None)
    if improvement == "neutral" and last is not None and last.special_cause and last.point_type.startswith("neutral"):
        return last.point_type
    return "common_cause"


def _assurance_of(analysis: Analysis, improvement: str, target: float | None) -> str:
    """As spc-rules.md's "assurance", against the last point's limits (a control chart's may move with each
    point's denominator)."""
    if analysis.chart == "xmr":
        return analysis.assurance or ""
    if target is None or improvement == "neutral" or not analysis.is_control_chart:
        return ""
    last = next((row for row in reversed(analysis.rows) if not row.is_gap), None)
    if last is None or last.upper_limit is None or last.lower_limit is None:
        return "hit_and_miss"
    if target > last.upper_limit:
        return "fail" if improvement == "increase" else "pass"
    if target < last.lower_limit:
        return "pass" if improvement == "increase" else "fail"
    return "hit_and_miss"


def rule_in_words(analysis: Analysis) -> str:
    """The rule that fired, or that none did, as one short sentence: "7 weeks above the mean since 3 August 2026"."""
    first = analysis.summary.split(". ")[0].rstrip(".")
    if analysis.signal == "not_enough_data":
        return first.replace("Not enough data yet: ", "Not enough data: ")
    words = first.split(": ", 1)[-1]
    return words[:1].upper() + words[1:]


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, 6)


def latest_of(analysis: Analysis, *, improvement: str, target: float | None) -> Latest:
    recorded = [row for row in analysis.rows if not row.is_gap]
    if not recorded:
        return Latest(chart=analysis.chart, rule=rule_in_words(analysis))
    enough = analysis.signal != "not_enough_data"
    variation = (analysis.variation or "") if analysis.chart == "xmr" else _direction_of(analysis, improvement)
    last = recorded[-1]
    return Latest(
        chart=analysis.chart,
        variation=variation if enough else "",
        assurance=_assurance_of(analysis, improvement, target) if enough else "",
        rule=rule_in_words(analysis),
        period=last.period_start,
        value=_number(last.value),
        last_values=[[row.period_start.isoformat(), _number(row.value)] for row in recorded[-LAST_VALUES:]],
        sparkline=[_number(row.value) for row in analysis.rows[-SPARKLINE_POINTS:]],
    )


def period_words(frequency: str, start: date | None) -> str:
    """The latest period as a person reads it: "week of 3 August 2026", "August 2026" or "3 August 2026"."""
    if start is None:
        return ""
    if frequency == kinds.MONTHLY:
        return f"{start:%B %Y}"
    prefix = "week of " if frequency == kinds.WEEKLY else ""
    return f"{prefix}{start.day} {start:%B %Y}"
