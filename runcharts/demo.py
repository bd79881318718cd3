"""Demo measures and their data for the case-study initiatives (run after projects.demo.seed_initiatives).

Every data type, chart and frequency appears: weekly single values on run and XmR charts (MEASURES), and
(KIND_MEASURES) a monthly P chart of falls risk assessments on Oak Ward, a U chart of falls per 1,000 bed days
and a G chart of days between pressure ulcers on Willow Ward, a weekly C chart, a T chart of hours between missed
sepsis screens, P′ and U′ charts over large denominators, and an I chart chosen by a person with a reason.
Idempotent: a measure is created once, keyed by (initiative, name), with data from a fixed random seed, and kept
as it is after that (with whatever people entered in the demo). Each period's data is dated as entered by the
measure's owner shortly after the period ended, so the initiative's last sign of work is real.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from projects.models import Initiative
from qiportal.models import Ward
from runcharts import kinds, selectors, services
from runcharts.analysis import Reading
from runcharts.models import Annotation, DataPoint, Measure

BASELINE_WEEKS = 12
MAX_WEEKS = 60


@dataclass(frozen=True)
class DemoMeasure:
    initiative: str
    name: str
    kind: str
    definition: str
    unit: str
    improvement: str
    chart: str
    weeks: int
    pattern: str  # "steady" | "shift_after_pdsa" | "trend" | "xmr_target"
    level: float
    spread: float
    change: float = 0.0
    target: float | None = None
    baseline: int | None = None
    skip_last_week: bool = False  # leaves "data missing" for the reminder demo


MEASURES = [
    DemoMeasure(
        "Handover at night",
        "At-risk patients discussed at the night meeting",
        "process",
        "Patients flagged at risk by the day team who were discussed at the 22:00 night meeting, as a percentage "
        "of all patients flagged that night, averaged over the week.",
        "percent",
        "increase",
        "anhoej",
        40,
        "steady",
        55,
        7,
    ),
    DemoMeasure(
        "Nurse-led discharge",
        "Discharges before noon",
        "outcome",
        "Patients discharged from the ward before 12:00 as a percentage of all discharges that week.",
        "percent",
        "increase",
        "anhoej",
        36,
        "shift_after_pdsa",
        22,
        4,
        change=14,
        baseline=12,
    ),
    DemoMeasure(
        "Enhanced care",
        "Hours of one-to-one enhanced care",
        "outcome",
        "Hours of one-to-one enhanced observation booked through the staffing system for the ward in the week.",
        "hours",
        "decrease",
        "xmr",
        48,
        "xmr_target",
        310,
        28,
        change=-70,
        target=220,
        baseline=20,
    ),
    DemoMeasure(
        "Postural blood pressure",
        "Lying and standing blood pressure recorded",
        "process",
        "Patients aged 65 or over with a lying and standing blood pressure recorded within 24 hours of admission, "
        "as a percentage of patients aged 65 or over admitted that week.",
        "percent",
        "increase",
        "ihi",
        32,
        "trend",
        30,
        4,
        change=1.6,
    ),
    DemoMeasure(
        "Tissue viability",
        "New hospital-acquired pressure ulcers",
        "outcome",
        "New category 2 or worse pressure ulcers first found more than 72 hours after admission, counted each week.",
        "count",
        "decrease",
        "xmr",
        52,
        "steady",
        3,
        1.4,
        target=1,
        skip_last_week=True,
    ),
    DemoMeasure(
        "Managing unprofessional behaviour",
        "Staff who felt able to raise a concern",
        "balancing",
        "Staff answering 'yes' to 'I felt able to raise a concern this week' in the weekly pulse survey, as a "
        "percentage of those who answered.",
        "percent",
        "increase",
        "anhoej",
        30,
        "steady",
        68,
        6,
    ),
]


def _series(spec: DemoMeasure, weeks: list[date], change_week: date | None) -> list[float]:
    # A fixed seed per measure: the same values every run (demo data, not security).
    rng = random.Random(f"qi-portal-demo:{spec.name}")  # noqa: S311
    values = []
    for i, week in enumerate(weeks):
        noise = rng.gauss(0, spec.spread)
        if spec.pattern == "shift_after_pdsa":
            level = spec.level + (spec.change if change_week and week >= change_week else 0)
        elif spec.pattern == "xmr_target":
            level = spec.level + (spec.change if i >= spec.baseline + 6 else 0)
        elif spec.pattern == "trend":
            level = spec.level + spec.change * max(0, i - 12)
        else:
            level = spec.level
        value = level + noise
        if spec.unit == "percent":
            value = min(100.0, max(0.0, value))
        elif spec.unit == "count":
            value = float(max(0, round(value)))
        else:
            value = max(0.0, value)
        values.append(round(value, 1))
    return values


@transaction.atomic
def seed_measures() -> list[Measure]:
    """Create the demo measures that do not exist yet; returns them all. Initiatives not in the log are skipped."""
    initiatives = {i.title: i for i in Initiative.objects.filter(title__in={m.initiative for m in MEASURES})}
    last_week = selectors.last_complete_week(timezone.localdate())
    seeded = []
    for spec in MEASURES:
        initiative = initiatives.get(spec.initiative)
        if initiative is None:
            continue
        measure, created = Measure.objects.get_or_create(
            initiative=initiative,
            name=spec.name,
            defaults={
                "kind": spec.kind,
                "definition": spec.definition,
                "unit": spec.unit,
                "improvement": spec.improvement,
                "chart": spec.chart,
                "target": spec.target,
                "baseline_points": spec.baseline,
                "owner": initiative.lead,
            },
        )
        if not created:  # kept as it is
            seeded.append(measure)
            continue
        end = last_week - timedelta(weeks=1) if spec.skip_last_week else last_week
        cycles = list(initiative.pdsa_cycles.order_by("number"))
        # The cycles test changes on this measure (a link, not a charter edit: no history record dated today).
        initiative.pdsa_cycles.filter(measure__isnull=True).update(measure=measure)
        count, change_week, change_cycle = spec.weeks, None, None
        if spec.pattern == "shift_after_pdsa":
            # The shift follows the first cycle that leaves a 12-week baseline inside a 60-week window.
            for cycle in cycles:
                week = selectors.week_start(cycle.starts_on)
                needed = (end - week).days // 7 + 1 + BASELINE_WEEKS
                if week <= end and needed <= MAX_WEEKS:
                    count, change_week, change_cycle = max(count, needed), week, cycle
                    break
        weeks = [end - timedelta(weeks=k) for k in range(count - 1, -1, -1)]
        change_week = change_week or weeks[len(weeks) // 2]
        changed = _sync_points(measure, dict(zip(weeks, _series(spec, weeks, change_week), strict=True)))
        if change_cycle is not None:
            note = "Nurse-led discharge criteria started"
            measure.annotations.filter(text=note).exclude(on=change_cycle.starts_on).delete()
            _, created = Annotation.objects.get_or_create(
                measure=measure, on=change_cycle.starts_on, defaults={"text": note}
            )
            changed = changed or created
        if changed or not measure.latest_signal:
            services.data_changed(measure)
        seeded.append(measure)
    return seeded + seed_kind_measures(last_week)


def _sync_points(measure: Measure, wanted: dict[date, float | Reading]) -> bool:
    readings = {p: r if isinstance(r, Reading) else Reading(value=r) for p, r in wanted.items()}
    existing = {p.week_start: p for p in measure.points.all()}
    changed = False
    for week, point in existing.items():
        reading = readings.get(week)
        if reading is None:
            point.delete()  # one by one, so the history records it
            changed = True
        elif (point.value, point.numerator, point.denominator) != (
            reading.value,
            reading.numerator,
            reading.denominator,
        ):
            point.value, point.numerator, point.denominator = reading.value, reading.numerator, reading.denominator
            point.save()
            changed = True
    new = [
        DataPoint(
            measure=measure,
            week_start=w,
            value=r.value,
            numerator=r.numerator,
            denominator=r.denominator,
            entered_by_id=measure.owner_id,
        )
        for w, r in readings.items()
        if w not in existing
    ]
    if new:
        now = timezone.now()
        for point in new:
            point._history_date = _entered_at(measure, point.week_start, now)
            point._history_user = measure.owner
        bulk_create_with_history(new, DataPoint)
        # entered_at is kept by auto_now on save; a bulk update (which skips it) dates it as the history does.
        dated = list(DataPoint.objects.filter(measure=measure, week_start__in=[p.week_start for p in new]))
        for point in dated:
            point.entered_at = _entered_at(measure, point.week_start, now)
        DataPoint.objects.bulk_update(dated, ["entered_at"], batch_size=200)
        changed = True
    return changed


def _entered_at(measure: Measure, period: date, now: datetime) -> datetime:
    """When the owner entered a period's data: the morning of the second day after the period ended (the day
    itself for an event), never later than an hour ago."""
    if measure.frequency == kinds.MONTHLY:
        after = (period.replace(day=28) + timedelta(days=4)).replace(day=1) + timedelta(days=1)
    elif measure.frequency == kinds.WEEKLY:
        after = period + timedelta(days=8)
    else:
        after = period
    entered = timezone.make_aware(datetime.combine(after, time(9, 30)))
    return min(entered, now - timedelta(hours=1))


def latest_entries(initiative_ids) -> dict[int, datetime]:
    """Each initiative's latest measure data entry (for projects.demo.note_activity)."""
    rows = (
        DataPoint.objects.filter(measure__initiative_id__in=list(initiative_ids))
        .values("measure__initiative_id")
        .annotate(latest=Max("entered_at"))
        .order_by()
    )
    return {row["measure__initiative_id"]: row["latest"] for row in rows}


