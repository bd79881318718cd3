"""What a measure records (its data type), how often (its frequency), which charts suit it, and which one to suggest.

Pure Python, no Django: the model's choices, the forms, the analysis and the uploads all read these tables, so a
data type's rules live in one place. Weeks start on Monday (seed 000, step 6); months on their first day; a rare-
event measure records one row per event, dated the day it happened.

>>> period_start("monthly", date(2026, 3, 17)), period_label("monthly", date(2026, 3, 1))
(datetime.date(2026, 3, 1), 'March 2026')
>>> suggest_chart("proportion", points=24).chart
'p'
>>> suggest_chart("proportion", points=24, median_denominator=4200, sigma_z=2.7).chart  # large n, over-dispersed
'pp'
>>> suggest_chart("count", points=7).reason
'There are 7 months of data so far: control limits need about 20. A run chart (Anhøj rules) until then.'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

SINGLE = "single"
PROPORTION = "proportion"
RATE = "rate"
COUNT = "count"
OPPORTUNITIES_BETWEEN = "opportunities_between"
TIME_BETWEEN = "time_between"

DATA_TYPES: dict[str, str] = {
    SINGLE: "A single value each period, for example minutes to triage or a score",
    PROPORTION: "A numerator out of a denominator, shown as a percentage",
    RATE: "Events over an exposure, for example falls per 1,000 bed days",
    COUNT: "A count of events each period, for example falls",
    OPPORTUNITIES_BETWEEN: "Days or cases between rare events, for example days between pressure ulcers",
    TIME_BETWEEN: "Time between rare events, for example hours between falls",
}
RATIO_TYPES = frozenset({PROPORTION, RATE})  # a numerator and a denominator per period
RARE_EVENT_TYPES = frozenset({OPPORTUNITIES_BETWEEN, TIME_BETWEEN})  # one row per event

WEEKLY = "weekly"
MONTHLY = "monthly"
EVENT = "event"
FREQUENCIES: dict[str, str] = {
    WEEKLY: "Weekly (weeks start on Monday)",
    MONTHLY: "Monthly",
    EVENT: "Each time an event happens (rare events)",
}
NOUNS = {WEEKLY: ("week", "weeks"), MONTHLY: ("month", "months"), EVENT: ("event", "events")}

# Multipliers a rate may be shown per; a proportion is always shown as a percentage.
RATE_MULTIPLIERS = (1, 100, 1_000, 10_000, 100_000)

CHARTS: dict[str, str] = {
    "auto": "Suggested chart (recommended)",
    "anhoej": "Run chart with Anhøj rules",
    "ihi": "Run chart with IHI rules",
    "xmr": "XmR chart (Making Data Count)",
    "i": "I chart (individuals)",
    "p": "P chart (proportions)",
    "pp": "P′ chart (Laney, proportions with large denominators)",
    "u": "U chart (rates)",
    "up": "U′ chart (Laney, rates with large denominators)",
    "c": "C chart (counts)",
    "g": "G chart (cases or days between rare events)",
    "t": "T chart (time between rare events)",
}
SHORT_NAMES = {
    "anhoej": "Run chart (Anhøj rules)",
    "ihi": "Run chart (IHI rules)",
    "xmr": "XmR chart",
    "i": "I chart",
    "p": "P chart",
    "pp": "P′ chart",
    "u": "U chart",
    "up": "U′ chart",
    "c": "C chart",
    "g": "G chart",
    "t": "T chart",
}
RUN_CHARTS = frozenset({"anhoej", "ihi"})
CONTROL_CHARTS = frozenset({"i", "p", "pp", "u", "up", "c", "g", "t"})
# Making Data Count's XmR chart and the run charts stay available for every data type.
CHARTS_FOR: dict[str, tuple[str, ...]] = {
    SINGLE: ("anhoej", "ihi", "xmr", "i"),
    PROPORTION: ("anhoej", "ihi", "xmr", "p", "pp"),
    RATE: ("anhoej", "ihi", "xmr", "u", "up"),
    COUNT: ("anhoej", "ihi", "xmr", "c"),
    OPPORTUNITIES_BETWEEN: ("anhoej", "ihi", "xmr", "g"),
    TIME_BETWEEN: ("anhoej", "ihi", "xmr", "t"),
}
RULE_DOCUMENTS = {
    "spc-rules.md": "SPC and run-chart rules (docs/spc-rules.md: Making Data Count, Anhøj and IHI)",
    "spc-control-charts.md": "Control-chart rules (docs/spc-control-charts.md: qicharts2 0.8.1)",
}

# Control limits from fewer points than this are unreliable (Provost & Murray; Making Data Count says about 20).
CONTROL_LIMIT_POINTS = 20
# Laney's P′ and U′: suggested when the denominators are large and the z-scores vary more than a P or U chart
# expects. With thousands of patients a month, P limits are so narrow that nearly every point "signals".
LARGE_DENOMINATOR = 1_000
OVERDISPERSED_SIGMA_Z = 1.5


def rule_document(chart: str) -> str:
    """The file name, in docs/, of the binding document that says what the chart computes."""
    return "spc-control-charts.md" if chart in CONTROL_CHARTS else "spc-rules.md"


def frequency_for(data_type: str, frequency: str) -> str:
    """A rare-event measure is recorded per event; any other is weekly or monthly as chosen."""
    return EVENT if data_type in RARE_EVENT_TYPES else frequency


@dataclass(frozen=True)
class Suggestion:
    chart: str
    reason: str


def _plural(count: int, frequency: str) -> str:
    one, many = NOUNS[frequency]
    return f"{count} {one if count == 1 else many}"


def suggest_chart(
    data_type: str,
    *,
    points: int,
    frequency: str = MONTHLY,
    median_denominator: float | None = None,
    sigma_z: float | None = None,
) -> Suggestion:
    """The chart that suits the data type and the data so far, and why, in words a team can check.

    ``points`` counts recorded (non-gap) points; ``median_denominator`` and ``sigma_z`` (Laney's, from the P′ or U′
    chart of the same data) decide between P and P′, or U and U′.
    """
    if points < CONTROL_LIMIT_POINTS:
        return Suggestion(
            "anhoej",
            f"There {'is' if points == 1 else 'are'} {_plural(points, frequency)} of data so far: control limits "
            f"need about {CONTROL_LIMIT_POINTS}. A run chart (Anhøj rules) until then.",
        )
    if data_type in RATIO_TYPES:
        plain, laney = ("p", "pp") if data_type == PROPORTION else ("u", "up")
        name = SHORT_NAMES[plain]
        large = median_denominator is not None and median_denominator >= LARGE_DENOMINATOR
        if large and sigma_z is not None and sigma_z >= OVERDISPERSED_SIGMA_Z:
            return Suggestion(
                laney,
                f"The denominators are large (median {median_denominator:,.0f}) and sigma z is {sigma_z:.2f}, "
                f"so the {name}'s limits would be too narrow (over-dispersion): Laney's {SHORT_NAMES[laney]} "
                "widens them.",
            )
        what = "proportion" if data_type == PROPORTION else "rate"
        return Suggestion(
            plain,
            f"A {what} with a numerator and a denominator: the {name}'s limits vary with each denominator.",
        )
    if data_type == COUNT:
        return Suggestion("c", "Counts of events in equal periods: a C chart.")
    if data_type == OPPORTUNITIES_BETWEEN:
        return Suggestion("g", "Rare events counted as days or cases between them: a G chart.")
    if data_type == TIME_BETWEEN:
        return Suggestion("t", "Rare events measured as time between them: a T chart.")
    return Suggestion(
        "xmr",
        f"{_plural(points, frequency).capitalize()} of single values: an XmR chart (Making Data Count) shows "
        "process limits.",
    )


# --- Periods ---------------------------------------------------------------------------------------------------


def period_start(frequency: str, day: date) -> date:
    """The first day of the period holding ``day``: its Monday, the 1st of its month, or the day of an event."""
    if frequency == WEEKLY:
        return day - timedelta(days=day.weekday())
    if frequency == MONTHLY:
        return day.replace(day=1)
    return day


def is_period_start(frequency: str, day: date) -> bool:
    return period_start(frequency, day) == day


def next_period(frequency: str, start: date) -> date:
    if frequency == WEEKLY:
        return start + timedelta(weeks=1)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def previous_period(frequency: str, start: date) -> date:
    if frequency == WEEKLY:
        return start - timedelta(weeks=1)
    return date(start.year - (start.month == 1), (start.month - 2) % 12 + 1, 1)


def recent_periods(frequency: str, as_of: date, count: int) -> list[date]:
    """The current period and the ``count - 1`` before it, newest first (weekly or monthly)."""
    periods = [period_start(frequency, as_of)]
    while len(periods) < count:
        periods.append(previous_period(frequency, periods[-1]))
    return periods


def last_complete_period(frequency: str, as_of: date) -> date:
    return previous_period(frequency, period_start(frequency, as_of))


def periods_between(frequency: str, first: date, last: date) -> list[date]:
    """Every period start from ``first`` to ``last``, both included (weekly or monthly)."""
    periods = [first]
    while periods[-1] < last:
        periods.append(next_period(frequency, periods[-1]))
    return periods


def period_label(frequency: str, start: date) -> str:
    """The period in words, as an error message names it: 'the week starting 2 March 2026', 'March 2026'."""
    if frequency == WEEKLY:
        return f"the week starting {start.day} {start:%B %Y}"
    if frequency == MONTHLY:
        return f"{start:%B %Y}"
    return f"the event on {start.day} {start:%B %Y}"


def short_label(frequency: str, start: date) -> str:
    """The period as a table shows it: '2 Mar 2026', or 'Mar 2026' for a month."""
    return f"{start:%b %Y}" if frequency == MONTHLY else f"{start.day} {start:%b %Y}"


def count_label(frequency: str, count: int) -> str:
    return _plural(count, frequency)
