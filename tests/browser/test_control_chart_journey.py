"""A QI lead adds a proportion measure, uploads monthly numerators and denominators (a bad row first: refused,
nothing saved), sees a P chart with stepped limits and its signal in words, and switches to P′ with a reason."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from qiportal.models import User, Ward
from runcharts import kinds
from runcharts.models import DataPoint, Measure
from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll
from tests.factories import InitiativeFactory

NAME = "Falls risk assessment within 6 hours"


def months_csv(rows) -> dict:
    text = "month_start,numerator,denominator\n" + "".join(f"{month},{n},{d}\n" for month, n, d in rows)
    return {"name": "falls-risk-assessments.csv", "mimeType": "text/csv", "buffer": text.encode()}


def monthly_rows():
    """24 complete months: about 60% assessed for a year, then about 85%, over 40 to 60 admissions a month."""
    last = kinds.last_complete_period(kinds.MONTHLY, timezone.localdate())
    months = kinds.recent_periods(kinds.MONTHLY, last, 24)[::-1]
    rows = []
    for k, month in enumerate(months):
        admitted = 40 + (k * 7) % 21
        rows.append((f"{month:%Y-%m}", round(admitted * (0.6 if k < 12 else 0.85)), admitted))
    return months, rows


def test_lead_builds_a_p_chart_and_switches_to_p_prime(page, live_server, demo, sign_in):
    lead = User.objects.get(username="qilead")
    initiative = InitiativeFactory(
        lead=lead, title="Fewer falls on Oak Ward", status="live", wards=[Ward.objects.get(name="Oak Ward")]
    )
    months, rows = monthly_rows()

    sign_in("qilead")
    page.goto(f"{live_server.url}/measures/new/?initiative={initiative.pk}")
    expect(page).to_have_title(re.compile("^Add a measure"))
    page.get_by_label("Measure name").fill(NAME)
    page.get_by_label("A numerator out of a denominator, shown as a percentage").check()
    page.get_by_label("Monthly", exact=True).check()
    page.get_by_label("Operational definition").fill("Patients admitted with a falls risk assessment within 6 hours.")
    page.get_by_label("Numerator: what is counted").fill("Patients assessed within 6 hours")
    page.get_by_label("Denominator: out of what").fill("Patients admitted")
    assert_accessible(page)
    page.get_by_role("button", name="Add measure").click()
    expect(page).to_have_title(re.compile(f"^{NAME}"))
    expect(page.get_by_text("Now enter its monthly data.")).to_be_visible()
    measure = Measure.objects.get(name=NAME)

    page.get_by_role("link", name="Upload a spreadsheet").click()
    expect(page).to_have_title(re.compile("^Upload monthly values"))
    bad = list(rows)
    bad[5] = (bad[5][0], 12, 10)
    page.locator("input[type=file]").set_input_files(months_csv(bad))
    page.get_by_role("button", name="Upload and preview").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(f"Numerator 12 is larger than denominator 10 for {months[5]:%B %Y}")
    expect(summary).to_contain_text("Nothing was saved")
    assert not DataPoint.objects.filter(measure=measure).exists()
    assert_accessible(page)

    page.locator("input[type=file]").set_input_files(months_csv(rows))
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_role("heading", name="Check the upload before saving")).to_be_visible()
    expect(page.get_by_text("24 months will be added")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save these values").click()
    expect(page.get_by_text("Upload saved: 24 months added, 0 replaced.")).to_be_visible()

    chart = page.get_by_role("img", name=re.compile(f"^P chart of {NAME}, 24 months"))
    expect(chart).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"run of 12 months above the centre line since {months[12]:%B %Y}")
    expect(page.locator("main")).to_contain_text("Control-chart rules (docs/spc-control-charts.md")
    # Stepped limits: each month's limits follow its own denominator, as the data table shows.
    limits = page.locator("td", has_text=re.compile(r"^Limits \d")).all_inner_texts()
    assert len(limits) == 24 and len(set(limits)) > 1
    expect(chart).to_have_js_property("complete", True)  # the drawing has arrived
    expect(chart).not_to_have_js_property("naturalWidth", 0)  # and is a picture, not a broken image
    assert_accessible(page)

    page.get_by_role("link", name="Enter monthly values").click()
    expect(page).to_have_title(re.compile("^Enter monthly values"))
    expect(page.get_by_label(f"{months[-1]:%B %Y}: numerator")).to_have_value(str(rows[-1][1]))
    assert_accessible(page)
    page.go_back()
    expect(page).to_have_title(re.compile(f"^{NAME}"))

    page.get_by_role("link", name=f"Change the chart of {NAME}").click()
    expect(page).to_have_title(re.compile("^Change the chart"))
    page.get_by_label("P′ chart (Laney, proportions with large denominators)").check()
    page.get_by_label("Why are you changing the chart?").fill("Trust-wide roll-out next: compare with the P′ charts.")
    assert_accessible(page)
    page.get_by_role("button", name="Change the chart").click()
    expect(page.get_by_text("The measure now uses a P′ chart.")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile(f"^P′ chart of {NAME}"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("Trust-wide roll-out next: compare with the P′ charts.")
    assert Measure.objects.get(pk=measure.pk).history.latest().chart_reason.startswith("Trust-wide roll-out")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
