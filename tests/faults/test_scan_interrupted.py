"""A worker dies part way through the ward scan: the next run finishes the work, with nothing twice.

The death is simulated by making a send_reminders() call of the run raise (the scan tells everyone about its new
flags in one call, one message per person, then the stalled sponsors in another), as a killed worker or a lost
database connection would stop it there.
"""

import pytest
import time_machine

from projects import jobs
from projects.models import OverloadFlag
from qiportal import notifications
from qiportal.models import Notification, NotificationKind
from tests.factories import InitiativeFactory, WardFactory

pytestmark = pytest.mark.django_db


class WorkerKilled(Exception):
    pass


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-11-25 09:00 +00:00", tick=False):
        yield


@pytest.fixture
def crowded_wards(directorate, sponsor, ward_manager, qi_lead):
    wards = [WardFactory(directorate=directorate, overload_threshold=1) for _ in range(3)]
    for ward in wards:
        for _ in range(3):
            InitiativeFactory(directorate=directorate, sponsor=sponsor, wards=[ward])
    return wards


def dying_on_call(monkeypatch, number: int, name: str = "send_reminders"):
    real = getattr(notifications, name)
    calls = {"n": 0}

    def notify(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            raise WorkerKilled
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs.notifications, name, notify)
    return real


def test_the_next_scan_finishes_what_a_killed_one_started(
    monkeypatch, crowded_wards, sponsor, qi_lead, django_capture_on_commit_callbacks
):
    real = dying_on_call(monkeypatch, 1)
    with pytest.raises(WorkerKilled):
        jobs.scan_wards()
    assert not OverloadFlag.objects.exists(), "flags and their notifications commit together"
    monkeypatch.setattr(jobs.notifications, "send_reminders", real)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.scan_wards()
        jobs.scan_wards()

    # One open flag per crowded ward, and everyone concerned told once about each, in one message each.
    assert sorted(OverloadFlag.objects.open().values_list("ward_id", flat=True)) == sorted(w.pk for w in crowded_wards)
    overload = list(Notification.objects.filter(kind=NotificationKind.OVERLOAD))
    for flag in OverloadFlag.objects.all():
        told = [n.recipient_id for n in overload for pk in _told_about(n) if pk == flag.pk]
        assert sorted(told) == sorted({sponsor.pk, qi_lead.pk, *_managers(flag.ward)}), f"flag for {flag.ward}"
    assert len({n.recipient_id for n in overload}) == len(overload), "one message per person"
    assert sorted(_told_about(next(n for n in overload if n.recipient_id == sponsor.pk))) == sorted(
        OverloadFlag.objects.values_list("pk", flat=True)
    )


def _told_about(notification) -> list[int]:
    """The subjects one message tells about: its own, or each of the things it lists."""
    if notification.items:
        return [int(item["subject"].split(":")[1]) for item in notification.items]
    return [notification.subject_id]


def _managers(ward):
    return list(ward.role_assignments.values_list("user_id", flat=True))


def test_a_scan_killed_while_telling_sponsors_about_stalled_work_is_finished_next_time(
    monkeypatch, directorate, ward, sponsor, settings
):
    from datetime import timedelta

    from django.utils import timezone

    from projects.models import Initiative

    stalled = [InitiativeFactory(directorate=directorate, sponsor=sponsor, wards=[ward]) for _ in range(3)]
    long_ago = timezone.now() - timedelta(weeks=settings.QI["STALLED_WEEKS"] + 2)
    Initiative.objects.filter(pk__in=[i.pk for i in stalled]).update(created_at=long_ago, last_activity_at=long_ago)
    real = dying_on_call(monkeypatch, 1)  # no ward is crowded: the first message is the stalled one
    with pytest.raises(WorkerKilled):
        jobs.scan_wards()
    assert Initiative.objects.filter(is_stalled=True).count() == 0, "marked and told together"
    monkeypatch.setattr(jobs.notifications, "send_reminders", real)
    jobs.scan_wards()
    jobs.scan_wards()
    assert Initiative.objects.filter(is_stalled=True).count() == 3
    [told] = Notification.objects.filter(kind=NotificationKind.STALLED, recipient=sponsor)  # one message for three
    assert sorted(_told_about(told)) == sorted(i.pk for i in stalled)
    assert told.title == "Stalled initiatives: 3 new"
