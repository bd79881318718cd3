"""qilead logs and submits; sponsor requests changes; qilead resubmits; sponsor approves; qilead runs a
PDSA cycle through all four stages; sponsor halts with a reason; qilead sees the decision and notification."""

from projects.models import Initiative, Status
from tests.browser.conftest import assert_accessible, fill_date


def click(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def test_initiative_journey(page, live_server, demo, sign_in):
    url = live_server.url
    sign_in("qilead")
    page.goto(f"{url}/initiatives/")
    assert_accessible(page)
    page.get_by_role("link", name="Log a new initiative").click()
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
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    assert_accessible(page)
    click(page, "Save and submit for review")
    assert "You submitted" in page.content()
    assert_accessible(page)
    initiative = Initiative.objects.get(title="Early warning scores on Oak Ward")

    sign_in("sponsor")
    page.goto(f"{url}/reviews/")
    assert_accessible(page)
    page.get_by_role("link", name="Early warning scores on Oak Ward").first.click()
    assert_accessible(page)
    page.goto(f"{url}/initiatives/{initiative.pk}/request-changes/")
    page.get_by_label("What needs to change?").fill("Add a balancing measure for nurse workload.")
    click(page, "Request changes")

    sign_in("qilead")
    page.goto(f"{url}/initiatives/{initiative.pk}/")
    assert "Add a balancing measure for nurse workload." in page.content()
    page.get_by_role("link", name="Submit for review").click()
    assert_accessible(page)
    click(page, "Submit for review")

    sign_in("sponsor")
    page.goto(f"{url}/initiatives/{initiative.pk}/approve/")
    assert_accessible(page)
    page.get_by_role("textbox").fill("Readiness audit booked for next week; approved meanwhile.")
    click(page, "Approve initiative")
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
    assert "Complete" in page.content()
    assert_accessible(page)

    sign_in("sponsor")
    page.goto(f"{url}/initiatives/{initiative.pk}/halt/")
    click(page, "Halt initiative")
    assert "There is a problem" in page.content()
    assert_accessible(page)
    page.get_by_label("Why are you halting this initiative?").fill("Oak Ward is overloaded with initiatives.")
    click(page, "Halt initiative")
    assert "You halted" in page.content()

    sign_in("qilead")
    page.goto(f"{url}/initiatives/{initiative.pk}/")
    assert "Oak Ward is overloaded with initiatives." in page.content()
    page.goto(f"{url}/notifications/")
    assert "halted ‘Early warning scores on Oak Ward’" in page.content()
    assert_accessible(page)
