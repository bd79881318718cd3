"""Learning from Excellence end to end in a real browser: report, thank you, AI conversation, the wall."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll

WHY = "Calm and kind during a very busy night shift on the bay."


def test_excellence_reaches_people_and_the_learning_reaches_the_wall(page, live_server, demo, sign_in):
    # staff reports the Oak Ward team and a named colleague
    sign_in("staff")
    page.get_by_role("link", name="Excellence", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("Learning from Excellence")
    assert_accessible(page)
    page.get_by_role("link", name="Report excellence").first.click()
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text("No patient details")
    assert_accessible(page)
    page.get_by_label("Megan Clarke, Healthcare assistant").check()
    page.get_by_label("Or a whole team or ward").select_option(label="Oak Ward")
    page.get_by_label("Where did it happen?").select_option(label="Oak Ward")
    page.get_by_label("What happened?").fill("Stayed after a long shift to settle a frightened patient.")
    page.get_by_label("Why was it excellent?").fill(WHY)
    page.get_by_label("What difference did it make?").fill("The patient slept and did not need sedation.")
    # A patient's NHS number is refused, and the text typed is kept
    page.get_by_label("What could the organisation learn from it?").fill("Patient 943 476 5919 slept well.")
    page.get_by_label("Compassion").check()
    page.locator("input[name=share][value=yes]").check()
    page.get_by_role("button", name="Send report").click()
    expect(page).to_have_title(re.compile("^Error:"))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("NHS number")
    expect(page.get_by_label("Why was it excellent?")).to_have_value(WHY)
    assert_accessible(page)
    page.get_by_label("What could the organisation learn from it?").fill("Protected time for reassurance at night.")
    page.get_by_role("button", name="Send report").click()
    expect(page.locator("h1")).to_contain_text("Report sent")
    assert_accessible(page)
    report_url = page.get_by_role("link", name="View your report").get_attribute("href")

    # the colleague opens it, says thank you and agrees to share
    sign_in("hca")
    page.goto(f"{live_server.url}{report_url}")
    expect(page.get_by_label("Your message to the person who reported this")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Your message to the person who reported this").fill("Thank you, that made my week.")
    page.get_by_role("button", name="Say thank you").click()
    expect(page.locator(".nhsuk-notification-banner, main").first).to_contain_text("You said thank you to Tom Hughes")
    page.locator("input[name=sharing-share][value=yes]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save sharing choice").click()
    expect(page.locator("input[name=sharing-share][value=yes]")).to_be_checked()
    assert_accessible(page)

    # the ward manager answers for the team and records the AI conversation
    sign_in("wardmanager")
    page.goto(f"{live_server.url}{report_url}")
    page.locator("input[name=sharing-share][value=yes]").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save sharing choice").click()
    page.get_by_role("link", name="Record the conversation").click()
    expect(page.get_by_label("Strengths: what went well")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Megan Clarke, Healthcare assistant").check()
    page.get_by_label("Strengths: what went well").fill("Knowing the patients well and noticing early.")
    page.get_by_label("What could we spread?").fill("Night-time reassurance rounds on Willow Ward.")
    page.get_by_role("button", name="Save conversation").click()
    expect(page.locator("main")).to_contain_text("Conversation held")
    assert_accessible(page)
    assert_no_sideways_scroll(page)

    # the report is on the trust wall and the Oak Ward wall
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/excellence/wall/")
    expect(page.locator("main")).to_contain_text(WHY)
    assert_accessible(page)
    page.goto(f"{live_server.url}/excellence/wall/oak-ward/")
    expect(page.locator("main")).to_contain_text(WHY)
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_a_qi_lead_confirms_before_starting_an_initiative_and_the_two_link(page, live_server, demo, sign_in):
    from excellence.models import ExcellenceReport

    report = ExcellenceReport.objects.filter(initiative__isnull=True).order_by("pk").first()
    sign_in("qilead")
    page.goto(f"{live_server.url}{report.get_absolute_url()}")
    page.get_by_role("link", name="Start an initiative from this").click()
    expect(page).to_have_title("Start an initiative from this report – QI Portal")
    expect(page.get_by_role("heading", name="Start an initiative from this report?")).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"Spreading excellence from {report.ward.name}")
    assert not ExcellenceReport.objects.get(pk=report.pk).initiative_id  # nothing made by looking
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Create the draft initiative").click()
    expect(page).to_have_title(f"Spreading excellence from {report.ward.name} – QI Portal")
    expect(page.locator("main")).to_contain_text("You started a draft initiative")
    back = page.get_by_role("link", name=re.compile(f"^the Learning from Excellence report on {report.ward.name}"))
    expect(back).to_be_visible()
    assert_accessible(page)
    back.click()
    page.wait_for_url(f"{live_server.url}{report.get_absolute_url()}")
    expect(page.get_by_role("link", name=f"Spreading excellence from {report.ward.name}")).to_be_visible()


def test_oak_wards_excellence_chart_says_too_few_useful_observations(page, live_server, demo, sign_in):
    sign_in("staff")
    page.goto(f"{live_server.url}/wards/oak-ward/")
    expect(page).to_have_title(re.compile("^Oak Ward"))
    chart = page.get_by_role("img", name=re.compile("^Run chart of excellence reports per week for Oak Ward"))
    expect(chart).to_be_visible()
    # Most weeks have no report, so the median is 0 and most weeks sit on it: no signal can be read from that.
    expect(chart).to_have_attribute("alt", re.compile("median 0 a week. Too few useful observations"))
    caption = page.locator("figcaption", has_text="excellence reports per week for Oak Ward")
    expect(caption).to_contain_text("Too few useful observations for the Anhøj rules")
    expect(caption).not_to_contain_text("non-random")
    assert_accessible(page)
