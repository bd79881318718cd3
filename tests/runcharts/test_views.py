"""Measure pages: creating and editing measures, the weekly grid, the chart and its caching, the CSV export."""

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from runcharts import services
from runcharts.models import DataPoint, Measure
from tests.factories import DataPointFactory, MeasureFactory, PdsaCycleFactory
from tests.runcharts.conftest import mondays

pytestmark = pytest.mark.django_db

# 12 weeks around 50, then 9 weeks at 53-54: a shift upwards within the limits (improvement for "increase").
SHIFT = [50, 52, 48, 51, 49, 50, 53, 47, 50, 51, 49, 50, 54, 53, 54, 53, 54, 53, 54, 53, 54]


@pytest.fixture
def signed_in(client, qi_lead, today):
    client.force_login(qi_lead)
    return client


def add_points(measure, values, start=date(2025, 10, 13)):
    for week, value in zip(mondays(start, len(values)), values, strict=True):
        DataPointFactory(measure=measure, week_start=week, value=value)
    services.store_latest_signals([measure])  # written past the services: store the signal they would


def test_lead_creates_a_measure_for_their_initiative(signed_in, initiative, qi_lead):
    url = reverse("runcharts:measure_create") + f"?initiative={initiative.pk}"
    page = signed_in.get(url)
    assertContains(page, "Add a measure")
    response = signed_in.post(
        url,
        {
            "name": "Handovers completed by 08:00",
            "kind": "outcome",
            "data_type": "single",
            "frequency": "weekly",
            "definition": "Night handovers finished by 08:00 as a percentage of all night handovers.",
            "unit": "percent",
            "improvement": "increase",
            "target": "90",
            "baseline_points": "",
        },
        follow=True,
    )
    assertContains(response, "You added the measure ‘Handovers completed by 08:00’")
    measure = Measure.objects.get()
    assert (measure.initiative, measure.owner, measure.target) == (initiative, qi_lead, 90.0)
    assert (measure.data_type, measure.frequency, measure.chart) == ("single", "weekly", "auto")


def test_the_measure_form_shows_errors_and_keeps_typed_values(signed_in, initiative):
    url = reverse("runcharts:measure_create_for", args=[initiative.pk])
    response = signed_in.post(
        url,
        {
            "name": "Falls",
            "kind": "outcome",
            "data_type": "single",
            "frequency": "weekly",
            "definition": "",
            "unit": "percent",
            "improvement": "decrease",
            "target": "120",
            "baseline_points": "1",
        },
    )
    assertContains(response, "<title>Error: Add a measure")
    assertContains(response, "Enter the operational definition")
    assertContains(response, "Enter a target between 0 and 100 for a percentage")
    assertContains(response, "Enter a baseline of at least 2 points")
    assertContains(response, 'value="Falls"')
    assert not Measure.objects.exists()


def test_editing_a_chart_setting_bumps_the_data_version(signed_in, measure):
    version = measure.data_version
    fields = {
        "name": measure.name,
        "kind": "outcome",
        "data_type": "single",
        "frequency": "weekly",
        "definition": "Changed wording only",
        "unit": "percent",
        "improvement": "increase",
    }
    response = signed_in.post(reverse("runcharts:measure_edit", args=[measure.pk]), fields)
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.data_version == version  # wording only: the chart is unchanged
    signed_in.post(reverse("runcharts:measure_edit", args=[measure.pk]), {**fields, "improvement": "decrease"})
    measure.refresh_from_db()
    assert (measure.improvement, measure.data_version) == ("decrease", version + 1)


def test_changing_the_chart_needs_a_reason_kept_on_the_history(signed_in, measure, qi_lead):
    url = reverse("runcharts:chart_change", args=[measure.pk])
    response = signed_in.post(url, {"chart": "xmr", "reason": ""})
    assertContains(response, "<title>Error: Change the chart")
    assertContains(response, "Enter why you are changing the chart")
    response = signed_in.post(url, {"chart": "p", "reason": "Looks nicer"})
    assertContains(response, "Choose one of the charts listed")  # a P chart needs numerators and denominators
    version = measure.data_version
    response = signed_in.post(url, {"chart": "xmr", "reason": "Making Data Count for the board report"}, follow=True)
    assertContains(response, "The measure now uses a XmR chart.")
    assertContains(response, "Making Data Count for the board report")
    measure.refresh_from_db()
    assert (measure.chart, measure.data_version) == ("xmr", version + 1)
    latest = measure.history.latest()
    assert (latest.chart, latest.chart_reason, latest.history_user) == (
        "xmr",
        "Making Data Count for the board report",
        qi_lead,
    )


