"""The measure board in a browser: the trust's, a directorate's and a ward's, accessible at 1,280 and 320 px."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll


def icon_words(page, text):
    """The words beside an icon in the measures table (the icon's own SVG title is hidden from the page)."""
    return page.get_by_role("region", name="Measures").locator(".app-board-icon-cell > span", has_text=text)


def check_both_widths(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})


def test_a_sponsor_reads_the_boards_and_clicks_through_to_a_chart(page, live_server, demo, sign_in):
    sign_in("sponsor")
    page.goto(f"{live_server.url}/board/")
    expect(page).to_have_title(re.compile("^Trust board"))
    expect(page.get_by_text("Showing your directorates, concerns first")).to_be_visible()
    expect(icon_words(page, "Special cause concern").first).to_be_visible()
    check_both_widths(page)

    page.get_by_role("link", name="Oak Ward").first.click()
    expect(page).to_have_title(re.compile("^Oak Ward board"))
    wards = page.get_by_role("region", name="Wards: readiness and load")
    expect(wards.get_by_text(re.compile("Load .* of .*"))).to_be_visible()
    for label in ("Special cause improvement", "Special cause concern", "Common cause"):
        expect(icon_words(page, label).first).to_be_visible()
    check_both_widths(page)

    page.get_by_role("link", name="Medicine and Emergency Care board").click()
    expect(page).to_have_title(re.compile("^Medicine and Emergency Care board"))
    check_both_widths(page)

    page.get_by_text("Filter and order").click()
    page.get_by_label("Variation").select_option(label="Common cause")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_title(re.compile("^Medicine and Emergency Care board"))
    rows = page.get_by_role("region", name="Measures").locator("tbody tr")
    expect(rows.first).to_contain_text("Common cause")
    expect(icon_words(page, "Special cause concern")).to_have_count(0)

    rows.first.get_by_role("link").first.click()
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("img").first).to_be_visible()
