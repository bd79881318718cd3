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
    page.get_by_label("Which colleagues are you reporting?").select_option(label="Megan Clarke, Healthcare assistant")
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
