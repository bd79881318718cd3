"""Each demo user's home and, where allowed, the dashboard: the numbers match the database, no axe violations."""

import re

import pytest
from playwright.sync_api import expect

from hub import dashboard
from hub.selectors import _live_touching
from projects.selectors import review_counts
from qiportal.models import User, Ward
from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll

DASHBOARD_USERS = ["qilead", "sponsor", "coach", "admin"]


def number_in(text: str) -> int:
    return int(re.search(r"\d+", text).group(0))


def check_page(page):
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.parametrize("username", ["qilead", "sponsor", "wardmanager", "staff", "coach", "admin"])
def test_each_home_and_the_dashboard(page, live_server, demo, sign_in, username):
    user = User.objects.get(username=username)
    sign_in(username)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text(f"Hello, {user.first_name}")
    check_page(page)

    if username == "sponsor":
        queue = page.get_by_test_id("queue-count")
        expect(queue).to_contain_text(str(review_counts(user)["total"]))
        assert number_in(queue.inner_text()) == review_counts(user)["total"]
    if username == "qilead":
        expect(page.get_by_role("heading", name="Your initiatives")).to_be_visible()
    if username == "wardmanager":
        expect(page.get_by_role("link", name="Oak Ward").first).to_be_visible()
    if username == "staff":
        expect(page.get_by_role("link", name="Report excellence").first).to_be_visible()

    response = page.goto(f"{live_server.url}/dashboard/")
    if username not in DASHBOARD_USERS:
        assert response.status == 403
        return
    assert response.status == 200
    expect(page.get_by_test_id("initiative-total")).to_be_visible()
    scope = dashboard.dashboard_scope(user)
    expected = dashboard.scoped_initiatives(scope).count()
    assert number_in(page.get_by_test_id("initiative-total").inner_text()) == expected
    expect(page.locator("#ward-table tbody tr")).to_have_count(dashboard.scoped_wards(scope).count())
    if username == "sponsor":  # oversees Medicine and Older People: no surgical ward appears
        expect(page.locator("#ward-table")).not_to_contain_text("Kingfisher Ward")
    for img in page.locator("main img").all():
        assert img.get_attribute("alt")
        # Fetched one at a time: the test server's in-memory SQLite may refuse parallel image requests.
        chart = page.request.get(f"{live_server.url}{img.get_attribute('src')}")
        assert chart.status == 200 and chart.headers["content-type"] == "image/svg+xml", img.get_attribute("src")
    check_page(page)


def test_dashboard_sorts_and_filters(page, live_server, demo, sign_in):
    sign_in("chiefnurse")
    page.goto(f"{live_server.url}/dashboard/")
    page.get_by_role("link", name="Load", exact=True).click()
    page.wait_for_url(re.compile(r"sort=-load"))
    expect(page.locator("#ward-table")).to_be_visible()
    chief = User.objects.get(username="chiefnurse")
    rows = dashboard.ward_rows(list(dashboard.scoped_wards(dashboard.dashboard_scope(chief))), "-load")
    shown = page.locator("#ward-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.ward)")
    assert shown == [row.ward.slug for row in rows]
    page.get_by_label("Directorate").select_option(label="Surgery and Critical Care")
    page.get_by_role("button", name="Show directorate").click()
    expect(page.locator("h1")).to_have_text("Dashboard: Surgery and Critical Care")
    expect(page.locator("#ward-table")).not_to_contain_text("Oak Ward")
    assert "sort=-load" in page.url  # the chosen order is kept
    assert_accessible(page)


def test_ward_page_lists_who_works_on_what(page, live_server, demo, sign_in):
    sign_in("wardmanager")
    page.get_by_role("link", name="Oak Ward").first.click()
    expect(page.locator("h1")).to_have_text("Oak Ward")
    oak = Ward.objects.get(slug="oak-ward")
    live = _live_touching([oak.pk], [oak.directorate_id]).count()
    expect(page.get_by_test_id("live-count")).to_contain_text(str(live))
    assert number_in(page.get_by_test_id("live-count").inner_text()) == live
    check_page(page)
