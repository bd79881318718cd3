"""Playwright in Debian's chromium against Django's live server, with axe-core checks.

`playwright install` cannot download browsers here, so the tests drive /usr/bin/chromium (or
$PLAYWRIGHT_CHROMIUM_EXECUTABLE). Without it they skip locally and fail in CI (QI_REQUIRE_SERVICES).
"""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import expect

from tests.conftest import skip_or_fail

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = "browser-demo-pass"
_axe = Axe()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        skip_or_fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


class _OneRequestAtATime(WSGIServer):
    """The live server without threads. On SQLite the test database lives in memory and every request thread
    shares its one connection, so two requests at once (a page and its chart images) could interleave their
    transactions and lose a write ("Forced update did not affect any rows" on a session). PostgreSQL keeps the
    threaded server: each thread has its own connection."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


# Playwright's sync API runs the code after it starts in a context of its own, and Django keeps its connections per
# context: a connection opened on one side of that switch stayed open, unseen from the other, to the end of the run,
# and PostgreSQL refused to drop the test database ("being accessed by other users"). Each side's connection is
# closed before the switch: before Playwright starts, and before it stops. Django opens a new one when next asked.


@pytest.fixture(scope="session", autouse=True)
def _close_connections_before_playwright_starts():
    from django.db import connections

    connections.close_all()


@pytest.fixture(scope="session", autouse=True)
def _close_connections_before_playwright_stops(_close_connections_before_playwright_starts, playwright):
    from django.db import connections

    yield
    connections.close_all()


@pytest.fixture(scope="session", autouse=True)
def _serial_live_server_on_sqlite():
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        LiveServerThread.server_class = _OneRequestAtATime


@pytest.fixture
def demo(transactional_db):
    """The demo trust, as `make run` builds it."""
    call_command("seed_demo", password=DEMO_PASSWORD)


@pytest.fixture
def sign_in(page, live_server):
    def _sign_in(username: str, password: str = DEMO_PASSWORD):
        page.context.clear_cookies()
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        # Wait for the page the form leads to (home, or the form again with its error), not the one we are on.
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        expect(page.locator("h1")).to_be_visible()
        return page

    return _sign_in


def fill_date(page, legend: str, day: int | str, month: int | str, year: int | str) -> None:
    """Type a date into the NHS.UK date input whose legend is `legend` (its day, month and year boxes)."""
    group = page.get_by_role("group", name=legend)
    for box, value in (("Day", day), ("Month", month), ("Year", year)):
        group.get_by_label(box, exact=True).fill(str(value))


def tab_to(page, locator, *, limit: int = 80) -> None:
    """Move the focus to `locator` with the Tab key only, as a keyboard user does."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def assert_accessible(page) -> None:
    """No axe-core violations on the page as it stands."""
    results = _axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def assert_no_sideways_scroll(page) -> None:
    """At 320 px wide the page reflows rather than scrolling sideways."""
    page.set_viewport_size({"width": 320, "height": 800})
    # Reflow after a resize is not synchronous under load (the header script re-lays out its menu on
    # resize), so give the page up to 3 s to settle; an overflow that persists still fails. A Python loop
    # over page.evaluate, because wait_for_function needs eval, which the CSP rightly forbids.
    for _ in range(30):
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow <= 0:
            break
        page.wait_for_timeout(100)
    assert overflow <= 0, f"page scrolls sideways by {overflow}px at 320px wide: {page.url}"
