"""The demo's overloaded ward: the sponsor finds the flag, records a decision, and sets how they are told."""

from datetime import timedelta

from django.utils import timezone

from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll, fill_date


def test_sponsor_accepts_the_load_on_an_overloaded_ward(page, live_server, demo, sign_in):
    sign_in("sponsor")
    page.goto(f"{live_server.url}/wards/oak-ward/")
    gauge = page.locator(".app-overload").first
    assert "over threshold" in gauge.inner_text()
    assert "Overload flag open" in gauge.inner_text()
    gauge.get_by_role("link", name="See the overload flag for this ward and decide").click()
    assert page.title() == "Overload flag: Oak Ward – QI Portal"
    assert_accessible(page)

    page.get_by_label("Accept this load for now").check()
    page.get_by_role("button", name="Record decision").click()
    assert page.title().startswith("Error:")
    assert "Enter your reason" in page.locator(".nhsuk-error-summary").inner_text()
    assert_accessible(page)

    page.get_by_label("Accept this load for now").check()
    page.get_by_label("Your reason").fill("Two initiatives finish next month; the ward manager agrees.")
    review_on = timezone.localdate() + timedelta(days=28)
    fill_date(page, "Review this decision on", review_on.day, review_on.month, review_on.year)
    page.get_by_role("button", name="Record decision").click()
    assert (
        "You accepted the load on Oak Ward for now"
        in page.locator(".nhsuk-notification-banner, main").first.inner_text()
    )
    assert "Accepted for now by" in page.locator("main").inner_text()
    assert_accessible(page)


def test_notification_preferences_page_is_accessible_at_320px(page, live_server, demo, sign_in):
    sign_in("wardmanager")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name="Choose how you are told about each kind of message").click()
    assert page.title() == "How you are told – QI Portal"
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_role("group", name="Ward overload (initiativitis) flags").get_by_label(
        "Include in my weekly digest email"
    ).check()
    page.get_by_role("button", name="Save preferences").click()
    assert "Your notification preferences are saved." in page.locator("main").inner_text()
