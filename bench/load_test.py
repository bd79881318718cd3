"""A bounded load test on loopback: 50 simulated users mixing reads and writes against gunicorn.

Run from the repository root: ``python bench/load_test.py``. It builds the demo trust in a throwaway
database (``LOAD_DATABASE_URL``, default PostgreSQL ``qiportal_load`` on 127.0.0.1, created if missing; or an
SQLite file when ``LOAD_DATABASE_URL=sqlite``), serves it with gunicorn, and runs ``LOAD_USERS`` (50) threads
for at most ``LOAD_SECONDS`` (60) seconds and ``LOAD_REQUESTS`` (40) requests each. About one request in five
writes (an excellence report, or marking notifications read); some reads go to the bench floor page, so the reads'
p95 is given as a ratio to the floor's p95 under the same load. Without LOAD_DATABASE_URL it uses PostgreSQL
beside BENCH_DATABASE_URL (its name + "_load") when that is set, else SQLite (as make bench does). Any error
status or exception is counted and fails the run. The summary is printed and appended to bench/results/.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_pages import Browser, environment, manage, p95, serve  # noqa: E402

USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
REQUESTS = int(os.environ.get("LOAD_REQUESTS", "40"))
PASSWORD = "load-test-password-not-secret"  # noqa: S105 - a throwaway database on loopback
ACCOUNTS = ["qilead", "sponsor", "wardmanager", "staff", "coach", "hca", "physio", "juniordoctor"]
READS = ["/", "/initiatives/", "/initiatives/?status=live", "/excellence/", "/wards/oak-ward/", "/notifications/"]


FLOOR = "/bench-floor/"  # bench/floor_urls.py: a trivial template through the same middleware
FLOOR_SHARE = 0.15  # of reads: the floor measured under the same load as the pages


def wanted_database() -> str:
    """LOAD_DATABASE_URL; else, as `make bench` does, PostgreSQL beside BENCH_DATABASE_URL (its name + "_load")
    when that is set, and SQLite otherwise."""
    if os.environ.get("LOAD_DATABASE_URL"):
        return os.environ["LOAD_DATABASE_URL"]
    bench = os.environ.get("BENCH_DATABASE_URL", "")
    return f"{bench}_load" if bench.startswith("postgres") else "sqlite"


def database_url() -> str:
    wanted = wanted_database()
    if wanted.startswith("postgres"):
        import psycopg2

        name = wanted.rsplit("/", 1)[1]
        connection = psycopg2.connect(wanted.rsplit("/", 1)[0] + "/postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
    return wanted


def user_session(base: str, number: int, stats: dict, lock: threading.Lock, deadline: float) -> None:
    rng = random.Random(number)
    browser = Browser(base)
    username = ACCOUNTS[number % len(ACCOUNTS)]
    try:
        browser.sign_in(username, PASSWORD)
    except (SystemExit, Exception) as failure:  # noqa: BLE001 - a timed-out sign-in is an error too, counted
        with lock:
            stats["errors"].append(f"{username}: {failure}")
        return
    for _ in range(REQUESTS):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        try:
            if rng.random() < 0.2:
                status, expected = write(browser, username, rng)
                kind = "write"
            elif rng.random() < FLOOR_SHARE:
                (status, _), expected = browser.get(FLOOR), (200,)
                kind = "floor"
            else:
                (status, _), expected = browser.get(rng.choice(READS)), (200,)
                kind = "read"
        except Exception as error:  # noqa: BLE001 - every failure is counted and reported
            status, kind, expected = f"{type(error).__name__}: {error}", "error", ()
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            stats[kind if kind != "error" else "read"].append(elapsed)
            if status not in expected:
                stats["errors"].append(f"{username} {kind}: {status}")


def write(browser: Browser, username: str, rng: random.Random) -> tuple[int, tuple[int, ...]]:
    """One write and the statuses that mean it worked: a saved report redirects (a form error would be 200)."""
    if username in ("staff", "hca", "physio", "juniordoctor") and rng.random() < 0.7:
        _, page = browser.get("/excellence/report/")
        token = browser.csrf_from(page)
        ward = re.search(rb'<option value="(\d+)"[^>]*>Oak Ward', page)
        status, landed = browser.post(
            "/excellence/report/",
            {
                "csrfmiddlewaretoken": token,
                "team_ward": ward.group(1).decode() if ward else "",
                "ward": ward.group(1).decode() if ward else "",
                "happened_on": date.today().isoformat(),
                "what_happened": "Stayed calm and kept the whole bay informed during a busy night.",
                "why_excellent": "Everyone knew what was happening and felt safe.",
                "difference_made": "Fewer calls to the nurses' station.",
                "organisation_learning": "Brief the bay at the start of the shift.",
                "share": "yes",
            },
        )
        # urllib follows the redirect: a saved report lands on another page; a form error stays put.
        return (status if landed != "/excellence/report/" else "form error"), (200,)
    _, page = browser.get("/notifications/")
    # Marking read redirects; with nothing unread the page is shown again.
    return browser.post("/notifications/", {"csrfmiddlewaretoken": browser.csrf_from(page)})[0], (200, 302)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="qiportal-load-"))
    env = environment(tmp)
    url = wanted_database()
    env["DATABASE_URL"] = f"sqlite:///{tmp / 'load.sqlite3'}" if url == "sqlite" else database_url()
    os.environ.update(env)
    server = None
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        manage(env, "seed_demo", "--password", PASSWORD)
        server, base = serve(env, "--workers", "3", "--threads", "4")
        stats: dict = {"read": [], "write": [], "floor": [], "errors": []}
        lock = threading.Lock()
        deadline = time.monotonic() + SECONDS
        started = time.perf_counter()
        threads = [threading.Thread(target=user_session, args=(base, n, stats, lock, deadline)) for n in range(USERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 60)
        wall = time.perf_counter() - started
        total = len(stats["read"]) + len(stats["write"]) + len(stats["floor"])
        lines = [
            f"## Load test, {time.strftime('%Y-%m-%d %H:%M')}",
            f"{USERS} simulated users, {env['DATABASE_URL'].split(':')[0]}, gunicorn 3 workers × 4 threads, "
            f"{wall:.0f} s: {total} requests ({len(stats['write'])} writes), {total / wall:.1f} per second, "
            f"{len(stats['errors'])} errors.",
        ]
        floor_p95 = p95(stats["floor"]) if stats["floor"] else None
        for kind in ("read", "write", "floor"):
            if stats[kind]:
                ratio = f", {p95(stats[kind]) / floor_p95:.1f}× the floor's p95" if floor_p95 else ""
                lines.append(
                    f"- {kind}s: {len(stats[kind])}, median {statistics.median(stats[kind]):.0f} ms,"
                    f" p95 {p95(stats[kind]):.0f} ms{ratio if kind != 'floor' else ''}"
                )
        lines.append(f"(The floor, {FLOOR}, is {FLOOR_SHARE:.0%} of the reads, served under the same load.)")
        lines += [f"- error: {error}" for error in stats["errors"][:10]]
        print("\n".join(lines))
        results = REPO / "bench" / "results"
        results.mkdir(exist_ok=True)
        with (results / "load-tests.md").open("a") as out:
            out.write("\n".join(lines) + "\n\n")
        return 1 if stats["errors"] else 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
