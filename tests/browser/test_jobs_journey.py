"""The demo's overloaded ward: the sponsor finds the flag, records a decision, and sets how they are told."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll


def test_sponsor_accepts_the_load_on_an_overloaded_ward(page, live_server, demo, sign_in):
    sign_in("sponsor")
    page.goto(f"{live_server.url}/wards/oak-ward/")
    gauge = page.locator(".app-overload").first
    expect(gauge).to_contain_text("over threshold")
    expect(gauge).to_contain_text("Overload flag open")
    gauge.get_by_role("link", name="See the overload flag for this ward and decide").click()
    expect(page).to_have_title("Overload flag: Oak Ward – QI Portal")
    assert_accessible(page)

    page.get_by_label("Accept this load for now").check()
    page.get_by_role("button", name="Record decision").click()
    expect(page).to_have_title(re.compile("^Error:"))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter your reason")
    assert_accessible(page)

    page.get_by_label("Accept this load for now").check()
    page.get_by_label("Your reason").fill("Two initiatives finish next month; the ward manager agrees.")
    review_on = timezone.localdate() + timedelta(days=28)
    page.get_by_label("Review this decision on").fill(review_on.isoformat())
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator(".nhsuk-notification-banner, main").first).to_contain_text(
        "You accepted the load on Oak Ward for now"
    )
    expect(page.locator("main")).to_contain_text("Accepted for now by")
    assert_accessible(page)


def test_notification_preferences_page_is_accessible_at_320px(page, live_server, demo, sign_in):
    sign_in("wardmanager")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name="Choose how you are told about each kind of message").click()
    expect(page).to_have_title("How you are told – QI Portal")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_role("group", name="Ward overload (initiativitis) flags").get_by_label(
        "Include in my weekly digest email"
    ).check()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.locator("main")).to_contain_text("Your notification preferences are saved.")
