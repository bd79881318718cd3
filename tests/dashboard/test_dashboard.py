"""What the dashboard shows: the golden thread, reviews, flags, stalls, decisions, readiness and the ward table."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from hub import dashboard
from projects.models import Status
from qiportal.models import Role
from tests.dashboard.conftest import closed_audit, concern_measure
from tests.factories import InitiativeFactory, PriorityFactory, UserFactory, WardFactory, with_role


def page(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("dashboard"), params)
    assert response.status_code == 200
    return response


def ward_order(response) -> list[str]:
    return re.findall(r'<tr class="nhsuk-table__row" data-ward="([^"]+)"', response.content.decode())


def test_status_table_counts_each_status(client, qi_lead, ward):
    InitiativeFactory.create_batch(3, wards=[ward])
    InitiativeFactory(status=Status.SUBMITTED, wards=[ward])
    InitiativeFactory(status=Status.HALTED, wards=[ward])
    response = page(client, qi_lead)
    html = response.content.decode()
    assert re.search(r'data-status="live">3<', html)
    assert re.search(r'data-status="submitted">1<', html)
    assert re.search(r'data-status="halted">1<', html)
    assertContains(response, "5 initiatives past draft")


def test_golden_thread_names_priorities_with_nothing_live(client, qi_lead, ward):
    safety = PriorityFactory(name="Patient safety")
    PriorityFactory(name="Staff experience")
    InitiativeFactory.create_batch(2, priority=safety, wards=[ward])
    response = page(client, qi_lead)
    html = response.content.decode()
    safety_row = re.search(r"Patient safety.*?</tr>", html, re.S).group(0)
    assert "No live initiatives" not in safety_row
    assert re.search(r"Staff experience <strong[^>]*>No live initiatives</strong>", html)


def test_progress_scores_are_counted_with_the_unscored(client, qi_lead, ward):
    InitiativeFactory(progress_score=2, wards=[ward])
    InitiativeFactory(progress_score=2, wards=[ward])
    InitiativeFactory(wards=[ward])
    rows = dict(dashboard.progress_rows(dashboard.scoped_initiatives(dashboard.dashboard_scope(qi_lead))))
    assert rows["2"] == 2
    assert rows["Not scored"] == 1
    assertContains(page(client, qi_lead), "Live and paused initiatives by progress score")


def test_reviews_due_and_overdue(client, qi_lead, ward):
    today = timezone.localdate()
    InitiativeFactory(title="Overdue review", next_review_on=today - timedelta(days=3), wards=[ward])
    InitiativeFactory(title="Review this week", next_review_on=today + timedelta(days=3), wards=[ward])
    InitiativeFactory(title="Review next month", next_review_on=today + timedelta(days=30), wards=[ward])
    response = page(client, qi_lead)
    assertContains(response, "1 overdue, 1 due in the next 7 days.")
    assertContains(response, "Overdue review")
    assertContains(response, "Review this week")
    assertNotContains(response, "Review next month")


def test_stalled_flags_and_decisions_with_reasons(client, sponsor, grow):
    grow()
    response = page(client, sponsor)
    assertContains(response, "Stalled live initiatives")
    assertContains(response, "Wards with an open overload flag")
    assertContains(response, "No decision yet")
    assertContains(response, "Staff shortages on the ward this winter.")


def test_the_open_flags_list_stops_at_the_newest_and_sends_the_rest_to_the_ward_table(
    client, qi_lead, ward, monkeypatch
):
    """A trust with a hundred flagged wards gets the newest few and a link, not a hundred rows (issue 15)."""
    from projects.models import OverloadFlag

    monkeypatch.setattr(dashboard, "LIST_LIMIT", 2)
    for age, name in enumerate(["Newest Ward", "Middle Ward", "Oldest Ward"]):
        flag = OverloadFlag.objects.create(
            ward=WardFactory(name=name, directorate=ward.directorate), load_at_open=4, threshold_at_open=3
        )
        OverloadFlag.objects.filter(pk=flag.pk).update(opened_at=timezone.now() - timedelta(days=age))
    html = page(client, qi_lead).content.decode()
    listed = html[html.index('id="flags"') : html.index('id="stalled"')]
    assert "Wards with an open overload flag: the newest 2 of 3" in listed
    assert "Newest Ward" in listed and "Middle Ward" in listed and "Oldest Ward" not in listed
    assert 'And 1 more: sort the <a href="?sort=-flags#ward-table">ward table by open flags</a>' in listed
    table = page(client, qi_lead, sort="-flags").content.decode().split('id="ward-table"', 1)[1]
    assert table.index("Oldest Ward") < table.index("Oak Ward")  # every flagged ward comes before the others


def test_wards_without_a_recent_readiness_audit(client, qi_lead, ward, ward_manager):
    fresh = WardFactory(name="Fresh Ward", directorate=ward.directorate)
    stale = WardFactory(name="Stale Ward", directorate=ward.directorate)
    closed_audit(fresh, ward_manager, UserFactory(), closed_days_ago=10)
    closed_audit(stale, ward_manager, UserFactory(), closed_days_ago=400)
    html = page(client, qi_lead).content.decode()
    listed = html[html.index('id="ffit"') : html.index('id="wards"')]
    assert "Stale Ward</a>: last audit closed" in listed
    assert "Oak Ward</a>: never audited" in listed
    assert "Fresh Ward" not in listed


def test_ward_table_shows_load_readiness_excellence_concern_and_flags(client, qi_lead, grow, ward):
    grow(2)
    html = page(client, qi_lead).content.decode()
    row = re.search(r'data-ward="oak-ward".*?</tr>', html, re.S).group(0)
    assert "Load 2 of 3 – within threshold" in row
    assert "No audit" in row
    assert "2 <strong" in row and "Concern" in row  # two measures with special-cause concern, said in words
    # Each grow adds two reports on Oak Ward (one about its team) in the last four weeks.
    assert re.search(r">4<span class=\"nhsuk-u-visually-hidden\"> in the last 4 weeks", row)
    rows = re.findall(r"<tr class=\"nhsuk-table__row\" data-ward=.*?</tr>", html, re.S)
    flagged = [r for r in rows if "Flag open" in r]
    assert len(flagged) == 2


def test_ward_over_threshold_is_said_in_words(client, qi_lead, ward):
    InitiativeFactory.create_batch(4, wards=[ward])
    html = page(client, qi_lead).content.decode()
    row = re.search(r'data-ward="oak-ward".*?</tr>', html, re.S).group(0)
    assert "Load 4 of 3 – over threshold" in row
    assert "Over threshold</strong>" in row


def test_ward_table_sorts_by_the_chosen_column(client, qi_lead, directorate):
    busy = WardFactory(name="Busy Ward", directorate=directorate)
    quiet = WardFactory(name="Alder Ward", directorate=directorate)
    InitiativeFactory.create_batch(2, wards=[busy])
    assert ward_order(page(client, qi_lead)) == [quiet.slug, busy.slug]
    assert ward_order(page(client, qi_lead, sort="-load")) == [busy.slug, quiet.slug]
    assert ward_order(page(client, qi_lead, sort="load")) == [quiet.slug, busy.slug]
    response = page(client, qi_lead, sort="-load")
    assertContains(response, 'aria-sort="descending"')
    assertContains(response, "?sort=load#ward-table")  # the current column's link turns the order round
    assert ward_order(page(client, qi_lead, sort="nonsense")) == [quiet.slug, busy.slug]


def test_sorting_keeps_the_directorate_filter(client, qi_lead, directorate, other_directorate):
    WardFactory(directorate=directorate)
    response = page(client, qi_lead, directorate=directorate.slug)
    assertContains(response, f"?sort=-load&amp;directorate={directorate.slug}#ward-table")


def test_concern_counts_only_measures_whose_latest_signal_is_concern(client, qi_lead, ward):
    initiative = InitiativeFactory(wards=[ward])
    concern_measure(initiative, ward=ward)
    wards = [ward]
    rows = dashboard.ward_rows(wards)
    assert rows[0].concern_count == 1


@pytest.mark.parametrize("kind", dashboard.CHART_KINDS)
def test_charts_are_svg_with_alt_text_and_a_table(client, qi_lead, ward, kind):
    InitiativeFactory.create_batch(2, wards=[ward], progress_score=3)
    client.force_login(qi_lead)
    response = client.get(reverse("dashboard_chart", args=[kind]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml")
    html = page(client, qi_lead).content.decode()
    img = re.search(rf'<img src="/dashboard/charts/{kind}\.svg" alt="([^"]+)"', html)
    assert img and img.group(1).startswith("Bar chart of")


def test_charts_are_drawn_once_per_set_of_data(client, qi_lead, ward, monkeypatch):
    drawn = []
    real = dashboard._draw
    monkeypatch.setattr(dashboard, "_draw", lambda chart: drawn.append(chart.kind) or real(chart))
    client.force_login(qi_lead)
    url = reverse("dashboard_chart", args=["status"])
    client.get(url)
    client.get(url)
    assert drawn == ["status"]
    InitiativeFactory(wards=[ward])
    client.get(url)
    assert drawn == ["status", "status"]


def test_chart_alt_text_states_the_numbers(qi_lead, ward):
    InitiativeFactory.create_batch(2, wards=[ward])
    chart = dashboard.chart_data("status", qi_lead)
    assert "Live: 2" in chart.description
    assert "(2 in all)" in chart.description


def test_the_page_can_be_printed(client, qi_lead):
    response = page(client, qi_lead)
    assertContains(response, 'class="app-print-only"')
    assertContains(response, "app-no-print")


def test_priority_counts_by_status_in_scope(qi_lead, ward, other_ward):
    safety = PriorityFactory(name="Patient safety")
    retired = PriorityFactory(name="Retired priority", is_active=False)
    PriorityFactory(name="Retired and empty", is_active=False)
    for status in (Status.LIVE, Status.LIVE, Status.SUBMITTED, Status.PAUSED, Status.COMPLETED, Status.HALTED):
        InitiativeFactory(priority=safety, status=status, wards=[ward])
    InitiativeFactory(priority=safety, status=Status.DRAFT, wards=[ward])  # drafts are private
    InitiativeFactory(priority=safety, status=Status.LIVE, wards=[other_ward])  # another directorate
    InitiativeFactory(priority=retired, status=Status.COMPLETED, wards=[ward])
    scope = dashboard.DashboardScope(frozenset([ward.directorate_id]), choices=[], selected=None, trust_wide=False)
    rows = {row.priority.name: row for row in dashboard.priority_rows(dashboard.scoped_initiatives(scope))}
    assert (rows["Patient safety"].live, rows["Patient safety"].open) == (2, 4)
    assert (rows["Patient safety"].completed, rows["Patient safety"].total) == (1, 6)
    assert (rows["Retired priority"].total, rows["Retired priority"].is_frayed) == (1, True)
    assert "Retired and empty" not in rows


def test_dashboard_starts_with_a_summary_and_pages_its_ward_table(client, qi_lead, ward, grow, monkeypatch):
    grow(14)  # Oak Ward and 14 more
    monkeypatch.setattr(dashboard, "WARD_PAGE_SIZE", 10)
    first = page(client, qi_lead).content.decode()
    second = client.get(reverse("dashboard"), {"page": 2}).content.decode()
    summary = first[first.index('data-testid="summary"') : first.index("</ul>", first.index('data-testid="summary"'))]
    assert "of 15 wards</a> over their initiative threshold" in summary
    assert "overdue" in summary and "stalled" in summary
    assert first.index('id="summary"') < first.index('id="golden-thread"')
    assert len(re.findall(r'<tr class="nhsuk-table__row" data-ward=', first)) == 10
    assert len(re.findall(r'<tr class="nhsuk-table__row" data-ward=', second)) == 5
    assert "1 to 10 of 15" in first and "11 to 15 of 15" in second
    assert "Page 2 of 2" in first


def _report(ward, team_ward=None, days_ago=3):
    from excellence.models import ExcellenceReport

    return ExcellenceReport.objects.create(
        reporter=UserFactory(),
        ward=ward,
        team_ward=team_ward,
        happened_on=timezone.localdate() - timedelta(days=days_ago),
        what_happened="Stayed late to settle a confused visitor.",
        why_excellent="Calm and kind.",
        difference_made="The visitor went home reassured.",
        created_at=timezone.now() - timedelta(days=days_ago),
    )


# Whole-trust tables count over every ward (every_ward=True) rather than a list of ids: the same numbers either way.
@pytest.mark.parametrize("every_ward", [False, True])
def test_the_ward_table_counts_recent_excellence_on_the_ward_or_about_its_team_once_each(ward, directorate, every_ward):
    other = WardFactory(directorate=directorate)
    _report(ward)  # made on the ward
    _report(ward, team_ward=ward)  # on the ward about its own team: once, not twice
    _report(other, team_ward=ward)  # made elsewhere about this ward's team: counts on both wards
    _report(ward, days_ago=7 * dashboard.EXCELLENCE_WEEKS + 2)  # too old for the column
    rows = dashboard.ward_rows([ward, other], every_ward=every_ward)
    assert {row.ward.pk: row.excellence_count for row in rows} == {ward.pk: 3, other.pk: 1}


@pytest.mark.parametrize("every_ward", [False, True])
def test_concerns_count_on_the_measures_own_ward_or_else_on_each_of_its_initiatives_wards(
    ward, directorate, every_ward
):
    other, elsewhere = WardFactory(directorate=directorate), WardFactory(directorate=directorate)
    on_two_wards = InitiativeFactory(wards=[ward, other], status=Status.LIVE)
    concern_measure(on_two_wards)  # no ward of its own: counts on both of the initiative's wards
    concern_measure(on_two_wards, ward=elsewhere)  # its own ward: counts there only
    concern_measure(InitiativeFactory(wards=[ward], status=Status.PAUSED))  # not live: not counted
    rows = dashboard.ward_rows([ward, other, elsewhere], every_ward=every_ward)
    counts = {row.ward.pk: row.concern_count for row in rows}
    assert counts == {ward.pk: 1, other.pk: 1, elsewhere.pk: 1}


def _titles(html: str, start: str, end: str) -> set[str]:
    return set(re.findall(r'<a href="/initiatives/\d+/">([^<]+)</a>', html[html.index(start) : html.index(end)]))


def test_capped_review_and_stalled_lists_link_to_all_of_them_in_the_initiative_log(
    client, qi_lead, ward, other_ward, monkeypatch
):
    """More overdue reviews or stalled initiatives than the dashboard lists: it says how many it shows, and its link
    opens the initiative log filtered to exactly the ones it counted, in the same directorate."""
    monkeypatch.setattr(dashboard, "LIST_LIMIT", 2)
    today = timezone.localdate()
    overdue = {
        InitiativeFactory(title=f"Overdue {n}", wards=[ward], next_review_on=today - timedelta(days=n + 1)).title
        for n in range(3)
    }
    stalled = set()
    for n in range(3):
        initiative = InitiativeFactory(title=f"Stalled {n}", wards=[ward])
        initiative.is_stalled, initiative.stalled_since = True, today - timedelta(weeks=n + 8)
        initiative.save(update_fields=["is_stalled", "stalled_since"])
        stalled.add(initiative.title)
    InitiativeFactory(title="Elsewhere overdue", wards=[other_ward], next_review_on=today - timedelta(days=3))
    chosen = ward.directorate
    html = page(client, qi_lead, directorate=chosen.slug).content.decode()
    assert "These are the 2 soonest of 3." in html
    assert "These are the 2 stalled longest of 3." in html
    links = dict(re.findall(r'<a href="(/initiatives/\?[^"]+)">See all \d+ (with an overdue review|stalled)', html))
    assert set(links.values()) == {"with an overdue review", "stalled"}
    for url, kind in links.items():
        log = client.get(url.replace("&amp;", "&"))
        assert log.status_code == 200
        listed = _titles(log.content.decode(), "<tbody", "</tbody>")
        assert listed == (overdue if kind == "with an overdue review" else stalled), kind
    # The whole trust's dashboard links to the whole trust's: the other directorate's overdue review too.
    html = page(client, qi_lead).content.decode()
    assert "These are the 2 soonest of 4." in html
    assert 'href="/initiatives/?review_overdue=on"' in html


def test_a_manager_of_several_directorates_sees_the_count_without_a_link_the_log_cannot_filter(
    client, ward, other_ward, monkeypatch
):
    monkeypatch.setattr(dashboard, "LIST_LIMIT", 2)
    manager = with_role(UserFactory(), Role.SENIOR_MANAGER, directorate=ward.directorate)
    with_role(manager, Role.SENIOR_MANAGER, directorate=other_ward.directorate)
    for place in (ward, ward, other_ward):
        InitiativeFactory(wards=[place], next_review_on=timezone.localdate() - timedelta(days=2))
    html = page(client, manager).content.decode()
    assert "These are the 2 soonest of 3." in html
    assert "review_overdue=on" not in html
