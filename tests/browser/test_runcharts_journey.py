"""A QI lead adds a measure, enters four weeks by hand, fixes a bad upload and sees the chart with its PDSA marker."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from qiportal.models import User
from runcharts import selectors
from runcharts.models import DataPoint, Measure
from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll, fill_date
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
    expect(page.get_by_label("Measure name")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Measure name").fill("Handovers finished by 08:00")
    page.get_by_label("Operational definition").fill("Night handovers finished by 08:00, as a percentage.")
    page.get_by_label("Unit").select_option("percent")
    page.get_by_role("button", name="Add measure").click()
    expect(page.locator(".nhsuk-notification-banner, main").first).to_contain_text("You added the measure")
    measure = Measure.objects.get(name="Handovers finished by 08:00")
    PdsaCycleFactory(initiative=initiative, measure=measure, number=1, starts_on=weeks[2], planned_end_on=weeks[0])

    page.get_by_role("link", name="Enter weekly values").click()
    for week, value in zip(by_hand, ("61", "64", "58", "62"), strict=True):
        page.get_by_label(week_label(week)).fill(value)
    page.get_by_role("button", name="Save values").click()
    expect(page.locator("main")).to_contain_text("Values saved: 4 added")

    page.get_by_role("link", name="Upload a spreadsheet").click()
    bad = [(w.isoformat(), 50) for w in uploaded]
    bad[2] = ((uploaded[2] + timedelta(days=1)).isoformat(), 50)  # a Tuesday
    page.locator("input[type=file]").set_input_files(csv_upload(bad))
    page.get_by_role("button", name="Upload and preview").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("is not a Monday")
    expect(summary).to_contain_text("Nothing was saved")
    assert DataPoint.objects.filter(measure=measure).count() == 4
    assert_accessible(page)

    good = [(w.strftime("%d/%m/%Y"), 50 + k) for k, w in enumerate(uploaded)]
    page.locator("input[type=file]").set_input_files(csv_upload(good))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Check the upload before saving")).to_be_visible()
    expect(page.locator("main")).to_contain_text("5 weeks will be added")
    assert_accessible(page)
    page.get_by_role("button", name="Save these values").click()
    expect(page.locator("main")).to_contain_text("Upload saved: 5 weeks added, 0 replaced.")
    assert DataPoint.objects.filter(measure=measure).count() == 9

    chart = page.get_by_role("img", name="Run chart (Anhøj rules) of Handovers finished by 08:00")
    expect(chart).to_have_attribute("alt", re.compile(r"9 weeks\..*Not enough data yet", re.S))
    svg = page.request.get(chart.evaluate("img => img.src")).text()
    assert "PDSA 1" in svg
    expect(chart).to_have_js_property("complete", True)  # the drawing has arrived
    expect(chart).not_to_have_js_property("naturalWidth", 0)  # and is a picture, not a broken image
    expect(page.locator("main")).to_contain_text("PDSA 1:")
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_a_new_period_starts_within_the_data_and_short_limits_are_flagged(page, live_server, demo, sign_in):
    lead = User.objects.get(username="qilead")
    initiative = InitiativeFactory(lead=lead, title="Quicker discharge letters", status="live")
    measure = Measure.objects.create(
        initiative=initiative,
        name="Letters sent the same day",
        definition="Letters sent on the day of discharge.",
        unit="percent",
        improvement="increase",
        chart="xmr",
        owner=lead,
    )
    weeks = selectors.recent_weeks(timezone.localdate(), 21)[1:][::-1]  # 20 complete weeks, oldest first
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, week_start=week, value=60 + k % 5) for k, week in enumerate(weeks)
    )

    sign_in("qilead")
    page.goto(f"{live_server.url}{measure.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Letters sent the same day")).to_be_visible()
    expect(page.get_by_text("Limits from few points")).to_have_count(0)
    page.get_by_role("link", name="Start a new period").click()
    expect(page).to_have_title("Start a new period – QI Portal")

    fill_date(page, "First week of the new period", 7, 1, 2030)
    page.get_by_role("textbox", name="Why does the chart start a new period?").fill("New letter template")
    page.get_by_role("button", name="Start a new period").click()
    expect(page).to_have_title(re.compile("^Error: Start a new period"))
    message = f"Choose a week within the data: after {weeks[0].day} {weeks[0]:%B %Y}, the first week with data"
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(message)
    expect(page.locator(".nhsuk-form-group--error .nhsuk-error-message")).to_contain_text(message)  # by the field
    assert not measure.rephases.exists()
    assert_accessible(page)

    fill_date(page, "First week of the new period", weeks[-5].day, weeks[-5].month, weeks[-5].year)
    page.get_by_role("button", name="Start a new period").click()
    expect(page.locator("main")).to_contain_text("The chart starts a new period from that week.")
    caveat = page.get_by_test_id("chart-caveats")
    expect(caveat).to_be_visible()
    expect(caveat).to_contain_text(f"The limits of the period from {weeks[-5].day} {weeks[-5]:%B %Y} are drawn from")
    expect(caveat).to_contain_text("only 5 weeks")
    chart = page.get_by_role("img", name=re.compile("^XmR chart of Letters sent the same day"))
    expect(chart).to_have_attribute("alt", re.compile("drawn from only 5 weeks"))
    assert_accessible(page)
    assert_no_sideways_scroll(page)
