"""Each demo user signs in in a real browser and lands on their role's home page; no axe violations."""

import re

import pytest
from playwright.sync_api import expect

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
    expect(page).to_have_title("Sign in – QI Portal")
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_a_wrong_password_shows_the_error_summary(page, live_server, demo, sign_in):
    sign_in("qilead", "not-the-password")
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile("^Error:"))
    assert_accessible(page)


@pytest.mark.parametrize(("username", "role_label"), HOMES.items())
def test_each_demo_user_signs_in_to_their_home(page, live_server, demo, sign_in, username, role_label):
    sign_in(username)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text(re.compile("^Hello,"))
    expect(page.locator(".nhsuk-caption-l").first).to_have_text(role_label)
    expect(page.locator("footer")).to_contain_text("holds no patient-identifiable information")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile("/accounts/login/"))
    expect(page).to_have_title("Sign in – QI Portal")
