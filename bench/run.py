"""`make bench`: run every benchmark in this folder and write the combined table to bench/results/."""

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# BENCH_ONLY=bench_pages.py,load_test.py runs a subset.
SCRIPTS = ["bench_spc.py", "bench_charts.py", "bench_pages.py", "load_test.py"]


def main() -> int:
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    lines = [
        f"# QI Portal benchmarks, {stamp}",
        f"Machine: {platform.node()} {platform.machine()} {platform.processor()}",
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs",
        "Database: "
        + (
            "PostgreSQL (BENCH_DATABASE_URL)"
            if os.environ.get("BENCH_DATABASE_URL", "").startswith("postgres")
            else "SQLite (set BENCH_DATABASE_URL for PostgreSQL)"
        )
        + f", scale {os.environ.get('BENCH_SCALE', '1')}",
        "",
    ]
    status = 0
    only = [name for name in os.environ.get("BENCH_ONLY", "").split(",") if name]
    for name in only or SCRIPTS:
        script = HERE / name
        if not script.exists():
            continue
        run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=HERE.parent)
        print(run.stdout, end="")
        print(run.stderr, end="", file=sys.stderr)
        lines += [f"## {name}", "```", run.stdout.rstrip(), "```", ""]
        status = status or run.returncode
    (results / f"{stamp}-{platform.node()}.md").write_text("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
