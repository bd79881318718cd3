"""Demo standing measures: three per demo ward, so the board shows every variation and assurance icon on first start.

Each ward gets falls per 1,000 bed days and staff sickness absence (lower is better) and a patient experience score
(higher is better). Across a ward's three measures the series rotate through a fall, a rise and steady noise, and
the targets through passing, failing and hit and miss, so every ward shows improvement, concern and common cause,
and pass, fail and hit and miss. The targets are set from each series' own XmR limits (runcharts.spc), so the icons
are what they say whatever the ward. Kept apart from runcharts/demo.py (the initiatives' measures).
Idempotent: a ward's measure is found by name, and one that already has data is left alone.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from qiportal.models import User, Ward
from runcharts import kinds, selectors, services, spc
from runcharts.analysis import Reading
from runcharts.models import Measure

WEEKS = 20
# Twenty weeks each: steady noise; a shift above the mean over the last eight; its mirror, a shift below.
STEADY = [10, 12, 9, 11, 10, 13, 9, 11, 12, 10, 11, 9, 12, 10, 11, 13, 10, 12, 11, 10]
RISE = [10, 11, 9, 10, 12, 10, 11, 9, 10, 11, 10, 9, 12, 11, 12, 11, 12, 11, 12, 11]
FALL = [22 - v for v in RISE]
SERIES = (FALL, RISE, STEADY)
ASSURANCE_KINDS = ("pass", "fail", "hit_and_miss")

# name, definition, unit, improvement, level (value of a 10 in the series), step (per unit of the series)
SPECS = [
    (
        "Falls per 1,000 bed days",
        "Inpatient falls on the ward, per 1,000 occupied bed days, each week (from the incident system).",
        Measure.Unit.RATE,
        Measure.Improvement.DECREASE,
        6.0,
        0.5,
    ),
    (
        "Staff sickness absence",
        "Hours lost to sickness as a percentage of contracted hours of the ward's staff, each week (from rostering).",
        Measure.Unit.PERCENT,
        Measure.Improvement.DECREASE,
        5.0,
        0.4,
    ),
    (
        "Patient experience score",
        "Average of the week's Friends and Family Test answers on the ward, scored 0 (very poor) to 100 (very good).",
        Measure.Unit.SCORE,
        Measure.Improvement.INCREASE,
        80.0,
        1.5,
    ),
]


def _values(series: list[int], level: float, step: float) -> list[float]:
    return [round(level + (v - 10) * step, 2) for v in series]


def _target(values: list[float], improvement: str, assurance: str) -> float:
    """A target the series passes, fails or hits and misses, judged against its own limits."""
    period = spc.xmr(values, improvement=improvement).periods[-1]
    margin = (period.upper_limit - period.lower_limit) / 4
    above, below = round(period.upper_limit + margin, 1), round(max(period.lower_limit - margin, 0.1), 1)
    if assurance == "hit_and_miss":
        return round(period.centre, 1)
    passing_is_above = improvement == Measure.Improvement.DECREASE  # lower is better: a target above U is met
    return above if (assurance == "pass") == passing_is_above else below


def _by() -> User | None:
    """Who adds them: the demo QI lead, or any admin."""
    return User.objects.filter(username="qilead").first() or User.objects.filter(is_superuser=True).first()


@transaction.atomic
def seed_standing_measures() -> list[Measure]:
    by = _by()
    if by is None:
        return []
    weeks = sorted(kinds.recent_periods(kinds.WEEKLY, selectors.last_complete_week(timezone.localdate()), WEEKS))
    seeded = []
    for k, ward in enumerate(Ward.objects.filter(is_active=True).order_by("name")):
        for j, (name, definition, unit, improvement, level, step) in enumerate(SPECS):
            measure = Measure.objects.filter(scope=Measure.Scope.WARD, ward=ward, name=name).first()
            if measure is not None and measure.points.exists():
                seeded.append(measure)
                continue
            values = _values(SERIES[(k + j) % 3], level + (k % 4) * step / 2, step)
            if improvement == Measure.Improvement.INCREASE:
                values = _values([20 - v for v in SERIES[(k + j) % 3]], level + (k % 4) * step / 2, step)
            target = _target(values, improvement, ASSURANCE_KINDS[(k + 2 * j + 1) % 3])
            if measure is None:
                measure = services.create_standing_measure(
                    by=by,
                    ward=ward,
                    name=name,
                    definition=definition,
                    kind=Measure.Kind.OUTCOME,
                    data_type=Measure.DataType.SINGLE,
                    frequency=Measure.Frequency.WEEKLY,
                    unit=unit,
                    improvement=improvement,
                    target=target,
                    chart=Measure.Chart.XMR,
                )
            services.save_values(
                measure_id=measure.pk,
                by=by,
                values={week: Reading(value=value) for week, value in zip(weeks, values, strict=True)},
            )
            seeded.append(measure)
    return seeded
