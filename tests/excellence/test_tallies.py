"""The whole trust's excellence counts are stored (excellence.tallies) and stay equal to a count of the reports
through every kind of change, so the admin's list, the dashboard and the homes show a change at once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from excellence import selectors, services, tallies
from excellence.jobs import remind_excellence_follow_up
from excellence.models import ExcellenceReport, Tally, Theme
from tests.queries import cold_queries

State = ExcellenceReport.State


def stored() -> dict:
    return {(kind, key): n for kind, key, n in Tally.objects.values_list("kind", "key", "n") if n}


def recounted() -> dict:
    return {key: n for key, n in tallies._recount().items() if n}


def admin_list_counts(client) -> tuple[int, dict[str, int], dict[str, int]]:
    page = client.get(reverse("excellence:report_list"))
    assert page.status_code == 200
    counts = page.context["counts"]
    return counts["total"], counts, {theme.name: theme.n for theme in page.context["themes"]}


@pytest.fixture
def kindness(db):
    return Theme.objects.create(name="Kindness", kind=Theme.Kind.THEME)


def test_every_kind_of_change_keeps_the_stored_counts_equal_to_the_reports(
    client, admin_user, make_report, theme, kindness, ward_manager, colleague
):
    client.force_login(admin_user)
    last_week = timezone.now() - timedelta(days=7)
    first = make_report(tags=[theme])
    second = make_report(tags=[theme, kindness], created_at=last_week)
    assert stored() == recounted()
    total, counts, themes = admin_list_counts(client)
    assert (total, counts[State.AWAITING_CONVERSATION], themes) == (2, 2, {"Compassion": 2, "Kindness": 1})

    # The follow-up through the services: a conversation held, then its learning shared.
    services.record_conversation(
        report=first, by=ward_manager, held_on=timezone.localdate(), participants=[colleague], strengths="Calm"
    )
    services.mark_learning_shared(report=first, by=ward_manager)
    assert stored() == recounted()
    total, counts, _ = admin_list_counts(client)
    assert (counts[State.AWAITING_CONVERSATION], counts[State.CONVERSATION_HELD], counts[State.LEARNING_SHARED]) == (
        1,
        0,
        1,
    )

    # As the admin site changes a report: its state and its themes, from either side.
    second.state = State.CONVERSATION_HELD
    second.save()
    second.tags.remove(theme)
    second.tags.remove(theme)  # a theme it no longer carries: nothing more to count off
    kindness.reports.add(first)
    assert stored() == recounted()
    _, counts, themes = admin_list_counts(client)
    assert (counts[State.CONVERSATION_HELD], counts[State.LEARNING_SHARED], themes) == (
        1,
        1,
        {"Compassion": 1, "Kindness": 2},
    )
    first.tags.clear()
    assert stored() == recounted()

    # A report deleted (the admin's delete page), and a theme deleted.
    client.post(reverse("admin:excellence_excellencereport_delete", args=[second.pk]), {"post": "yes"})
    assert not ExcellenceReport.objects.filter(pk=second.pk).exists()
    kindness.delete()
    assert stored() == recounted()
    total, counts, themes = admin_list_counts(client)
    assert (total, counts[State.LEARNING_SHARED], themes) == (1, 1, {})
    weeks = dict(selectors.weekly_counts(weeks=2))
    assert list(weeks.values()) == [0, 1]  # last week's report went with its deletion


def test_the_trust_list_reads_the_stored_counts_and_a_ward_filter_counts_its_reports(
    client, admin_user, make_report, theme, ward, other_ward
):
    make_report(tags=[theme])
    make_report(ward=other_ward)
    client.force_login(admin_user)
    Tally.objects.filter(kind=Tally.Kind.STATE, key=State.AWAITING_CONVERSATION).update(n=40)  # to tell them apart
    total, counts, _ = admin_list_counts(client)
    assert total == counts[State.AWAITING_CONVERSATION] == 40
    page = client.get(reverse("excellence:report_list"), {"ward": ward.pk})
    assert page.context["counts"]["total"] == 1  # a filtered list: its own reports, counted


def test_the_daily_follow_up_job_finds_and_repairs_drift(make_report, theme):
    make_report(tags=[theme])
    make_report(created_at=timezone.now() - timedelta(days=21))
    assert remind_excellence_follow_up().count("counts_repaired") == 0  # all agree: nothing to repair
    # Writes that skip the model (a bulk load, a hand-run UPDATE) leave the counts behind.
    ExcellenceReport.objects.update(state=State.CONVERSATION_HELD)
    Tally.objects.filter(kind=Tally.Kind.THEME).delete()
    result = remind_excellence_follow_up()
    assert result.count("counts_repaired") == 3
    assert "Repaired the excellence count of follow-up state conversation_held: 0 to 2." in result.lines
    assert f"Repaired the excellence count of value or theme {theme.pk}: 0 to 1." in result.lines
    assert stored() == recounted()
    assert remind_excellence_follow_up().count("counts_repaired") == 0


def test_rebuild_counts_reports_loaded_in_bulk(make_report, theme, staff, ward):
    make_report(tags=[theme])
    loaded = ExcellenceReport.objects.bulk_create(
        ExcellenceReport(reporter=staff, ward=ward, happened_on=timezone.localdate(), what_happened="x")
        for _ in range(3)
    )
    assert len(loaded) == 3 and stored() != recounted()
    tallies.rebuild()
    assert stored() == recounted()
    assert tallies.state_counts()[State.AWAITING_CONVERSATION] == 4


def test_the_admins_list_reads_its_totals_in_the_same_queries_however_many_reports(
    client, admin_user, make_report, theme
):
    client.force_login(admin_user)
    counts = []
    for batch in (1, 8):
        for _ in range(batch):
            make_report(tags=[theme])
        with cold_queries() as captured:
            client.get(reverse("excellence:report_list"))
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert not any("COUNT(" in q["sql"] and "excellence_excellencereport" in q["sql"] for q in captured)


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_counts_from_existing_reports(migrator, make_report, theme):
    make_report(tags=[theme])
    make_report(created_at=timezone.now() - timedelta(days=14))
    expected = recounted()
    migrator(("excellence", "0004_weekly_count_indexes"))
    migrator(("excellence", "0005_tallies"))
    assert stored() == expected


def test_the_list_says_how_many_reports_are_in_each_follow_up_state_stored_or_counted(
    client, admin_user, make_report, ward_manager, colleague, ward
):
    held = make_report()
    make_report()
    services.record_conversation(
        report=held, by=ward_manager, held_on=timezone.localdate(), participants=[colleague], strengths="Calm"
    )
    client.force_login(admin_user)
    sentence = "2 reports: 1 awaiting conversation, 1 conversation held, 0 learning shared."
    for query in ({}, {"ward": ward.pk}):  # every report (stored counts), and one ward's (counted)
        page = client.get(reverse("excellence:report_list"), query).content.decode()
        assert sentence in " ".join(page.split()), query
