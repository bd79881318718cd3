"""Time the SPC maths: ``xmr``, ``run_chart`` (Anhøj and IHI rules) and the control charts (I, P, P′, U, U′, C, G
and T) on random series of 100 to 10,000 points.

Standalone and Django-free: run ``python bench/bench_spc.py`` from the repository root, or import it and call
``main()`` (prints the table) or ``measure()`` (returns the numbers). The series are random weekly values with a
fixed seed, rounded to one decimal place so that ties and points on the centre line occur as in real data. Each
figure is the median over repeats, in milliseconds. The "first" column is the first call at 10,000 points with the
Anhøj crossings limit not yet cached, which is what a page sees after a restart.

The rules documents ask for well under 40 ms at 10,000 points for each function and every chart type. The control
charts get weekly proportions (denominators 40 to 160), rates over bed days, counts, days between events, and one
position in 50 left as a gap, as real data has.
"""

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script, sys.path[0] is bench/
    sys.path.insert(0, str(REPO))

from runcharts import _spc_rules, spc  # noqa: E402

SIZES = (100, 1_000, 10_000)
REPEATS = {100: 300, 1_000: 60, 10_000: 15}
SEED = 20_240_601
BUDGET_MS = 40.0

CASES: dict[str, Callable[[dict], object]] = {
    "xmr": lambda data: spc.xmr(data["values"]),
    "run_chart anhoej": lambda data: spc.run_chart(data["values"], rules="anhoej"),
    "run_chart ihi": lambda data: spc.run_chart(data["values"], rules="ihi"),
    "control_chart i": lambda data: spc.control_chart(data["gappy"]),
    "attribute p": lambda data: spc.attribute_chart(data["numerators"], data["denominators"], chart="p"),
    "attribute pp": lambda data: spc.attribute_chart(data["numerators"], data["denominators"], chart="pp"),
    "attribute u": lambda data: spc.attribute_chart(data["events"], data["bed_days"], chart="u"),
    "attribute up": lambda data: spc.attribute_chart(data["events"], data["bed_days"], chart="up"),
    "attribute c": lambda data: spc.attribute_chart(data["counts"], chart="c"),
    "rare_event g": lambda data: spc.rare_event_chart(data["between"], chart="g"),
    "rare_event t": lambda data: spc.rare_event_chart(data["times"], chart="t"),
}


def random_series(n: int, seed: int = SEED) -> list[float]:
    rng = random.Random(seed)
    return [round(rng.gauss(50.0, 10.0), 1) for _ in range(n)]


def random_inputs(n: int, seed: int = SEED) -> dict[str, list]:
    """The weekly values, and inputs of the same length for each control chart."""
    rng = random.Random(seed)
    values = random_series(n, seed)

    def gap(value):
        return None if rng.random() < 0.02 else value

    denominators = [rng.randint(40, 160) for _ in range(n)]
    bed_days = [rng.randint(300, 700) for _ in range(n)]
    return {
        "values": values,
        "gappy": [gap(value) for value in values],
        "numerators": [gap(round(d * min(1.0, max(0.0, rng.gauss(0.7, 0.08))))) for d in denominators],
        "denominators": denominators,
        "events": [gap(rng.randint(0, 12)) for _ in range(n)],
        "bed_days": bed_days,
        "counts": [gap(rng.randint(0, 15)) for _ in range(n)],
        "between": [gap(rng.randint(0, 90)) for _ in range(n)],
        "times": [gap(round(rng.expovariate(1 / 20), 2) + 0.01) for _ in range(n)],
    }


def _milliseconds(run: Callable[[dict], object], data: dict) -> float:
    started = time.perf_counter()
    run(data)
    return (time.perf_counter() - started) * 1000


def measure(sizes: tuple[int, ...] = SIZES, seed: int = SEED) -> dict[str, dict[str, float]]:
    """{case: {"100": ms, "1000": ms, ..., "first": ms}}: median milliseconds per size, and the cold first call."""
    results: dict[str, dict[str, float]] = {}
    for name, run in CASES.items():
        timings: dict[str, float] = {}
        largest = random_inputs(max(sizes), seed)
        _spc_rules.crossings_min.cache_clear()
        timings["first"] = _milliseconds(run, largest)
        for n in sizes:
            data = random_inputs(n, seed)
            run(data)  # warm up: caches, and the allocator
            repeats = REPEATS.get(n, 10)
            timings[str(n)] = statistics.median(_milliseconds(run, data) for _ in range(repeats))
        results[name] = timings
    return results


def main() -> int:
    results = measure()
    headers = [f"{n:,} pts" for n in SIZES] + [f"first {max(SIZES):,}"]
    print(f"runcharts.spc timings, median milliseconds (seed {SEED}; repeats {REPEATS})")
    print(f"{'function':<18}" + "".join(f"{header:>13}" for header in headers))
    slow = []
    for name, timings in results.items():
        cells = [timings[str(n)] for n in SIZES] + [timings["first"]]
        print(f"{name:<18}" + "".join(f"{cell:>13.3f}" for cell in cells))
        if timings[str(max(SIZES))] >= BUDGET_MS:
            slow.append(name)
    if slow:
        print(f"Over the {BUDGET_MS:g} ms budget at {max(SIZES):,} points: {', '.join(slow)}")
    else:
        print(f"Every function is within the {BUDGET_MS:g} ms budget at {max(SIZES):,} points.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
