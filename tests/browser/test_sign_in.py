"""Each demo user signs in in a real browser and lands on their role's home page; no axe violations."""

import pytest

from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll

HOMES = {
    "qilead": "QI lead",
    "sponsor": "Senior manager (sponsor)",
    "wardmanager": "Ward manager",
    "staff": "Staff",
    "coach": "QI coach",
    "admin": "Admin",
}


def test_login_page_is_accessible_and_reflows(page, live_server, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.title() == "Sign in – QI Portal"
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_a_wrong_password_shows_the_error_summary(page, live_server, demo, sign_in):
    sign_in("qilead", "not-the-password")
    summary = page.locator(".nhsuk-error-summary")
    assert "There is a problem" in summary.inner_text()
    assert page.title().startswith("Error:")
    assert_accessible(page)


@pytest.mark.parametrize(("username", "role_label"), HOMES.items())
def test_each_demo_user_signs_in_to_their_home(page, live_server, demo, sign_in, username, role_label):
    sign_in(username)
    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text().startswith("Hello,")
    assert page.locator(".nhsuk-caption-l").first.inner_text() == role_label
    assert "holds no patient-identifiable information" in page.locator("footer").inner_text()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Sign out").click()
    assert "/accounts/login/" in page.url
