"""Page latency over a trust-sized data set, served by gunicorn on loopback, against a bare Django floor page.

Run from the repository root: ``python bench/bench_pages.py`` (``make bench`` runs it). It builds a throwaway
database (SQLite in a temporary folder, or ``BENCH_DATABASE_URL`` for PostgreSQL, which it empties first),
runs ``seed_scale`` (``BENCH_SCALE``, default 1), starts gunicorn on a free port, signs in as the scale
trust's admin, warms the chart cache and times ``BENCH_REQUESTS`` (default 30) sequential requests per page.
Query counts come from calling the same pages in-process with CaptureQueriesContext, and each page's top costs
from cProfile. Prints a Markdown table whose headline column is the first view after a change.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

STDLIB = sysconfig.get_paths()["stdlib"]
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway database on loopback
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
SCALE = os.environ.get("BENCH_SCALE", "1")
WORKERS = os.environ.get("BENCH_WORKERS", "2")


def environment(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY="bench-only-not-a-secret",  # noqa: S106 - a throwaway server on loopback
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.sqlite3'}",
        # A cache the gunicorn workers and this process share, so one warm-up warms them all.
        CACHE_URL=shared_cache(tmp),
        CELERY_BROKER_URL="",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PYTHONPATH=str(REPO),
        BENCH_STATIC_ROOT=str(tmp / "static"),
    )
    return env


def shared_cache(tmp: Path) -> str:
    """Redis as in production (BENCH_CACHE_URL, or a local Redis's database 15, emptied first), else files."""
    url = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15")
    if url.startswith("redis://"):
        try:
            import redis

            redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
            return url
        except (ImportError, OSError, redis.RedisError):
            pass
    return f"filecache://{tmp / 'cache'}"


def manage(env, *args) -> str:
    run = subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=REPO, capture_output=True, text=True, check=False
    )
    if run.returncode:
        sys.stderr.write(run.stdout + run.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed")
    return run.stdout


def serve(env: dict[str, str], *options: str) -> tuple[subprocess.Popen, str]:
    """gunicorn serving the app on a free loopback port with these options, answering; (process, base URL)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "qiportal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *options,
        ],
        env=env,
        cwd=REPO,
    )
    wait_for(base, server)
    return server, base


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A signed-in client over plain HTTP: cookies kept, CSRF token read from the sign-in form."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def post(self, path: str, data: dict) -> tuple[int, str]:
        """POST and follow redirects: the final status and the path it landed on."""
        body = urllib.parse.urlencode(data).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, urllib.parse.urlsplit(response.url).path
        except urllib.error.HTTPError as error:
            return error.code, path

    def csrf_from(self, html: bytes) -> str:
        found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return found.group(1).decode() if found else ""

    def sign_in(self, username: str, password: str) -> None:
        _, page = self.get("/accounts/login/")
        self.post(
            "/accounts/login/",
            {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf_from(page)},
        )
        status, _ = self.get("/bench-floor/")
        if status != 200:
            raise SystemExit(f"Could not sign in as {username} (floor page gave {status})")


def wait_for(base: str, process: subprocess.Popen) -> None:
    for _ in range(100):
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped while starting")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 20 seconds")


def timed(browser: Browser, paths: list[str], n: int, before=None) -> list[float]:
    timings = []
    for _ in range(n):
        if before is not None:
            before()
        start = time.perf_counter()
        for path in paths:
            status, _ = browser.get(path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def pages_to_measure():
    """Name -> (page path, extra paths fetched with it), from the scale data (Django is set up by now)."""
    from django.db.models import Count

    from projects.models import Initiative, Status
    from qiportal.models import Role, User, Ward

    admin = User.objects.filter(roles__role=Role.ADMIN).order_by("pk").first()
    initiative = (
        Initiative.objects.filter(status=Status.LIVE)
        .annotate(n=Count("measures"))
        .filter(n__gte=2)
        .order_by("n", "pk")
        .first()
    )
    ward = Ward.objects.select_related("directorate").annotate(n=Count("initiatives")).order_by("-n", "pk").first()
    pages = {
        "Floor (trivial template)": ("/bench-floor/", []),
        # An empty page in the app's layout: the header with this person's navigation and counts, and the footer.
        "Layout floor (empty page in the app's layout)": ("/bench-layout-floor/", []),
        "Portfolio, first page": ("/initiatives/", []),
        "Portfolio, filtered": (f"/initiatives/?status=live&ward={ward.pk}", []),
        "Review queue": ("/reviews/", []),
        # The chart addresses are read from the page itself, as a browser would (see chart_images).
        "Initiative with two charts": (f"/initiatives/{initiative.pk}/", []),
        "Ward page": (f"/wards/{ward.slug}/", []),
        "Excellence list": ("/excellence/", []),
        "Dashboard": ("/dashboard/", []),
        # The measure board (issue 19): every measure of the trust, paged, from the stored latest analyses.
        "Board, trust": ("/board/", []),
        "Board, directorate": (f"/board/directorates/{ward.directorate.slug}/", []),
        "Board, ward": (f"/board/wards/{ward.slug}/", []),
        # A form with the trust's whole staff in its lists: lead, team, sponsor and coach of a new initiative.
        "Log an initiative, people step": ("/initiatives/new/people/", []),
    }
    return admin, pages


def chart_images(browser: Browser, path: str) -> list[str]:
    """The run-chart images an initiative page embeds, as its <img> addresses."""
    _, html = browser.get(path)
    return [src.decode() for src in re.findall(rb'<img src="(/measures/\d+/chart\.svg\?v=[^"]+)"', html)][:2]


def after_an_initiative_edit() -> None:
    """A real edit of one initiative's charter, as a QI lead saving the edit page would make."""
    from projects.models import Initiative

    initiative = Initiative.objects.order_by("pk").first()
    initiative.aim = f"{initiative.aim.rstrip('.')}."
    initiative.save(update_fields=["aim", "updated_at"])


def after_every_app_changes() -> None:
    """The worst case: one row of every app changes at once (an initiative, an audit, a measure, a report)."""
    from excellence.models import ExcellenceReport
    from ffit.models import Audit
    from runcharts.models import Measure

    after_an_initiative_edit()
    for model in (Audit, Measure, ExcellenceReport):
        row = model.objects.order_by("pk").first()
        row.save()


def query_counts(admin, pages, before=None) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(admin)
    counts = {}
    for name, (path, extra) in pages.items():
        if before is not None:
            before()
        else:  # a repeat visit: served once already
            for each in [path, *extra]:
                client.get(each)
        with CaptureQueriesContext(connection) as context:
            for each in [path, *extra]:
                response = client.get(each)
                assert response.status_code == 200, (each, response.status_code)
        counts[name] = len(context.captured_queries)
    return counts


def top_costs(admin, pages, before, limit: int = 6) -> dict[str, list[str]]:
    """Each page served in-process under cProfile after a change: its costliest functions, as printable lines.

    Two views: the app's own functions by cumulative time (which of our code the time is spent under), and every
    function by its own time (where the interpreter actually is: template nodes, the ORM, the database driver).
    """
    import cProfile
    import pstats

    from django.test import Client

    client = Client()
    client.force_login(admin)
    costs = {}
    own = ("qiportal/", "projects/", "ffit/", "runcharts/", "excellence/", "hub/")
    for name, (path, extra) in pages.items():
        before()
        profile = cProfile.Profile()
        profile.enable()
        for each in [path, *extra]:
            client.get(each)
        profile.disable()
        stats = pstats.Stats(profile).stats
        rows = [(key, value) for key, value in stats.items()]
        total = sum(value[2] for _, value in rows) or 1

        def label(key):
            filename, line, function = key
            # Paths relative to the repository, site-packages or the standard library: no machine's paths in results.
            short = filename.split("site-packages/")[-1].replace(str(REPO) + "/", "").replace(STDLIB + "/", "stdlib/")
            return f"{short}:{line}({function})"

        mine = sorted(
            (
                r
                for r in rows
                # The app's own functions; its middleware wraps every view, so it would only head each list.
                if str(REPO) in r[0][0] and any(f"/{p}" in r[0][0] for p in own) and "middleware" not in r[0][0]
            ),
            key=lambda r: r[1][3],
            reverse=True,
        )[:limit]
        anywhere = sorted(rows, key=lambda r: r[1][2], reverse=True)[:limit]
        lines = [f"{name}:"]
        lines += [f"  cumulative {value[3] * 1000:7.1f} ms  {label(key)}" for key, value in mine]
        lines += [
            f"  own time   {value[2] * 1000:7.1f} ms  {label(key)} ({100 * value[2] / total:.0f}%)"
            for key, value in anywhere
        ]
        costs[name] = lines
    return costs


def time_scan() -> str:
    """The ward scan in-process, first run (opening every flag) and second. The emails it queues after commit are
    counted, not sent: in production a worker sends them (here Celery is eager and would send them in the timing)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects import jobs
    from qiportal import notifications
    from qiportal.warmup import load_pages

    # A worker loads the pages' code as it starts (qiportal/celery.py), before its first job: this process is
    # no worker, so it loads it here, timed apart from the scan.
    start = time.perf_counter()
    load_pages()
    loading = time.perf_counter() - start
    queued = []
    real_enqueue = notifications.enqueue
    notifications.enqueue = lambda task, *args: queued.append(args)
    try:
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as first_queries:
            result = jobs.scan_wards()
        first = time.perf_counter() - start
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as second_queries:
            jobs.scan_wards()
        second = time.perf_counter() - start
    finally:
        notifications.enqueue = real_enqueue
    opened = result.count("flags_opened")
    return (
        f"Initiativitis scan over the trust (in-process): first run {first:.2f} s, {len(first_queries)} queries"
        f" ({opened} flags opened, {len(queued)} emails queued for the worker), second run {second:.2f} s,"
        f" {len(second_queries)} queries (nothing new to do). Loading the pages' code before it, as a worker does"
        f" when it starts: {loading:.2f} s."
    )


def tidy(connection) -> str:
    """VACUUM ANALYZE (PostgreSQL) or ANALYZE (SQLite), as autovacuum would have by now; PostgreSQL's autovacuum
    setting ("on" by default; some test machines turn it off, and then nothing tidies up during the run)."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
            return "not PostgreSQL"
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0]


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="qiportal-bench-"))
    env = environment(tmp)
    os.environ.update(env)
    server = None
    try:
        started = time.perf_counter()
        if os.environ.get("BENCH_DATABASE_URL"):
            manage(env, "flush", "--noinput")
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        print(manage(env, "seed_scale", "--scale", SCALE, "--password", PASSWORD).strip().splitlines()[-1])
        print(f"Database ready in {time.perf_counter() - started:.0f} s.")

        import django

        django.setup()
        from django.db import connection

        # Planner statistics for the freshly seeded tables, as autovacuum (PostgreSQL) or `PRAGMA optimize`
        # would have gathered by the time people use a real trust's data; without them PostgreSQL guesses
        # a handful of rows per table and picks plans meant for empty tables.
        # VACUUM as well on PostgreSQL: autovacuum would have set the visibility map after the bulk inserts too,
        # which lets the planner answer counts from an index alone.
        autovacuum = tidy(connection)
        # The daily scan runs first: the pages are measured as people see them on any morning, with the trust's
        # overload flags open and stalled initiatives marked (the review queue and the header count them).
        scan = time_scan()
        # The scan rewrites every row it marks (thousands of initiatives on overloaded wards); a real morning's
        # autovacuum clears the old versions within a minute or so of the 06:00 scan, long before people look.
        tidy(connection)
        admin, pages = pages_to_measure()

        server, base = serve(env, "--workers", WORKERS)
        browser = Browser(base)
        browser.sign_in(admin.username, PASSWORD)
        initiative_page = pages["Initiative with two charts"][0]
        pages["Initiative with two charts"] = (initiative_page, chart_images(browser, initiative_page))
        if len(pages["Initiative with two charts"][1]) != 2:
            raise SystemExit(f"{initiative_page} should show two run charts")
        for path, extra in pages.values():  # warm: each worker's first request, and the chart cache
            timed(browser, [path, *extra], 3)

        # The headline is the first view after a change: nothing is cached per page, so it is what people see.
        scenarios = [(after_an_initiative_edit, "edit"), (after_every_app_changes, "worst"), (None, "repeat")]
        times = {name: {} for name in pages}
        for before, label in scenarios:
            # Round by round, one request to every page (the floors included) per round: a slow spell of the
            # machine falls on every page alike instead of on whichever page was being timed, so the ratios
            # compare pages measured over the same minutes.
            timings = {name: [] for name in pages}
            for _ in range(REQUESTS):
                for name, (path, extra) in pages.items():
                    timings[name] += timed(browser, [path, *extra], 1, before=before)
            for name, values in timings.items():
                times[name][label] = (statistics.median(values), p95(values))
        counts = {label: query_counts(admin, pages, before) for before, label in scenarios}
        floor, floor_p95 = times["Floor (trivial template)"]["repeat"]
        layout = times["Layout floor (empty page in the app's layout)"]["repeat"][0]
        print()
        print(
            f"Pages over the scale trust (scale {SCALE}), {REQUESTS} rounds of one request to each page in turn,"
            f" warm chart cache, gunicorn with {WORKERS} workers, {env['DATABASE_URL'].split(':')[0]} database,"
            f" {env['CACHE_URL'].split(':')[0]} cache. Median (p95) in ms, the ratios of the median to the floor's"
        )
        print("median and of the p95 to the floor's p95, and queries per view. Headline: 'After an initiative edit'")
        print("(a charter saved before each request: the first view after a change, what people see all day).")
        print("'After every app changes': an initiative, an audit, a measure and a report saved before each request.")
        print("'Repeat visit': nothing changed (no page is cached, so it should match the first view).")
        print("'× layout' compares the headline with the layout floor: what the page itself adds to any page's cost.")
        print(
            f"The database was vacuumed and analysed after the bulk load and after the scan (autovacuum: {autovacuum};"
            " with it on, PostgreSQL does this itself)."
        )
        print()
        print(
            "| Page | After an initiative edit | × floor | × floor p95 | × layout | Queries "
            "| After every app changes | × floor | × floor p95 | Queries | Repeat visit | × floor | Queries |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name in pages:
            per = 3 if name == "Initiative with two charts" else 1  # three requests: compare with three floors
            cells = []
            for _, label in scenarios:
                median, high = times[name][label]
                ratio = f"{median / (per * floor):.1f}"
                if label == "repeat":
                    cells.append(f"{median:.1f} ({high:.1f}) | {ratio} | {counts[label][name]}")
                elif label == "edit":
                    cells.append(
                        f"{median:.1f} ({high:.1f}) | {ratio} | {high / (per * floor_p95):.1f}"
                        f" | {median / (per * layout):.1f} | {counts[label][name]}"
                    )
                else:
                    cells.append(
                        f"{median:.1f} ({high:.1f}) | {ratio} | {high / (per * floor_p95):.1f} | {counts[label][name]}"
                    )
            print(f"| {name} | " + " | ".join(cells) + " |")
        print()
        print(
            "The initiative page's figures include fetching the two chart images it embeds (three requests), so its"
            f" ratios are per request: against three floor requests ({3 * floor:.1f} ms median,"
            f" {3 * floor_p95:.1f} ms p95)."
        )
        print()
        print("Top costs per page, in-process under cProfile after an initiative edit (profiling slows each call):")
        print("```")
        for lines in top_costs(admin, pages, after_an_initiative_edit).values():
            print("\n".join(lines))
        print("```")
        print(scan)
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
