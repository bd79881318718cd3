"""A real Celery worker against Redis and the test database: the scan and a reminder, end to end.

Skips locally without a broker or PostgreSQL, and fails instead in CI (QI_REQUIRE_SERVICES=true).
"""

import os
import subprocess
import sys
import time
from datetime import timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import timezone

from projects.models import OverloadFlag
from qiportal.models import Notification, NotificationKind
from tests.conftest import skip_or_fail
from tests.factories import InitiativeFactory

TIMEOUT = 60
BASE_DIR = Path(__file__).resolve().parents[2]


def broker_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url:
        skip_or_fail("CELERY_BROKER_URL is not set: no broker for a real worker")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as error:  # noqa: BLE001 - any failure means no broker
        skip_or_fail(f"The broker at CELERY_BROKER_URL does not answer: {error}")
    return url


def test_database_url() -> str:
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        skip_or_fail("The real worker test needs PostgreSQL: an SQLite test database lives in memory")
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def reset_pool(app) -> None:
    """Forget the app's connection pool so the next publish connects to the broker now configured.

    Pools are shared per broker URL (kombu.pools), so the old one is left open for whoever else uses it.
    """
    app._pool = None


@pytest.fixture
def real_broker():
    """Point this process's Celery app at the real broker for the test, then put it back."""
    from qiportal.celery import app

    url = broker_url()
    saved = (app.conf.task_always_eager, app.conf.broker_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    reset_pool(app)
    app.control.purge()
    try:
        yield app, url
    finally:
        app.control.purge()
        app.conf.task_always_eager, app.conf.broker_url = saved
        reset_pool(app)


def start_worker(broker: str, database: str, mail_dir: Path) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if key not in ("EMAIL_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="qiportal.settings",
        SECRET_KEY="real-worker-test-key",
        ALLOWED_HOSTS="localhost",
        DEBUG="false",
        READ_DOTENV="false",
        DATABASE_URL=database,
        CELERY_BROKER_URL=broker,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        CONN_MAX_AGE="0",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "qiportal", "worker", "--pool=solo", "--concurrency=1", "-Q", "celery"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_emails(mail_dir: Path) -> list[EmailMessage]:
    """The file backend appends each message to a .log file, separated by a line of 79 dashes."""
    found = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text().split("-" * 79 + "\n"):
            if chunk.strip():
                found.append(message_from_string(chunk, policy=policy.default))
    return found


def wait_for(check, timeout=TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_flags_an_overloaded_ward_and_sends_reminders(real_broker, ward, ward_manager, sponsor, tmp_path):
    _app, url = real_broker
    database = test_database_url()
    for _ in range(4):
        InitiativeFactory(wards=[ward], directorate=ward.directorate, sponsor=sponsor)
    overdue = InitiativeFactory(
        wards=[ward],
        directorate=ward.directorate,
        sponsor=sponsor,
        next_review_on=timezone.localdate() - timedelta(days=3),
        title="Overdue review of falls huddles",
    )
    # Enqueue through the normal code path (after commit) before the worker starts: the broker holds them.
    from django.db import transaction

    from projects.tasks import remind_reviews_due, scan_wards

    with transaction.atomic():
        scan_wards.delay_on_commit()
        remind_reviews_due.delay_on_commit()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = start_worker(url, database, mail_dir)
    try:
        assert wait_for(lambda: OverloadFlag.objects.open().filter(ward=ward).exists()), "no flag opened"
        overload = Notification.objects.filter(kind=NotificationKind.OVERLOAD)
        assert wait_for(
            lambda: (
                overload.filter(recipient=ward_manager, status=Notification.Status.SENT).exists()
                and Notification.objects.filter(
                    kind=NotificationKind.REVIEW_DUE, subject_id=overdue.pk, status=Notification.Status.SENT
                ).exists()
            )
        ), "notifications not sent"

        def subjects() -> list[tuple[str, str]]:
            return [(message["To"], str(message["Subject"]).strip()) for message in read_emails(mail_dir)]

        assert wait_for(lambda: (ward_manager.email, "Oak Ward is over its initiative threshold") in subjects())
        assert wait_for(lambda: (sponsor.email, "Review overdue: ‘Overdue review of falls huddles’") in subjects()), (
            subjects()
        )
        assert overload.filter(recipient=ward_manager).count() == 1
    finally:
        worker.terminate()
        try:
            output, _ = worker.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        if os.environ.get("QI_SHOW_WORKER_LOG"):
            print(output)
