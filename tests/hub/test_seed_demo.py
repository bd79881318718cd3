"""The demo trust on first start: a history with real past dates, so the product's own rules find a stalled
initiative, an overdue review, an overdue PDSA cycle and an open overload flag, and the pages show them; running
the seed again keeps one copy of everything, and what people changed.

The trust is seeded once for the module (it takes a while) and every test runs in a transaction rolled back
after it, so a test may change the demo without touching the next one.
"""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from excellence.selectors import reports_received
from hub.selectors import home_context
from projects import selectors as project_selectors
from projects.models import Decision, Initiative, OverloadFlag, PdsaCycle, Status
from qiportal.models import User

PASSWORD = "demo-pass-123"


@pytest.fixture(scope="module")
def demo_trust(django_db_setup, django_db_blocker):
    out = StringIO()
    with django_db_blocker.unblock():
        call_command("seed_demo", password=PASSWORD, stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo(demo_trust, db):
    return {user.username: user for user in User.objects.all()}


def start_of_today():
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def between(html: str, start: str, end: str) -> str:
    """The part of a page from one heading to the next."""
    begins = html.index(start)
    return html[begins : html.index(end, begins)]


def section(html: str, heading_id: str) -> str:
    """One group of the review queue: from its heading to the next heading."""
    start = html.index(f'id="{heading_id}"')
    end = html.find("<h2", start)
    return html[start : end if end != -1 else None]


def test_the_product_rules_find_stalled_initiatives_an_overdue_review_an_overdue_cycle_and_a_flag(demo):
    today = timezone.localdate()
    sponsor = home_context(demo["sponsor"])
    assert sponsor["stalled_sponsored"], "no stalled initiative on the sponsor's home"
    quiet_since = start_of_today() - timedelta(weeks=settings.QI["STALLED_WEEKS"])
    for initiative in sponsor["stalled_sponsored"]:  # stalled by the rule, not by a flag the seed set
        assert initiative.last_activity_at < quiet_since
        assert initiative.stalled_since <= today
    assert project_selectors.review_counts(demo["sponsor"])["overdue"] >= 1
    assert any(i.is_review_overdue for i in sponsor["queue"])
    assert [flag.ward.name for flag in sponsor["my_flags"]] == ["Oak Ward"]
    assert OverloadFlag.objects.open().filter(decision="").exists()

    overdue_cycles = PdsaCycle.objects.filter(PdsaCycle.overdue(today), initiative__status=Status.LIVE)
    assert overdue_cycles.exists()
    lead = home_context(demo["qilead"])
    assert any(kind == "pdsa" for _, needs in lead["lead_rows"] for kind, _, _ in needs)


def test_the_sponsor_home_shows_them(demo, client):
    client.force_login(demo["sponsor"])
    html = client.get(reverse("home")).content.decode()
    queue = between(html, "Your review queue", "Overload flags on your wards")
    overdue = [item for item in queue.split("<li>") if "Review overdue" in item]
    assert any("Protected mealtimes" in item for item in overdue)
    flags = between(html, "Overload flags on your wards", "Stalled initiatives you sponsor")
    assert "Oak Ward" in flags and "No decision yet" in flags
    stalled = between(html, "Stalled initiatives you sponsor", "See the portfolio dashboard")
    assert "Discharge lounge use" in stalled and "Reducing agency spend" in stalled
    assert "no activity since" in stalled


def test_the_review_queue_shows_the_overdue_review_and_the_stalled_initiatives(demo, client):
    client.force_login(demo["sponsor"])
    html = client.get(reverse("projects:review_queue")).content.decode()
    assert "Protected mealtimes" in section(html, "overdue")
    flagged = section(html, "flagged")
    assert "Discharge lounge use" in flagged and "Reducing agency spend" in flagged
    assert "Stalled: candidate to halt" in flagged


def test_the_lead_home_shows_the_overdue_cycle(demo, client):
    client.force_login(demo["qilead"])
    html = client.get(reverse("home")).content.decode()
    card = html[html.index("Postural blood pressure") :]
    assert "1 PDSA cycle past planned end" in card[: card.index("nhsuk-card__heading", 1)]


def test_the_history_has_real_past_dates(demo, client):
    now = timezone.now()
    initiative = Initiative.objects.get(title="Postural blood pressure")
    changes = [entry for entry in project_selectors.charter_history(initiative) if not entry.get("created")]
    assert [field["field"] for entry in changes for field in entry["fields"]] == ["Aim statement"]
    (change,) = changes
    assert initiative.created_at < change["at"] < start_of_today()
    assert change["by"] == demo["qilead"]
    # Drafted, submitted, approved, reviewed: in that order, all before today.
    decisions = list(initiative.decisions.order_by("made_at"))
    assert [d.kind for d in decisions[:2]] == [Decision.Kind.SUBMIT, Decision.Kind.APPROVE]
    assert initiative.created_at < initiative.submitted_at < decisions[1].made_at < start_of_today()
    assert initiative.approved_on == timezone.localdate(decisions[1].made_at)
    assert all(d.made_at < now for d in decisions)
    assert {d.kind for d in decisions[2:]} == {Decision.Kind.REVIEW_DONE}
    for cycle in initiative.pdsa_cycles.all():
        assert initiative.created_at < cycle.created_at < start_of_today()
        assert cycle.studied_at is None or cycle.created_at < cycle.studied_at < now
    client.force_login(demo["qilead"])
    page = client.get(initiative.get_absolute_url()).content.decode()
    assert f"{change['at']:%-d %B %Y}" in page or f"{change['at']:%-d %b %Y}" in page


def test_measure_data_is_dated_as_entered_after_each_period(demo):
    initiative = Initiative.objects.get(title="Postural blood pressure")
    points = [point for measure in initiative.measures.all() for point in measure.points.all()]
    assert points
    for point in points:
        assert timezone.localdate(point.entered_at) > point.week_start
        assert point.entered_at < timezone.now()
    # Entering data is work: the initiative's last sign of work is its latest entry, so it is not stalled.
    assert initiative.last_activity_at == max(point.entered_at for point in points)
    assert not initiative.is_stalled


def test_a_staff_member_receives_excellence(demo, client):
    hca = demo["hca"]
    assert reports_received(hca).exists()
    signed_in = client.post(reverse("login"), {"username": "hca", "password": PASSWORD})
    assert signed_in.status_code == 302
    html = client.get(reverse("home")).content.decode()
    count = reports_received(hca).count()
    assert f"Colleagues have reported your excellence {count} time" in html
    assert reports_received(hca).first().get_absolute_url() in html


DEMO_MODELS = [
    "qiportal.User",
    "qiportal.Ward",
    "qiportal.RoleAssignment",
    "projects.Initiative",
    "projects.HistoricalInitiative",
    "projects.Decision",
    "projects.ChangeIdea",
    "projects.PdsaCycle",
    "projects.HistoricalPdsaCycle",
    "projects.ProgressScore",
    "projects.OverloadFlag",
    "runcharts.Measure",
    "runcharts.DataPoint",
    "runcharts.HistoricalDataPoint",
    "ffit.Audit",
    "excellence.ExcellenceReport",
    "qiportal.Notification",
]


def test_the_seed_says_what_it_made(demo_trust, db):
    assert "Initiative log: 18 demo initiatives (18 created, 0 kept as they were)." in demo_trust
    # Some measures are monthly and some per event: not all "weekly data".
    assert "Run charts: 14 demo measures with weekly, monthly and per-event data." in demo_trust
    assert "wards with an open overload flag: Oak Ward." in demo_trust
    assert "Demo logins: qilead, sponsor, wardmanager, staff, coach, admin, hca" in demo_trust


def test_seeding_again_keeps_one_copy_of_everything_and_what_people_changed(demo):
    counts = {name: apps.get_model(name).objects.count() for name in DEMO_MODELS}
    dates = list(
        Initiative.objects.values_list("pk", "created_at", "last_activity_at", "next_review_on").order_by("pk")
    )
    Initiative.objects.filter(title="Wellbeing huddles").update(aim="Huddles on every shift by March.")

    out = StringIO()
    call_command("seed_demo", password=PASSWORD, stdout=out)

    assert "(0 created, 18 kept as they were)" in out.getvalue()
    assert {name: apps.get_model(name).objects.count() for name in DEMO_MODELS} == counts
    after = Initiative.objects.values_list("pk", "created_at", "last_activity_at", "next_review_on").order_by("pk")
    assert list(after) == dates
    assert Initiative.objects.get(title="Wellbeing huddles").aim == "Huddles on every shift by March."
    assert OverloadFlag.objects.open().count() == 1