@dataclass(frozen=True)
class KindMeasure:
    """A demo measure of any data type; ``series`` names the generator of its data below."""

    initiative: str
    name: str
    kind: str
    definition: str
    data_type: str
    frequency: str
    improvement: str
    series: str
    ward: str | None = None  # slug
    numerator: str = ""
    denominator: str = ""
    multiplier: int = 1
    unit: str = "count"
    chart: str = "auto"
    chart_reason: str = ""


KIND_MEASURES = [
    KindMeasure(
        "Postural blood pressure",
        "Falls risk assessment within 6 hours of admission",
        "process",
        "Patients admitted to Oak Ward with a completed falls risk assessment within 6 hours of arriving on the "
        "ward, as a percentage of patients admitted that month.",
        "proportion",
        "monthly",
        "increase",
        "falls_risk",
        ward="oak-ward",
        numerator="Patients assessed within 6 hours",
        denominator="Patients admitted",
    ),
    KindMeasure(
        "Reducing falls at night on Willow Ward",
        "Falls per 1,000 bed days",
        "outcome",
        "Inpatient falls on Willow Ward reported on Datix, per 1,000 occupied bed days, each month.",
        "rate",
        "monthly",
        "decrease",
        "falls_rate",
        ward="willow-ward",
        numerator="Inpatient falls",
        denominator="bed days",
        multiplier=1000,
    ),
    KindMeasure(
        "Reducing falls at night on Willow Ward",
        "Days between pressure ulcers",
        "balancing",
        "Days since the previous new category 2 or worse hospital-acquired pressure ulcer on Willow Ward, recorded "
        "when each one is found: less walking at night must not mean more pressure damage.",
        "opportunities_between",
        "event",
        "increase",
        "days_between",
        ward="willow-ward",
        unit="days",
    ),
    KindMeasure(
        "Reducing falls at night on Willow Ward",
        "Falls between 22:00 and 07:00",
        "outcome",
        "Inpatient falls on Willow Ward between 22:00 and 07:00, counted each week from Datix.",
        "count",
        "weekly",
        "decrease",
        "night_falls",
        ward="willow-ward",
    ),
    KindMeasure(
        "Sepsis screening in the acute medical unit",
        "Hours between missed sepsis screens",
        "outcome",
        "Hours since the previous patient with a NEWS2 of 5 or more who was not screened for sepsis within an hour "
        "of arrival on the acute medical unit, recorded at each miss.",
        "time_between",
        "event",
        "increase",
        "hours_between",
        ward="acute-medical-unit",
        unit="hours",
    ),
    KindMeasure(
        "Sepsis screening in the acute medical unit",
        "Patients screened for sepsis on arrival, trust-wide",
        "process",
        "Emergency admissions across the trust screened for sepsis within an hour of arrival, as a percentage of "
        "all emergency admissions that month.",
        "proportion",
        "monthly",
        "increase",
        "screening_trust",
        numerator="Admissions screened within an hour",
        denominator="Emergency admissions",
    ),
    KindMeasure(
        "Safer insulin prescribing",
        "Insulin prescribing errors per 1,000 doses",
        "outcome",
        "Insulin prescribing errors found by pharmacists across the trust, per 1,000 insulin doses given, monthly.",
        "rate",
        "monthly",
        "decrease",
        "insulin_errors",
        numerator="Prescribing errors",
        denominator="doses",
        multiplier=1000,
    ),
    KindMeasure(
        "Sepsis screening in the acute medical unit",
        "Minutes from arrival to antibiotics",
        "outcome",
        "Median minutes from arrival to the first dose of antibiotics for patients with suspected sepsis on the "
        "acute medical unit, each week.",
        "single",
        "weekly",
        "decrease",
        "door_to_needle",
        ward="acute-medical-unit",
        unit="minutes",
        chart="i",
        chart_reason="The sepsis group compares our times with the regional network's I charts (qicharts2), so "
        "we use the same chart.",
    ),
]


