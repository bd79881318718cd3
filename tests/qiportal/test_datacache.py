"""Cached counts and page fragments: never older than the last committed change, never another person's."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects import jobs
from projects.models import Initiative, Status
from qiportal import datacache
from tests.factories import InitiativeFactory, PdsaCycleFactory, WardFactory
from tests.queries import cold_queries

pytestmark = pytest.mark.django_db


def _page(client, name="projects:portfolio", **params) -> str:
    response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_visit_is_served_from_the_cache_with_fewer_queries(client, sponsor, ward):
    InitiativeFactory.create_batch(3, wards=[ward], status=Status.LIVE)
    client.force_login(sponsor)
    with cold_queries() as cold:
        first = _page(client)
    with CaptureQueriesContext(connection) as warm:
        second = _page(client)
    main = re.compile(r"<main.*</main>", re.S)
    assert main.search(second).group() == main.search(first).group()
    assert len(warm) < len(cold)


def test_a_saved_change_shows_at_once(client, sponsor, ward):
    client.force_login(sponsor)
    assert "Night-time noise" not in _page(client)
    initiative = InitiativeFactory(title="Night-time noise", wards=[ward], status=Status.LIVE)
    assert "Night-time noise" in _page(client)
    initiative.title = "Quieter nights"
    initiative.save()
    page = _page(client)
    assert "Quieter nights" in page and "Night-time noise" not in page
    initiative.delete()
    assert "Quieter nights" not in _page(client)


def test_a_change_to_a_ward_name_shows_on_cached_pages(client, sponsor, ward):
    InitiativeFactory(title="Falls", wards=[ward], status=Status.LIVE)
    client.force_login(sponsor)
    assert ward.name in _page(client)
    ward.name = "Renamed ward"
    ward.save()
    assert "Renamed ward" in _page(client)


def test_bulk_updates_in_the_scan_refresh_the_review_queue(client, sponsor, ward):
    """The scan marks initiatives stalled with queryset.update(), which sends no signal: it bumps itself."""
    long_ago = timezone.now() - timedelta(weeks=20)
    initiative = InitiativeFactory(title="Quiet project", sponsor=sponsor, wards=[ward], status=Status.LIVE)
    Initiative.objects.filter(pk=initiative.pk).update(created_at=long_ago, updated_at=long_ago)
    datacache.bump("projects")  # the test's own bulk update, like the scan's
    client.force_login(sponsor)
    assert "Quiet project" not in _page(client, "projects:review_queue")
    jobs.scan_wards(notify_people=False)
    assert Initiative.objects.get(pk=initiative.pk).is_stalled
    assert "Quiet project" in _page(client, "projects:review_queue")


def test_cached_pages_are_never_shared_between_people(client, qi_lead, staff, ward):
    InitiativeFactory(title="Secret draft", lead=qi_lead, created_by=qi_lead, wards=[ward], status=Status.DRAFT)
    client.force_login(qi_lead)
    assert "Secret draft" in _page(client)
    client.force_login(staff)
    assert "Secret draft" not in _page(client)


def test_the_navigation_count_follows_new_work(client, sponsor, ward):
    client.force_login(sponsor)
    InitiativeFactory(sponsor=sponsor, wards=[ward], status=Status.SUBMITTED)
    assert '<span class="app-nav-count">1<span class="nhsuk-u-visually-hidden"> to review' in _page(client, "home")
    InitiativeFactory(sponsor=sponsor, wards=[ward], status=Status.SUBMITTED)
    assert '<span class="app-nav-count">2<span class="nhsuk-u-visually-hidden"> to review' in _page(client, "home")


def test_tomorrow_is_a_new_key_though_nothing_changed(monkeypatch):
    today = timezone.localdate()
    key_today = datacache.key_for("example", ("projects",), 1)
    assert datacache.key_for("example", ("projects",), 1) == key_today
    monkeypatch.setattr(datacache.timezone, "localdate", lambda: today + timedelta(days=1))
    assert datacache.key_for("example", ("projects",), 1) != key_today


def test_which_saves_count_as_changes(sponsor):
    before = datacache.versions(datacache.APPS)
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now())
    sponsor.last_login = timezone.now()
    sponsor.save(update_fields=["last_login"])
    assert datacache.versions(datacache.APPS) == before  # sessions and sign-ins change no page
    PdsaCycleFactory()
    after = datacache.versions(datacache.APPS)
    assert after != before
    WardFactory()
    assert datacache.versions(datacache.APPS) != after


def test_an_unknown_namespace_is_a_mistake():
    with pytest.raises(ValueError, match="Unknown data namespace"):
        datacache.bump("projcts")


def test_a_fragment_holding_a_csrf_token_is_refused(rf, staff, settings, tmp_path):
    template = tmp_path / "with_token.html"
    template.write_text('<form method="post">{% csrf_token %}</form>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    request = rf.get("/somewhere/")
    request.user = staff
    with pytest.raises(ImproperlyConfigured, match="CSRF token"):
        datacache.fragment(request, "with_token.html", ("projects",), lambda: {"csrf_token": "secret-token-value"})


@pytest.mark.django_db(transaction=True)
def test_a_transaction_renews_the_shared_version_once_at_its_commit(monkeypatch):
    renewed = []
    real_renew = datacache._renew
    monkeypatch.setattr(datacache, "_renew", lambda n: (renewed.append(n), real_renew(n)))
    before = datacache.versions(["org"])
    calls = []
    with transaction.atomic():
        datacache.remember("wards", ["org"], (), lambda: calls.append(1) or "first")
        for _ in range(3):
            WardFactory()
        # This transaction's own reads see its uncommitted rows: a fresh value, not the one cached above.
        assert datacache.remember("wards", ["org"], (), lambda: calls.append(2) or "second") == "second"
        assert renewed == []  # nobody else can see the rows yet
    assert renewed == ["org"]
    assert datacache.versions(["org"]) != before


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_the_shared_version_alone():
    before = datacache.versions(["org"])
    with pytest.raises(RuntimeError), transaction.atomic():
        WardFactory()
        raise RuntimeError("cancelled")
    assert datacache.versions(["org"]) == before
    with transaction.atomic():  # the next transaction still renews at its commit
        WardFactory()
    assert datacache.versions(["org"]) != before


def test_a_notification_updates_the_header_count_but_leaves_cached_pages_alone(client, sponsor, ward):
    from qiportal.models import NotificationKind
    from qiportal.notifications import notify

    InitiativeFactory(title="Falls", wards=[ward], status=Status.LIVE)
    client.force_login(sponsor)
    _page(client, "dashboard")
    notify(recipients=[sponsor], kind=NotificationKind.REVIEW_DUE, title="A review is due", body="Have a look.")
    with CaptureQueriesContext(connection) as queries:
        page = _page(client, "dashboard")
    assert '<span class="app-nav-count">1<span class="nhsuk-u-visually-hidden"> unread' in page
    assert not [q for q in queries.captured_queries if "projects_initiative" in q["sql"]]  # the body was cached


def test_filter_forms_offer_a_new_ward_at_once_and_keep_what_was_chosen(client, sponsor, ward):
    client.force_login(sponsor)
    assert "Birch Ward" not in _page(client)
    assert "Birch Ward" not in _page(client, "excellence:report_list")
    birch = WardFactory(name="Birch Ward")
    assert f'<option value="{birch.pk}">Birch Ward</option>' in _page(client)
    assert f'<option value="{birch.pk}">Birch Ward</option>' in _page(client, "excellence:report_list")
    chosen = _page(client, ward=birch.pk)
    assert f'<option value="{birch.pk}" selected>Birch Ward</option>' in chosen


def test_a_request_reads_the_versions_once_and_still_sees_its_own_changes(rf, django_assert_num_queries):
    from django.core.cache import cache

    seen = []
    reads = []
    real_get_many = cache.get_many

    def counting_get_many(keys, *args, **kwargs):
        reads.append(list(keys))
        return real_get_many(keys, *args, **kwargs)

    def view(request):
        seen.append(datacache.versions(["projects"]))
        seen.append(datacache.versions(["org", "ffit"]))  # no second read of the cache
        reads_before_change = len(reads)
        WardFactory()  # a change in this request...
        seen.append(datacache.versions(["org"]))  # ...is seen by its later reads
        return reads_before_change

    cache.get_many = counting_get_many
    try:
        reads_before_change = datacache.DataCacheMiddleware(view)(rf.get("/"))
    finally:
        cache.get_many = real_get_many
    assert reads_before_change == 1
    assert seen[2] != seen[1].split(".")[0]
