"""The cache is optional: with its Redis killed, pages render and a committed write returns its normal response.

The test starts its own Redis on a free port (never the machine's shared one), points the cache at it, walks the
key pages and makes a decision, kills the Redis, and does it all again.
"""

import logging
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from projects.models import Decision, Status
from tests.conftest import skip_or_fail
from tests.factories import DataPointFactory, InitiativeFactory, MeasureFactory

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        skip_or_fail("redis-server is not installed: no Redis to use as the cache")
    port = _free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmp_path],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield server, f"redis://127.0.0.1:{port}/0"
    server.kill()
    server.wait(timeout=10)


@pytest.fixture
def redis_cache(settings, own_redis):
    """The production cache set-up (qiportal/settings.py with CACHE_URL=redis://...) on the test's own Redis."""
    server, url = own_redis
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "qiportal-test",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
        }
    }
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    return server


def _walk(client, initiative, measure, ward) -> dict[str, int]:
    pages = {
        "home": reverse("home"),
        "portfolio": reverse("projects:portfolio"),
        "initiative": reverse("initiative_detail", args=[initiative.pk]),
        "chart": reverse("runcharts:chart", args=[measure.pk, "svg"]),
        "reviews": reverse("projects:review_queue"),
        "ward": reverse("ward_detail", args=[ward.slug]),
        "dashboard": reverse("dashboard"),
        "excellence": reverse("excellence:report_list"),
        "measure": reverse("runcharts:measure_detail", args=[measure.pk]),
    }
    return {name: client.get(url).status_code for name, url in pages.items()}


def test_pages_and_a_decision_work_with_the_cache_up_and_after_it_dies(client, redis_cache, sponsor, ward, caplog):
    live = InitiativeFactory(sponsor=sponsor, wards=[ward], status=Status.LIVE)
    measure = MeasureFactory(initiative=live, ward=ward)
    DataPointFactory.create_batch(12, measure=measure)  # enough for a chart with its signal cached
    first, second = (InitiativeFactory(sponsor=sponsor, wards=[ward], status=Status.SUBMITTED) for _ in range(2))
    client.force_login(sponsor)

    assert set(_walk(client, live, measure, ward).values()) == {200}
    cache.set("probe", 1)
    assert cache.get("probe") == 1  # the cache really is this Redis
    approve = client.post(reverse("projects:approve", args=[first.pk]), {"reason": "Ready"})
    assert approve.status_code == 302

    redis_cache.kill()
    redis_cache.wait(timeout=10)
    with caplog.at_level(logging.ERROR):
        assert set(_walk(client, live, measure, ward).values()) == {200}
        approve = client.post(reverse("projects:approve", args=[second.pk]), {"reason": "Ready"})
    assert approve.status_code == 302, "a committed write must not turn into an error page"
    second.refresh_from_db()
    assert second.status == Status.LIVE
    assert Decision.objects.filter(initiative=second, kind=Decision.Kind.APPROVE).count() == 1
    assert cache.get("probe") is None  # a dead cache reads as a miss
    assert any("ignored" in record.getMessage().lower() for record in caplog.records), "the outage is logged"