def _kind_series(spec: KindMeasure, last_week: date) -> dict[date, float | Reading]:
    """The demo data of one measure: the same every run (a fixed seed per measure; demo data, not security)."""
    rng = random.Random(f"qi-portal-demo:{spec.name}")  # noqa: S311
    last_month = kinds.last_complete_period(kinds.MONTHLY, last_week + timedelta(days=7))
    months = kinds.recent_periods(kinds.MONTHLY, last_month, 24)[::-1]
    weeks = kinds.recent_periods(kinds.WEEKLY, last_week, 36)[::-1]

    def binomial(n: int, p: float) -> int:
        return sum(rng.random() < p for _ in range(n))

    def poisson(mean: float) -> int:
        count, total = 0, rng.expovariate(1)
        while total < mean:
            count, total = count + 1, total + rng.expovariate(1)
        return count

    if spec.series == "falls_risk":  # about 62% assessed, then about 84% after the admission-bundle prompt
        data = {}
        for k, month in enumerate(months):
            n = rng.randint(28, 60)
            data[month] = Reading(numerator=binomial(n, 0.62 if k < 14 else 0.84), denominator=n)
        data[months[9]] = Reading(numerator=0, denominator=0)  # ward closed for refurbishment: nothing to count
        return data
    if spec.series == "falls_rate":  # about 7 falls per 1,000 bed days, one bad winter month, then fewer
        data = {}
        for k, month in enumerate(months):
            bed_days = rng.randint(640, 760)
            rate = 7.0 if k < 15 else 4.2
            falls = poisson(rate * bed_days / 1000) + (9 if k == 8 else 0)
            data[month] = Reading(numerator=falls, denominator=bed_days)
        return data
    if spec.series == "screening_trust":  # thousands a month: month-to-month swings beyond the binomial's
        data = {}
        for month in months:
            n = rng.randint(2600, 3400)
            p = min(0.97, max(0.5, rng.gauss(0.78, 0.04)))
            data[month] = Reading(numerator=round(n * p), denominator=n)
        return data
    if spec.series == "insulin_errors":
        data = {}
        for month in months:
            doses = rng.randint(3800, 4600)
            rate = max(0.5, rng.gauss(6.0, 2.6))
            data[month] = Reading(numerator=round(rate * doses / 1000), denominator=doses)
        return data
    if spec.series == "night_falls":
        return {week: float(poisson(2.6 if k < 22 else 0.7)) for k, week in enumerate(weeks)}
    if spec.series == "door_to_needle":
        return {week: round(rng.gauss(74 if k < 20 else 58, 9), 1) for k, week in enumerate(weeks)}
    # Rare events, counted back from the last complete week: each value is the gap since the event before.
    events: dict[date, float] = {}
    day = last_week
    if spec.series == "days_between":
        gaps = [rng.randint(4, 30) for _ in range(14)] + [rng.randint(20, 75) for _ in range(10)]
        for gap in reversed(gaps):
            events[day] = float(gap)
            day -= timedelta(days=gap)
    else:  # hours between missed screens: more than a day apart, so each falls on its own day
        for _ in range(26):
            hours = round(rng.uniform(30, 260), 1)
            events[day] = hours
            day -= timedelta(days=max(2, round(hours / 24)))
    return dict(sorted(events.items()))


