"""A QI lead adds a measure, enters four weeks by hand, fixes a bad upload and sees the chart with its PDSA marker."""

from datetime import timedelta

from django.utils import timezone

from qiportal.models import User
from runcharts import selectors
from runcharts.models import DataPoint, Measure
from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll
from tests.factories import InitiativeFactory, PdsaCycleFactory


def week_label(week) -> str:
    return f"Week starting Monday {week.day} {week:%B %Y}"


def csv_upload(rows) -> dict:
    text = "week_start,value\n" + "".join(f"{week},{value}\n" for week, value in rows)
    return {"name": "weekly-values.csv", "mimeType": "text/csv", "buffer": text.encode()}


def test_lead_builds_a_run_chart(page, live_server, demo, sign_in):
    lead = User.objects.get(username="qilead")
    initiative = InitiativeFactory(lead=lead, title="Safer night handover", status="live")
    weeks = selectors.recent_weeks(timezone.localdate(), 10)[1:]  # complete weeks, newest first
    by_hand, uploaded = weeks[:4], weeks[4:]

    sign_in("qilead")
    page.goto(f"{live_server.url}/measures/new/?initiative={initiative.pk}")
    assert_accessible(page)
    page.get_by_label("Measure name").fill("Handovers finished by 08:00")
    page.get_by_label("Operational definition").fill("Night handovers finished by 08:00, as a percentage.")
    page.get_by_label("Unit").select_option("percent")
    page.get_by_role("button", name="Add measure").click()
    assert "You added the measure" in page.locator(".nhsuk-notification-banner, main").first.inner_text()
    measure = Measure.objects.get(name="Handovers finished by 08:00")
    PdsaCycleFactory(initiative=initiative, measure=measure, number=1, starts_on=weeks[2], planned_end_on=weeks[0])

    page.get_by_role("link", name="Enter weekly values").click()
    for week, value in zip(by_hand, ("61", "64", "58", "62"), strict=True):
        page.get_by_label(week_label(week)).fill(value)
    page.get_by_role("button", name="Save values").click()
    assert "Values saved: 4 added" in page.content()

    page.get_by_role("link", name="Upload a spreadsheet").click()
    bad = [(w.isoformat(), 50) for w in uploaded]
    bad[2] = ((uploaded[2] + timedelta(days=1)).isoformat(), 50)  # a Tuesday
    page.locator("input[type=file]").set_input_files(csv_upload(bad))
    page.get_by_role("button", name="Upload and preview").click()
    summary = page.locator(".nhsuk-error-summary")
    summary.wait_for()
    assert "is not a Monday" in summary.inner_text()
    assert "Nothing was saved" in summary.inner_text()
    assert DataPoint.objects.filter(measure=measure).count() == 4
    assert_accessible(page)

    good = [(w.strftime("%d/%m/%Y"), 50 + k) for k, w in enumerate(uploaded)]
    page.locator("input[type=file]").set_input_files(csv_upload(good))
    page.get_by_role("button", name="Upload and preview").click()
    page.get_by_role("heading", name="Check the upload before saving").wait_for()
    assert "5 weeks will be added" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name="Save these values").click()
    assert "Upload saved: 5 weeks added, 0 replaced." in page.content()
    assert DataPoint.objects.filter(measure=measure).count() == 9

    chart = page.get_by_role("img", name="Run chart (Anhøj rules) of Handovers finished by 08:00")
    alt = chart.get_attribute("alt")
    assert "9 weeks." in alt and "Not enough data yet" in alt
    svg = page.request.get(chart.evaluate("img => img.src")).text()
    assert "PDSA 1" in svg
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    assert "PDSA 1:" in page.locator("main").inner_text()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
