"""The appreciative-inquiry follow-up: conversation, state, overdue, home selectors, initiative, run chart."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from excellence import selectors, services
from excellence.models import ExcellenceReport
from projects.models import Initiative, Status
from tests.factories import PriorityFactory


def _age(report, days):
    ExcellenceReport.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(days=days))
    report.refresh_from_db()
    return report


def test_the_manager_records_the_soar_conversation(client, make_report, ward_manager, colleague):
    report = make_report()
    client.force_login(ward_manager)
    page = client.get(reverse("excellence:conversation", args=[report.pk]))
    assertContains(page, "Strengths")
    assertContains(page, "What could we spread?")
    response = client.post(
        reverse("excellence:conversation", args=[report.pk]),
        {
            "held_on": timezone.localdate().isoformat(),
            "participants": [colleague.pk, ward_manager.pk],
            "strengths": "Knowing the patients well",
            "what_to_spread": "Night-time reassurance rounds",
        },
        follow=True,
    )
    assertContains(response, "You recorded the appreciative-inquiry conversation")
    assertContains(response, "Conversation held")
    assertContains(response, "Night-time reassurance rounds")
    report.refresh_from_db()
    assert report.state == ExcellenceReport.State.CONVERSATION_HELD
    response = client.post(reverse("excellence:learning_shared", args=[report.pk]), follow=True)
    assertContains(response, "Learning shared")


def test_a_conversation_with_patient_details_is_refused_and_kept(client, make_report, ward_manager, colleague):
    report = make_report()
    client.force_login(ward_manager)
    response = client.post(
        reverse("excellence:conversation", args=[report.pk]),
        {"held_on": timezone.localdate().isoformat(), "participants": [colleague.pk], "strengths": "MRN 1234567"},
    )
    assertContains(response, "hospital number")
    assertContains(response, "MRN 1234567")
    report.refresh_from_db()
    assert report.state == ExcellenceReport.State.AWAITING_CONVERSATION


def test_an_old_report_without_a_conversation_is_overdue_for_its_manager(
    client, make_report, ward_manager, other_ward_manager, settings
):
    settings.QI = {**settings.QI, "EXCELLENCE_FOLLOW_UP_DAYS": 14}
    recent = make_report()
    old = _age(make_report(), 15)
    assert list(selectors.conversations_due(ward_manager)) == [old]
    assert list(selectors.conversations_due(other_ward_manager)) == []
    assert old.is_overdue and not recent.is_overdue
    client.force_login(ward_manager)
    assertContains(client.get(old.get_absolute_url()), "Conversation overdue")
    assertNotContains(client.get(recent.get_absolute_url()), "Conversation overdue")


def test_team_reports_are_due_for_the_wards_manager(make_report, ward, ward_manager):
    report = _age(make_report(recipients=[], team_ward=ward), 30)
    assert list(selectors.conversations_due(ward_manager)) == [report]


def test_sent_and_received_selectors(make_report, staff, colleague, ward, ward_manager):
    about_colleague = make_report()
    about_team = make_report(recipients=[], team_ward=ward)
    assert set(selectors.reports_sent(staff)) == {about_colleague, about_team}
    assert list(selectors.reports_received(colleague)) == [about_colleague]
    assert list(selectors.reports_received(ward_manager)) == [about_team]


def test_weekly_counts_keep_empty_weeks(make_report, ward):
    make_report(created_at=timezone.now() - timedelta(days=7))
    make_report()
    make_report()
    counts = selectors.weekly_counts(weeks=4)  # the whole trust's, stored
    assert [n for _, n in counts] == [0, 0, 1, 2]
    assert all(week.weekday() == 0 for week, _ in counts)
    assert selectors.weekly_counts(ward, weeks=4) == counts  # a ward's, counted from its reports


def test_a_qi_lead_confirms_before_a_draft_initiative_is_started_from_a_report(client, make_report, qi_lead, sponsor):
    PriorityFactory(name="Staff experience", slug="staff-experience")
    report = make_report()
    client.force_login(qi_lead)
    url = reverse("excellence:start_initiative", args=[report.pk])
    # The report page offers a link to a confirmation page, not a one-click POST.
    detail = client.get(report.get_absolute_url()).content.decode()
    assert f'href="{url}"' in detail and f'action="{url}"' not in detail
    confirm = client.get(url)
    assertContains(confirm, "Start an initiative from this report?")
    assertContains(confirm, f"Spreading excellence from {report.ward}")
    assertContains(confirm, f'<form method="post" action="{url}"', html=False)
    assertContains(confirm, "csrfmiddlewaretoken")
    assert not Initiative.objects.exists()  # looking creates nothing

    response = client.post(url)
    initiative = Initiative.objects.get()
    assert initiative.status == Status.DRAFT
    assert initiative.lead == qi_lead and initiative.sponsor == sponsor
    assert response["Location"] == reverse("initiative_detail", args=[initiative.pk])
    report.refresh_from_db()
    assert report.initiative == initiative
    assert list(initiative.excellence_reports.all()) == [report]  # a relation, not a number in the text
    assert f"report {report.pk}" not in initiative.problem


def test_the_initiative_and_the_report_link_to_each_other(client, make_report, qi_lead, sponsor, outsider):
    PriorityFactory(name="Staff experience", slug="staff-experience")
    report = make_report()
    initiative = services.start_initiative_from_report(report=report, by=qi_lead)
    client.force_login(qi_lead)
    page = client.get(reverse("initiative_detail", args=[initiative.pk]))
    assertContains(page, f'<a href="{report.get_absolute_url()}">the Learning from Excellence report on', html=False)
    assertContains(client.get(report.get_absolute_url()), f'<a href="{initiative.get_absolute_url()}">', html=False)
    # Once live, someone who may not open the report sees the initiative, without a link to the report.
    Initiative.objects.filter(pk=initiative.pk).update(status=Status.LIVE)
    client.force_login(outsider)
    page = client.get(reverse("initiative_detail", args=[initiative.pk]))
    assert page.status_code == 200
    assertNotContains(page, report.get_absolute_url())


def test_the_list_shows_a_run_chart_with_words_and_a_table(client, make_report, qi_lead):
    make_report()
    client.force_login(qi_lead)
    page = client.get(reverse("excellence:report_list"))
    assertContains(page, 'src="/excellence/charts/weekly.svg"')
    assertContains(page, "Run chart of excellence reports per week for the trust")
    assertContains(page, "Anhøj rules")
    assertContains(page, "Week starting")


def test_the_chart_is_an_svg_drawn_once_per_data(client, make_report, staff, ward):
    cache.clear()
    make_report()
    client.force_login(staff)
    first = client.get(reverse("excellence:weekly_chart"))
    assert first["Content-Type"] == "image/svg+xml"
    assert first.content.lstrip().startswith(b"<?xml")
    with CaptureQueriesContext(connection):
        again = client.get(reverse("excellence:weekly_chart"))
    assert again.content == first.content
    assert client.get(reverse("excellence:ward_weekly_chart", args=[ward.slug])).status_code == 200


@pytest.mark.parametrize("path", ["excellence:report_list", "excellence:wall"])
def test_list_and_wall_queries_stay_flat(client, make_report, qi_lead, colleague, theme, path):
    client.force_login(qi_lead)
    counts = []
    for batch in (2, 12):
        for _ in range(batch):
            report = make_report(reporter_agrees_to_share=True, tags=[theme])
            services.set_sharing(report=report, by=colleague, agrees=True)
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(path)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_wrong_filter_says_so_in_the_title_and_beside_the_field(client, make_report, qi_lead):
    make_report()
    client.force_login(qi_lead)
    response = client.get(reverse("excellence:report_list"), {"week": "not a date"})
    assertContains(response, "<title>Error: Learning from Excellence – QI Portal</title>", html=False)
    assertContains(response, "The week must be a real date")
    fine = client.get(reverse("excellence:report_list"))
    assertNotContains(fine, "<title>Error:", html=False)
