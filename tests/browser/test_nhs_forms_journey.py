"""Issue 17: the NHS.UK date input and the checkbox picker, filled with the keyboard alone, with the NHS.UK error
summary, and axe clean at 1,280 and 320 px."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll, tab_to

WIDE = {"width": 1280, "height": 900}


def accessible_at_both_widths(page) -> None:
    page.set_viewport_size(WIDE)
    assert_accessible(page)
    assert_no_sideways_scroll(page)  # leaves the page 320 px wide
    assert_accessible(page)
    page.set_viewport_size(WIDE)


def type_into(page, locator, text: str) -> None:
    tab_to(page, locator)
    page.keyboard.type(text)


def test_a_lead_picks_the_team_and_types_the_dates_by_keyboard(page, live_server, demo, sign_in):
    sign_in("qilead")
    page.set_viewport_size(WIDE)
    page.goto(f"{live_server.url}/initiatives/new/")
    expect(page).to_have_title(re.compile("^Aim – Log a new initiative"))
    page.get_by_label("Title").fill("Hourly rounding on Oak Ward")
    page.get_by_label("What is the problem and why does it matter?").fill("Falls at night are rising.")
    page.get_by_label("Aim statement").fill("Halve falls at night on Oak Ward by June 2027.")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^Scope and priority"))
    page.get_by_label("One or more wards").check()
    page.get_by_label("Oak Ward").check()
    page.get_by_label("Population health").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile("^People"))
    page.get_by_label("Sponsor").select_option(label="Michael Okafor (Divisional director of nursing)")

    # Team members: real checkboxes in a scrolling box, with a filter box the script adds. No Ctrl-click list.
    team = page.get_by_role("group", name="Team members")
    expect(team.get_by_role("checkbox").first).to_be_attached()
    assert page.locator("select[multiple]").count() == 0
    everyone = team.get_by_role("checkbox").count()
    filter_box = page.get_by_label("Filter the people by name")
    expect(filter_box).to_be_visible()
    accessible_at_both_widths(page)
    type_into(page, filter_box, "megan")
    megan = team.get_by_role("checkbox", name="Megan Clarke (Healthcare assistant)")
    expect(megan).to_be_visible()
    expect(team.locator(".nhsuk-checkboxes__item:visible")).to_have_count(1)
    page.keyboard.press("Enter")  # filtering never sends the form
    expect(page).to_have_title(re.compile("^People"))
    page.keyboard.press("Tab")
    expect(megan).to_be_focused()
    page.keyboard.press("Space")
    expect(megan).to_be_checked()
    filter_box.fill("")  # clearing the filter shows everyone again; the ticked box stays ticked
    expect(team.locator(".nhsuk-checkboxes__item:visible")).to_have_count(everyone)
    expect(megan).to_be_checked()
    page.get_by_role("button", name="Continue").click()

    # Dates: day, month and year boxes, typed with Tab between them; the end date lacks its month.
    expect(page).to_have_title(re.compile("^Dates and change ideas"))
    assert page.locator("input[type=date]").count() == 0
    start = page.get_by_role("group", name="Planned start")
    end = page.get_by_role("group", name="Planned end")
    type_into(page, start.get_by_label("Day", exact=True), "1")
    for box, text in (("Month", "12"), ("Year", "2026")):
        page.keyboard.press("Tab")
        expect(start.get_by_label(box, exact=True)).to_be_focused()
        page.keyboard.type(text)
    type_into(page, end.get_by_label("Day", exact=True), "30")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(end.get_by_label("Year", exact=True)).to_be_focused()
    page.keyboard.type("2027")
    page.keyboard.press("Enter")

    # The NHS.UK error pattern: the summary first in the page, naming what is wrong and linking to the wrong box,
    # which alone is highlighted; the message also sits in the date's group.
    expect(page).to_have_title(re.compile("^Error: Dates and change ideas"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    heading_follows = "s => !!(s.compareDocumentPosition(document.querySelector('main h1')) & 4)"
    assert summary.evaluate(heading_follows), "the error summary comes before the page's heading"
    link = summary.get_by_role("link", name="Planned end date must include a month")
    expect(link).to_have_attribute("href", "#id_planned_end_on-month")
    expect(end.locator(".nhsuk-error-message")).to_have_text("Error: Planned end date must include a month")
    expect(end.locator(".nhsuk-input--error")).to_have_count(1)
    expect(end.get_by_label("Month", exact=True)).to_have_class(re.compile("nhsuk-input--error"))
    expect(end.get_by_label("Day", exact=True)).to_have_value("30")
    expect(start.get_by_label("Year", exact=True)).to_have_value("2026")
    accessible_at_both_widths(page)
    tab_to(page, link)
    page.keyboard.press("Enter")
    expect(end.get_by_label("Month", exact=True)).to_be_focused()
    page.keyboard.type("6")
    page.keyboard.press("Enter")

    expect(page).to_have_title(re.compile("^Check your answers"))
    answers = page.locator("main")
    expect(answers).to_contain_text("1 December 2026")
    expect(answers).to_contain_text("30 June 2027")
    expect(answers).to_contain_text("Megan Clarke")


def test_about_you_labels_are_never_broken_mid_word(page, live_server, demo, sign_in):
    """Issue 17: "Nam e", "Directora te" in the About you card, a summary list in a one-third column."""
    sign_in("sponsor")
    card = page.locator(".nhsuk-card", has=page.get_by_role("heading", name="About you"))
    lines_of = (
        "element => { const r = document.createRange(); r.selectNodeContents(element); "
        "return r.getClientRects().length; }"
    )
    for width in (1280, 1024, 800):
        page.set_viewport_size({"width": width, "height": 900})
        expect(card).to_be_visible()
        keys = card.locator(".nhsuk-summary-list__key")
        expect(keys.first).to_have_text("Name")
        for k in range(keys.count()):
            key = keys.nth(k)
            assert key.evaluate(lines_of) == 1, f"'{key.inner_text()}' wraps at {width}px"
    assert_accessible(page)
