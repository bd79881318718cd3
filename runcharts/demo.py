"""Demo measures and weekly data for the case-study initiatives (run after projects.demo.seed_initiatives).

Idempotent: measures are keyed by (initiative, name) and each week's value comes from a fixed random seed,
so a second run writes nothing new. PDSA cycles, which projects.demo rebuilds each run, are linked again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from projects.models import Initiative
from runcharts import selectors, services
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
    """Create or refresh the demo measures; returns them. Initiatives not in the log are skipped."""
    initiatives = {i.title: i for i in Initiative.objects.filter(title__in={m.initiative for m in MEASURES})}
    last_week = selectors.last_complete_week(timezone.localdate())
    seeded = []
    for spec in MEASURES:
        initiative = initiatives.get(spec.initiative)
        if initiative is None:
            continue
        measure, _ = Measure.objects.update_or_create(
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
        end = last_week - timedelta(weeks=1) if spec.skip_last_week else last_week
        cycles = list(initiative.pdsa_cycles.order_by("number"))
        for cycle in cycles:
            if cycle.measure_id != measure.pk:
                cycle.measure = measure
                cycle.save(update_fields=["measure"])
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
    return seeded


def _sync_points(measure: Measure, wanted: dict[date, float]) -> bool:
    existing = {p.week_start: p for p in measure.points.all()}
    changed = False
    for week, point in existing.items():
        if week not in wanted:
            point.delete()  # one by one, so the history records it
            changed = True
        elif point.value != wanted[week]:
            point.value = wanted[week]
            point.save()
            changed = True
    new = [DataPoint(measure=measure, week_start=w, value=v) for w, v in wanted.items() if w not in existing]
    if new:
        bulk_create_with_history(new, DataPoint)
        changed = True
    return changed