def test_grid_entry_adds_edits_and_removes_values_keeping_history(signed_in, measure, qi_lead):
    url = reverse("runcharts:data_entry", args=[measure.pk])
    page = signed_in.get(url)
    assertContains(page, "Week starting Monday 9 March 2026")
    assertContains(page, "Week starting Monday 22 December 2025")
    response = signed_in.post(
        url, {"week_2026-03-02": "40", "week_2026-02-23": "42.5", "week_2026-02-16": "44"}, follow=True
    )
    assertContains(response, "Values saved: 3 added, 0 changed, 0 removed.")
    response = signed_in.post(url, {"week_2026-03-02": "41", "week_2026-02-23": "42.5"}, follow=True)
    assertContains(response, "Values saved: 0 added, 1 changed, 1 removed.")

    assert dict(DataPoint.objects.values_list("week_start", "value")) == {
        date(2026, 3, 2): 41.0,
        date(2026, 2, 23): 42.5,
    }
    history = DataPoint.history.filter(week_start=date(2026, 3, 2)).order_by("history_id")
    assert [(h.history_type, h.value) for h in history] == [("+", 40.0), ("~", 41.0)]
    removed = DataPoint.history.filter(week_start=date(2026, 2, 16)).order_by("history_id")
    assert [h.history_type for h in removed] == ["+", "-"]
    assert history.last().history_user == qi_lead or history.last().entered_by == qi_lead


def test_grid_rejects_bad_values_and_saves_nothing(signed_in, measure):
    url = reverse("runcharts:data_entry", args=[measure.pk])
    response = signed_in.post(url, {"week_2026-03-02": "140", "week_2026-02-23": "many"})
    assertContains(response, "<title>Error: Enter weekly values")
    assertContains(response, "Enter a percentage between 0 and 100 for the week starting 2 March 2026")
    assertContains(response, "Enter a number for the week starting 23 February 2026")
    assertContains(response, 'value="140"')
    assert not DataPoint.objects.exists()


def test_detail_page_shows_chart_alt_text_signal_and_data_table(signed_in, measure):
    measure.chart = "xmr"
    measure.baseline_points = 12
    measure.save()
    add_points(measure, SHIFT)
    page = signed_in.get(measure.get_absolute_url())
    assertContains(page, "Special cause improvement: 9 weeks above the mean since 5 January 2026.")
    assertContains(page, 'alt="XmR chart of Handovers on time, 21 weeks. Special cause improvement')
    assertContains(page, "Special cause variation of an improving nature, because the values are higher.")
    assertContains(page, "Latest signal: </span>Improvement")
    assertContains(page, "Data table")
    assertContains(
        page,
        '<td class="nhsuk-table__cell" role="cell"><span class="nhsuk-table-responsive__heading" '
        'aria-hidden="true">Week starting </span>2 Mar 2026</td>',
        html=False,
    )
    assertNotContains(page, "enough for an XmR chart")  # it is one already


def test_a_run_chart_with_20_weeks_suggests_xmr(signed_in, measure):
    measure.chart = "anhoej"  # chosen by a person: the page says what it suggests instead
    measure.save()
    add_points(measure, SHIFT[:20])
    page = signed_in.get(measure.get_absolute_url())
    assertContains(page, "enough for an XmR chart")
    assertContains(page, "Non-random improvement: 8 weeks above the median since 5 January 2026.")


def test_chart_svg_is_drawn_once_per_data_version(signed_in, measure):
    add_points(measure, SHIFT)
    PdsaCycleFactory(initiative=measure.initiative, measure=measure, number=3, starts_on=date(2026, 1, 5))
    url = reverse("runcharts:chart", args=[measure.pk, "svg"])
    first = signed_in.get(url)
    assert first["Content-Type"] == "image/svg+xml"
    svg = first.content.decode()
    assert svg.lstrip().startswith("<?xml") and "PDSA 3" in svg
    # Values changed behind the services' back leave the data version alone: the drawing comes from the cache.
    DataPoint.objects.filter(measure=measure, week_start__gte=date(2026, 1, 5)).update(value=10)
    with CaptureQueriesContext(connection) as queries:
        second = signed_in.get(url)
    assert second.content == first.content
    assert not [q for q in queries.captured_queries if "runcharts_datapoint" in q["sql"]]  # no data read

    signed_in.post(reverse("runcharts:data_entry", args=[measure.pk]), {"week_2026-03-02": "75"})
    assert signed_in.get(url).content != first.content  # new data, new drawing


