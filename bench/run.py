"""`make bench`: run every benchmark in this folder and write the combined table to bench/results/."""

import datetime
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["bench_spc.py", "bench_charts.py", "bench_pages.py"]


def main() -> int:
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H%M")
    lines = [
        f"# QI Portal benchmarks, {stamp}",
        f"Machine: {platform.node()} {platform.machine()} {platform.processor()}",
        f"Python {platform.python_version()}",
        "",
    ]
    status = 0
    for name in SCRIPTS:
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
