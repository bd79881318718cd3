"""Draw one small PNG of each chart a measure can have, into bench/results/charts/, to show what they look like.

Standalone and database-free, like bench_charts.py: ``python bench/chart_gallery.py`` from the repository root.
The data are made up with a fixed seed, in the shape of the demo trust's measures (runcharts/demo.py): weekly
single values, monthly proportions and rates, weekly counts and rare events. Not part of ``make bench``.
"""

import random
import sys
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script, sys.path[0] is bench/
    sys.path.insert(0, str(REPO))

from django.conf import settings  # noqa: E402

settings.configure(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})

from matplotlib import rc_context  # noqa: E402

from runcharts import charts, kinds  # noqa: E402
from runcharts.analysis import Reading, analyse  # noqa: E402

OUT = REPO / "bench" / "results" / "charts"
DPI = 60  # small files for an issue note
WEEKS = [date(2025, 3, 3) + timedelta(weeks=k) for k in range(40)]
MONTHS = kinds.periods_between(kinds.MONTHLY, date(2024, 1, 1), date(2025, 12, 1))


def _poisson(rng: random.Random, mean: float) -> int:
    count, total = 0, rng.expovariate(1)
    while total < mean:
        count, total = count + 1, total + rng.expovariate(1)
    return count


def examples() -> dict[str, tuple[str, dict]]:
    """{chart: (title, analyse() keyword arguments)} for every chart type."""
    rng = random.Random(18)
    single = [round(rng.gauss(50 if k < 20 else 56, 3), 1) for k in range(len(WEEKS))]
    falls_risk = []
    for k in range(len(MONTHS)):
        n = rng.randint(28, 60)
        falls_risk.append(
            Reading(numerator=sum(rng.random() < (0.62 if k < 14 else 0.84) for _ in range(n)), denominator=n)
        )
    falls_risk[9] = Reading(numerator=0, denominator=0)
    screening = []
    for _ in MONTHS:
        n = rng.randint(2600, 3400)
        screening.append(Reading(numerator=round(n * min(0.97, rng.gauss(0.78, 0.04))), denominator=n))
    falls_rate = []
    for k in range(len(MONTHS)):
        bed_days = rng.randint(640, 760)
        falls = _poisson(rng, (7.0 if k < 15 else 4.2) * bed_days / 1000) + (9 if k == 8 else 0)
        falls_rate.append(Reading(numerator=falls, denominator=bed_days))
    errors = []
    for _ in MONTHS:
        doses = rng.randint(3800, 4600)
        errors.append(Reading(numerator=round(max(0.5, rng.gauss(6, 2.6)) * doses / 1000), denominator=doses))
    counts = [float(_poisson(rng, 2.6 if k < 22 else 0.7)) for k in range(36)]
    days, day = [], date(2023, 6, 1)
    for gap in [rng.randint(4, 30) for _ in range(14)] + [rng.randint(20, 75) for _ in range(10)]:
        day += timedelta(days=gap)
        days.append((day, float(gap)))
    hours, day = [], date(2025, 1, 6)
    for _ in range(26):
        gap = round(rng.uniform(30, 260), 1)
        day += timedelta(days=max(2, round(gap / 24)))
        hours.append((day, gap))

    def weekly(values, chart, **more):
        return {"weeks": WEEKS[: len(values)], "values": values, "chart": chart, "improvement": "increase", **more}

    def monthly(data, chart, data_type, multiplier, improvement="increase"):
        return {
            "weeks": MONTHS,
            "readings": data,
            "chart": chart,
            "improvement": improvement,
            "data_type": data_type,
            "frequency": "monthly",
            "multiplier": multiplier,
        }

    def events(data, chart, data_type):
        return {
            "weeks": [d for d, _ in data],
            "values": [v for _, v in data],
            "chart": chart,
            "improvement": "increase",
            "data_type": data_type,
            "frequency": "event",
        }

    return {
        "anhoej": ("Staff who felt able to raise a concern (run chart, Anhøj rules)", weekly(single, "anhoej")),
        "ihi": ("Lying and standing blood pressure recorded (run chart, IHI rules)", weekly(single, "ihi")),
        "xmr": ("Hours of one-to-one enhanced care (XmR)", weekly(single, "xmr", target=60.0, baseline_points=20)),
        "i": ("Minutes from arrival to antibiotics (I chart)", weekly(single, "i")),
        "p": ("Falls risk assessment within 6 hours, Oak Ward (P chart)", monthly(falls_risk, "p", "proportion", 100)),
        "pp": (
            "Patients screened for sepsis on arrival, trust-wide (P′ chart)",
            monthly(screening, "pp", "proportion", 100),
        ),
        "u": ("Falls per 1,000 bed days, Willow Ward (U chart)", monthly(falls_rate, "u", "rate", 1000, "decrease")),
        "up": (
            "Insulin prescribing errors per 1,000 doses (U′ chart)",
            monthly(errors, "up", "rate", 1000, "decrease"),
        ),
        "c": (
            "Falls between 22:00 and 07:00, Willow Ward (C chart)",
            {**weekly(counts, "c", data_type="count"), "improvement": "decrease"},
        ),
        "g": ("Days between pressure ulcers, Willow Ward (G chart)", events(days, "g", "opportunities_between")),
        "t": ("Hours between missed sepsis screens (T chart)", events(hours, "t", "time_between")),
    }


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for chart, (title, arguments) in examples().items():
        analysis = analyse(**arguments)
        assert analysis.chart == chart, (chart, analysis.chart)
        data = charts.ChartInput(
            measure_id=0,
            data_version=1,
            title=title,
            unit={"p": "Percent", "pp": "Percent", "u": "Rate per 1,000", "up": "Rate per 1,000"}.get(chart, ""),
            target=arguments.get("target"),
            analysis=analysis,
            annotations=[],
            pdsa=[],
        )
        path = OUT / f"{chart}.png"
        with rc_context(charts.LITERAL_TEXT):
            charts.draw(data).savefig(path, format="png", dpi=DPI)
        print(f"{path.relative_to(REPO)}  {path.stat().st_size / 1024:.0f} KB  {analysis.summary[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