def test_png_download(signed_in, measure):
    add_points(measure, SHIFT[:5])
    response = signed_in.get(reverse("runcharts:chart", args=[measure.pk, "png"]))
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert "attachment" in response["Content-Disposition"]


def test_an_empty_measure_still_draws(signed_in, measure):
    response = signed_in.get(reverse("runcharts:chart", args=[measure.pk, "svg"]))
    assert response.status_code == 200
    assertContains(signed_in.get(measure.get_absolute_url()), "No data has been entered yet.")


def test_csv_export_has_the_analysis_per_point_and_neutralises_formulas(signed_in, measure):
    measure.chart = "xmr"
    measure.baseline_points = 12
    measure.save()
    add_points(measure, SHIFT)
    signed_in.post(reverse("runcharts:annotation_add", args=[measure.pk]), {"on": "2026-01-07", "text": "=cmd|calc"})
    response = signed_in.get(reverse("runcharts:data_csv", args=[measure.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 21
    assert rows[0]["week_start"] == "2025-10-13" and rows[0]["point_type"] == "common_cause"
    assert rows[-1]["special_cause"] == "shift" and rows[-1]["point_type"] == "improvement"
    assert rows[12]["note"] == "'=cmd|calc"
    assert float(rows[0]["mean"]) == pytest.approx(50.0)


def test_rephase_needs_a_reason_and_starts_a_new_period(signed_in, measure):
    measure.chart = "anhoej"
    measure.save()
    add_points(measure, SHIFT)
    url = reverse("runcharts:rephase_add", args=[measure.pk])
    response = signed_in.post(url, {"week_start": "2026-01-05", "reason": ""})
    assertContains(response, "Enter why the chart starts a new period")
    response = signed_in.post(url, {"week_start": "2026-01-06", "reason": "New handover sheet"})
    assertContains(response, "Enter a Monday")
    response = signed_in.post(url, {"week_start": "05/01/2026", "reason": "New handover sheet adopted"}, follow=True)
    assertContains(response, "From 5 January 2026: New handover sheet adopted")
    # Two medians now: each part is analysed on its own.
    rows = list(
        csv.DictReader(
            io.StringIO(signed_in.get(reverse("runcharts:data_csv", args=[measure.pk])).content.decode("utf-8-sig"))
        )
    )
    assert {r["period"] for r in rows} == {"1", "2"}
    assert rows[0]["median"] != rows[-1]["median"]


def test_the_initiative_page_shows_each_measures_run_chart_at_an_address_naming_its_version(signed_in, measure):
    add_points(measure, SHIFT)
    page = signed_in.get(measure.initiative.get_absolute_url()).content.decode()
    found = re.findall(r'<img src="(/measures/\d+/chart\.svg\?v=([^"]+))" alt="XmR chart of Handovers on time\.', page)
    assert len(found) == 1
    url, version = found[0]
    response = signed_in.get(url)
    assert response["Content-Type"] == "image/svg+xml"
    assert "immutable" in response["Cache-Control"]  # the address names this drawing: the browser may keep it

    # Linking a PDSA cycle changes the drawing, so the page names a new address.
    PdsaCycleFactory(initiative=measure.initiative, measure=measure, number=1, starts_on=date(2026, 1, 5))
    page = signed_in.get(measure.initiative.get_absolute_url()).content.decode()
    assert f"?v={version}" not in page
    # An address from before the change still answers, with the current drawing, but only briefly cached.
    stale = signed_in.get(url)
    assert "PDSA 1" in stale.content.decode()
    assert stale["Cache-Control"] == "private, max-age=300"


def test_a_new_period_must_start_within_the_data(signed_in, measure):
    measure.chart = "xmr"
    measure.save()
    url = reverse("runcharts:rephase_add", args=[measure.pk])
    response = signed_in.post(url, {"week_start": "2026-01-05", "reason": "New handover sheet"})
    assertContains(response, "Enter some data first: a new period starts on a week with data")
    add_points(measure, SHIFT)  # 13 October 2025 to 2 March 2026
    within = "Choose a week within the data: after 13 October 2025, the first week with data, and no later than"
    for monday in ("2030-01-07", "2025-10-06", "2025-10-13"):  # after the data, before it, on its first week
        response = signed_in.post(url, {"week_start": monday, "reason": "New handover sheet"})
        page = response.content.decode()
        assert response.status_code == 200
        assert within + " 2 March 2026, the latest" in page
        # Next to the field, not only in the summary at the top.
        field = page[page.index('name="week_start_day"') - 1500 : page.index('name="week_start_day"')]
        assert "nhsuk-error-message" in field and within in field
    assert not measure.rephases.exists()
    response = signed_in.post(url, {"week_start": "2026-03-02", "reason": "New handover sheet"}, follow=True)
    assertContains(response, "From 2 March 2026: New handover sheet")


def test_an_xmr_period_of_fewer_than_13_points_carries_a_caveat_on_the_page_and_in_the_alt_text(signed_in, measure):
    measure.chart = "xmr"
    measure.save()
    add_points(measure, SHIFT)  # 21 weeks from 13 October 2025
    page = signed_in.get(measure.get_absolute_url())
    assertNotContains(page, "Limits from few points")
    # A new period from 2 February 2026: 16 weeks before it, 5 in it.
    services.add_rephase(measure_id=measure.pk, by=measure.initiative.lead, week_start=date(2026, 2, 2), reason="Kit")
    page = signed_in.get(measure.get_absolute_url()).content.decode()
    caveat = (
        "The limits of the period from 2 February 2026 are drawn from only 5 weeks: the chart rules "
        "(docs/spc-rules.md) consider a period&#x27;s limits reliable from 13 points, so read them with care."
    )
    assert "Limits from few points" in page and caveat in page
    alt = re.search(r'<img class="app-chart"[^>]* alt="([^"]*)"', page).group(1)
    assert caveat in alt
    assert "period from 13 October 2025" not in page  # 16 weeks: no caveat


def test_a_short_xmr_chart_of_one_period_says_so(signed_in, measure):
    measure.chart = "xmr"
    measure.save()
    add_points(measure, SHIFT[:8])
    assertContains(signed_in.get(measure.get_absolute_url()), "The limits are drawn from only 8 weeks")


def test_chart_alt_text_names_the_chart_drawn_run_chart_until_there_are_points_for_limits(signed_in, measure):
    url = measure.initiative.get_absolute_url()
    add_points(measure, SHIFT[:5])
    assert 'alt="Run chart of Handovers on time.' in signed_in.get(url).content.decode()
    # 21 weekly values: limits can be drawn, so "auto" draws an XmR chart.
    add_points(measure, SHIFT[5:], start=date(2025, 10, 13) + timedelta(weeks=5))
    page = signed_in.get(url).content.decode()
    assert 'alt="XmR chart of Handovers on time.' in page
    assert "Run chart of Handovers" not in page


def test_chart_alt_text_on_the_initiative_and_ward_pages_names_the_measures_frequency(signed_in, initiative):
    ward = initiative.wards.first()
    monthly = MeasureFactory(initiative=initiative, ward=ward, name="Falls per month", frequency="monthly")
    events = MeasureFactory(
        initiative=initiative, ward=ward, name="Days between falls", data_type="time_between", frequency="event"
    )
    weekly = MeasureFactory(initiative=initiative, ward=ward, name="Handovers a week")
    for url in (initiative.get_absolute_url(), ward.get_absolute_url()):
        page = signed_in.get(url).content.decode()
        alts = dict(re.findall(r'alt="Run chart of ([^.]*?)(?: for [^.]*)?\.[^"]*?The ([a-z ]+) are in a table', page))
        assert alts == {monthly.name: "monthly values", events.name: "events", weekly.name: "weekly values"}, url
    page = signed_in.get(initiative.get_absolute_url())
    assertContains(page, "Falls per month: monthly values and analysis")
    assertContains(page, "Days between falls: events and analysis")
