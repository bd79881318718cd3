"""Time the SPC maths: ``xmr`` and ``run_chart`` (Anhøj and IHI rules) on random series of 100 to 10,000 points.

Standalone and Django-free: run ``python bench/bench_spc.py`` from the repository root, or import it and call
``main()`` (prints the table) or ``measure()`` (returns the numbers). The series are random weekly values with a
fixed seed, rounded to one decimal place so that ties and points on the centre line occur as in real data. Each
figure is the median over repeats, in milliseconds. The "first" column is the first call at 10,000 points with the
Anhøj crossings limit not yet cached, which is what a page sees after a restart.

The rules document asks for well under 40 ms at 10,000 points for each function.
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

CASES: dict[str, Callable[[list[float]], object]] = {
    "xmr": lambda values: spc.xmr(values),
    "run_chart anhoej": lambda values: spc.run_chart(values, rules="anhoej"),
    "run_chart ihi": lambda values: spc.run_chart(values, rules="ihi"),
}


def random_series(n: int, seed: int = SEED) -> list[float]:
    rng = random.Random(seed)
    return [round(rng.gauss(50.0, 10.0), 1) for _ in range(n)]


def _milliseconds(run: Callable[[list[float]], object], values: list[float]) -> float:
    started = time.perf_counter()
    run(values)
    return (time.perf_counter() - started) * 1000


def measure(sizes: tuple[int, ...] = SIZES, seed: int = SEED) -> dict[str, dict[str, float]]:
    """{case: {"100": ms, "1000": ms, ..., "first": ms}}: median milliseconds per size, and the cold first call."""
    results: dict[str, dict[str, float]] = {}
    for name, run in CASES.items():
        timings: dict[str, float] = {}
        largest = random_series(max(sizes), seed)
        _spc_rules.crossings_min.cache_clear()
        timings["first"] = _milliseconds(run, largest)
        for n in sizes:
            values = random_series(n, seed)
            run(values)  # warm up: caches, and the allocator
            repeats = REPEATS.get(n, 10)
            timings[str(n)] = statistics.median(_milliseconds(run, values) for _ in range(repeats))
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