def seed_kind_measures(last_week: date) -> list[Measure]:
    """Create the demo measures of every data type that do not exist yet; returns them all."""
    titles = {spec.initiative for spec in KIND_MEASURES}
    initiatives = {i.title: i for i in Initiative.objects.filter(title__in=titles)}
    wards = {w.slug: w for w in Ward.objects.filter(slug__in={s.ward for s in KIND_MEASURES if s.ward})}
    seeded = []
    for spec in KIND_MEASURES:
        initiative = initiatives.get(spec.initiative)
        if initiative is None:
            continue
        measure, created = Measure.objects.get_or_create(
            initiative=initiative,
            name=spec.name,
            defaults={
                "kind": spec.kind,
                "definition": spec.definition,
                "data_type": spec.data_type,
                "frequency": spec.frequency,
                "multiplier": spec.multiplier
                if spec.data_type == "rate"
                else (100 if spec.data_type == "proportion" else 1),
                "numerator": spec.numerator,
                "denominator": spec.denominator,
                "unit": {"proportion": "percent", "rate": "rate"}.get(spec.data_type, spec.unit),
                "improvement": spec.improvement,
                "chart": spec.chart,
                "chart_reason": spec.chart_reason,
                "ward": wards.get(spec.ward),
                "owner": initiative.lead,
            },
        )
        if not created:  # kept as it is
            seeded.append(measure)
            continue
        if _sync_points(measure, _kind_series(spec, last_week)) or not measure.latest_signal:
            services.data_changed(measure)
        seeded.append(measure)
    return seeded
