"""Time drawing a measure's chart: cold (matplotlib draws it) and cached (Django's cache returns it).

Standalone: run ``python bench/bench_charts.py`` from the repository root. It needs no database: the analysis
and the drawing take plain values, and Django is configured with only an in-memory cache. Figures are medians
over repeats, in milliseconds, for 52 and 260 weekly points, as an XmR chart, an Anhøj run chart and a P chart
(whose limits are steps, one per week's denominator).
"""

import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script, sys.path[0] is bench/
    sys.path.insert(0, str(REPO))

from django.conf import settings  # noqa: E402

settings.configure(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})

from django.core.cache import cache  # noqa: E402

from runcharts import charts  # noqa: E402
from runcharts.analysis import Reading, analyse  # noqa: E402

SIZES = (52, 260)
COLD_REPEATS = 5
CACHED_REPEATS = 200


def chart_input(n: int, chart: str) -> charts.ChartInput:
    rng = random.Random(n)
    weeks = [date(2021, 1, 4) + timedelta(weeks=k) for k in range(n)]
    values = [round(rng.gauss(50 + (8 if k > n // 2 else 0), 5), 1) for k in range(n)]
    if chart == "p":
        sizes = [rng.randint(40, 120) for _ in range(n)]
        readings = [Reading(numerator=round(v / 100 * d), denominator=d) for v, d in zip(values, sizes, strict=True)]
        analysis = analyse(
            weeks=weeks, readings=readings, chart=chart, improvement="increase", data_type="proportion", multiplier=100
        )
    else:
        analysis = analyse(weeks=weeks, values=values, chart=chart, improvement="increase", target=60.0)
    return charts.ChartInput(
        measure_id=1,
        data_version=1,
        title="Discharges before noon",
        unit="Percent",
        target=60.0,
        analysis=analysis,
        annotations=[(weeks[n // 2], "Criteria-led discharge started")],
        pdsa=[(1, weeks[n // 2]), (2, weeks[n // 2 + 6])],
    )


def median_ms(action, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main() -> None:
    print(f"{'chart':<10}{'points':>8}{'format':>8}{'cold ms':>12}{'cached ms':>12}")
    for chart in ("xmr", "anhoej", "p"):
        for n in SIZES:
            data = chart_input(n, chart)
            for kind in charts.KINDS:
                cold = median_ms(lambda data=data, kind=kind: charts.render(data, kind), COLD_REPEATS)
                key = charts.cache_key(n, 1, kind, data.pdsa)
                cache.delete(key)
                charts.cached_chart(key, kind, lambda data=data: data)  # drawn once, then served from the cache
                drawing = cache.get(key)
                cached = median_ms(
                    lambda key=key, kind=kind, data=data: charts.cached_chart(key, kind, lambda: data), CACHED_REPEATS
                )
                assert charts.cached_chart(key, kind, lambda: None) == drawing, "a cached chart was redrawn"
                print(f"{chart:<10}{n:>8}{kind:>8}{cold:>12.1f}{cached:>12.3f}")


if __name__ == "__main__":
    main()
