"""The embedded default (SQLite) takes several writers at once: people saving together all get their normal answer.

Runs the app as `make run` would serve it with real threads and processes (gunicorn, 2 workers × 4 threads) on its
own SQLite file, then has eight people save their notification preferences at the same moment. Before WAL and
BEGIN IMMEDIATE, a read-then-write transaction that lost the race failed at once with "database is locked" (a 500).
"""

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bench.bench_pages import Browser, serve
from qiportal.models import Channel, NotificationKind

REPO = Path(__file__).resolve().parents[2]
PEOPLE = 8
PASSWORD = "concurrent-writers-test"  # a throwaway database on loopback


def _environment(tmp_path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_URL", "CACHE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="qiportal.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        SECRET_KEY="test-only-not-a-secret",
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        CELERY_BROKER_URL="",
        EMAIL_URL="consolemail://",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    return env


def _manage(env, *args) -> None:
    subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=REPO, check=True, capture_output=True)


@pytest.fixture
def served(tmp_path):
    env = _environment(tmp_path)
    _manage(env, "migrate", "--noinput")
    make_people = (
        "from qiportal.models import User\n"
        f"for n in range({PEOPLE}):\n"
        f"    User.objects.create_user(f'writer{{n}}', f'writer{{n}}@example.nhs.uk', '{PASSWORD}')\n"
    )
    _manage(env, "shell", "-c", make_people)
    server, base = serve(env, "--workers", "2", "--threads", "4")
    yield base
    server.terminate()
    server.wait(timeout=10)


def _sign_in(base: str, username: str) -> Browser:
    browser = Browser(base)
    _, page = browser.get("/accounts/login/")
    status, landed = browser.post(
        "/accounts/login/", {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": browser.csrf_from(page)}
    )
    assert (status, landed) == (200, "/"), f"{username} could not sign in: {status} at {landed}"
    return browser


def test_eight_people_saving_at_the_same_moment_all_get_their_normal_answer(served):
    browsers = [_sign_in(served, f"writer{n}") for n in range(PEOPLE)]
    forms = []
    for number, browser in enumerate(browsers):
        _, page = browser.get("/notifications/preferences/")
        choice = Channel.IN_APP if number % 2 else Channel.DIGEST
        data = {kind: Channel.EMAIL if kind == NotificationKind.DIGEST else choice for kind in NotificationKind.values}
        forms.append({**data, "csrfmiddlewaretoken": browser.csrf_from(page)})
    start = threading.Barrier(PEOPLE)
    answers: list = [None] * PEOPLE

    def save(number: int) -> None:
        start.wait(timeout=30)
        answers[number] = browsers[number].post("/notifications/preferences/", forms[number])

    threads = [threading.Thread(target=save, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # Each saw the confirmation page they were redirected to, none an error page.
    assert answers == [(200, "/notifications/preferences/")] * PEOPLE
    for number, browser in enumerate(browsers):
        _, page = browser.get("/notifications/preferences/")
        expected = Channel.IN_APP if number % 2 else Channel.DIGEST
        saved = re.findall(rb'name="(\w+)" type="radio" value="(\w+)" checked', page)
        assert (NotificationKind.PDSA_OVERDUE.encode(), expected.encode()) in saved
