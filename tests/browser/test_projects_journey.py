"""qilead logs and submits; sponsor requests changes; qilead resubmits; sponsor approves; qilead runs a
PDSA cycle through all four stages; sponsor halts with a reason; qilead sees the decision and notification."""

from playwright.sync_api import expect

from projects.models import Initiative, Status
from tests.browser.conftest import assert_accessible, fill_date


def click(page, name):
    """Press a form's button and wait for the page it leads to, as a person would."""
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def shows(page, text):
    expect(page.locator("main")).to_contain_text(text)


def test_initiative_journey(page, live_server, demo, sign_in):
    url = live_server.url
    sign_in("qilead")
    page.goto(f"{url}/initiatives/")
    assert_accessible(page)
    page.get_by_role("link", name="Log a new initiative").click()
    expect(page.get_by_label("Title")).to_be_visible()
    page.get_by_label("Title").fill("Early warning scores on Oak Ward")
    page.get_by_label("What is the problem and why does it matter?").fill("Deteriorating patients are missed.")
    page.get_by_label("Aim statement").fill("Escalate 95% of NEWS2 scores of 5 or more within an hour by June.")
    assert_accessible(page)
    click(page, "Continue")
    page.get_by_label("One or more wards").check()
    page.get_by_label("Oak Ward").check()
    page.get_by_label("Population health").check()
    click(page, "Continue")
    page.get_by_label("Sponsor").select_option(label="Michael Okafor (Divisional director of nursing)")
    click(page, "Continue")
    fill_date(page, "Planned start", 1, 12, 2026)
    fill_date(page, "Planned end", 30, 6, 2027)
    page.get_by_label("Change ideas").fill("Escalation prompt on the observation chart")
    click(page, "Continue")
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    assert_accessible(page)
    click(page, "Save and submit for review")
    shows(page, "You submitted")
    assert_accessible(page)
    initiative = Initiative.objects.get(title="Early warning scores on Oak Ward")

    sign_in("sponsor")
    page.goto(f"{url}/reviews/")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Early warning scores on Oak Ward").first.click()
    expect(page.locator("h1")).to_contain_text("Early warning scores on Oak Ward")
    assert_accessible(page)
    page.goto(f"{url}/initiatives/{initiative.pk}/request-changes/")
    page.get_by_label("What needs to change?").fill("Add a balancing measure for nurse workload.")
    click(page, "Request changes")

    sign_in("qilead")
    page.goto(f"{url}/initiatives/{initiative.pk}/")
    shows(page, "Add a balancing measure for nurse workload.")
    page.get_by_role("link", name="Submit for review").click()
    expect(page.get_by_role("button", name="Submit for review")).to_be_visible()
    assert_accessible(page)
    click(page, "Submit for review")

    sign_in("sponsor")
    page.goto(f"{url}/initiatives/{initiative.pk}/approve/")
    assert_accessible(page)
    page.get_by_role("textbox").fill("Readiness audit booked for next week; approved meanwhile.")
    click(page, "Approve initiative")
    shows(page, "You approved")
    initiative.refresh_from_db()
    assert initiative.status == Status.LIVE

    sign_in("qilead")
    page.goto(f"{url}/initiatives/{initiative.pk}/pdsa/new/")
    assert_accessible(page)
    page.get_by_label("What are you testing?").fill("Prompt sticker on bay 1")
    page.get_by_label("Objective").fill("See whether nurses escalate faster with a prompt.")
    fill_date(page, "Start date", 2, 11, 2026)
    fill_date(page, "Planned end", 16, 11, 2026)
    click(page, "Save plan")
    for stage, label, text in [
        ("do", "What happened?", "Used on 40 observations."),
        ("study", "Results against your predictions", "Faster escalation on days."),
    ]:
        page.goto(f"{url}/initiatives/{initiative.pk}/pdsa/1/{stage}/")
        page.get_by_label(label).fill(text)
        assert_accessible(page)
        click(page, f"Save and complete {stage} stage")
    page.goto(f"{url}/initiatives/{initiative.pk}/pdsa/1/act/")
    page.get_by_label("Adapt").check()
    click(page, "Save and complete act stage")
    shows(page, "Complete")
    assert_accessible(page)

    sign_in("sponsor")
    page.goto(f"{url}/initiatives/{initiative.pk}/halt/")
    click(page, "Halt initiative")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("There is a problem")
    assert_accessible(page)
    page.get_by_label("Why are you halting this initiative?").fill("Oak Ward is overloaded with initiatives.")
    click(page, "Halt initiative")
    shows(page, "You halted")

    sign_in("qilead")
    page.goto(f"{url}/initiatives/{initiative.pk}/")
    shows(page, "Oak Ward is overloaded with initiatives.")
    page.goto(f"{url}/notifications/")
    shows(page, "halted ‘Early warning scores on Oak Ward’")
    assert_accessible(page)
