"""Issue 17, what a sponsor sees: the load an approval adds to each ward, and the Reviews count at 320 px wide."""

import re

from playwright.sync_api import expect

from projects.models import Initiative
from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll


def test_the_approve_page_shows_what_approval_does_to_oak_wards_load(page, live_server, demo, sign_in):
    """Oak Ward is flagged in the demo; approving 'Safer insulin prescribing' adds one to its load."""
    proposal = Initiative.objects.get(title="Safer insulin prescribing")
    sign_in("sponsor")
    page.goto(f"{live_server.url}/reviews/{proposal.pk}/")
    expect(page).to_have_title("Review Safer insulin prescribing – QI Portal")
    page.get_by_role("link", name="Approve Safer insulin prescribing", exact=True).click()
    expect(page).to_have_title("Approve initiative – Safer insulin prescribing – QI Portal")
    load = page.get_by_test_id("load-if-live")
    expect(load).to_be_visible()
    oak = load.get_by_role("listitem").filter(has_text="Oak Ward")
    expect(oak).to_contain_text(re.compile(r"load [\d.]+ now, [\d.]+ after approval, of a threshold of [\d.]+"))
    expect(oak).to_contain_text("Overload flag open")
    assert_accessible(page)
    # From here the sponsor reaches the flag and may decide it.
    oak.get_by_role("link", name="Decide on the overload flag for Oak Ward").click()
    expect(page).to_have_title("Overload flag: Oak Ward – QI Portal")
    expect(page.get_by_role("heading", name="Record your decision")).to_be_visible()


def test_unread_notifications_stay_in_view_at_320px_in_the_account_area(page, live_server, demo, sign_in):
    """The menu folds what does not fit into "More"; the notifications link and its count sit with the account
    links, which never fold, so a person on a phone sees what is waiting for them."""
    from qiportal import notifications
    from qiportal.models import Notification, NotificationKind, User

    staff = User.objects.get(username="staff")
    for n in range(3):
        notifications.notify(
            recipients=[staff], kind=NotificationKind.DECISION, title=f"Decision {n}", body="A decision.", event=str(n)
        )
    unread = Notification.objects.filter(recipient=staff, read_at__isnull=True).count()
    assert unread >= 3
    sign_in("staff")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/excellence/")
    account = page.get_by_role("navigation", name="Account")
    link = account.get_by_role("link", name=f"Notifications {unread} unread")
    expect(link).to_be_visible()
    expect(link.locator(".app-nav-count")).to_have_text(f"{unread} unread")
    expect(
        page.get_by_role("navigation", name="Menu").get_by_role("link", name=re.compile("^Notifications"))
    ).to_have_count(0)
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    link.click()
    expect(page).to_have_title("Notifications – QI Portal")
    expect(account.get_by_role("link", name=re.compile("^Notifications"))).to_have_attribute("aria-current", "page")


def test_more_shows_the_counts_it_hides_at_320px(page, live_server, demo, sign_in):
    """Staff see Home and Initiatives at 320 px; "Readiness audits" and its count fold behind "More", whose button
    then carries that count."""
    from ffit.models import Audit, Response
    from qiportal.models import User, Ward

    staff = User.objects.get(username="staff")
    waiting = Response.objects.filter(respondent=staff, submitted_at__isnull=True, audit__status=Audit.Status.OPEN)
    if not waiting.exists():
        audit = Audit.objects.create(ward=Ward.objects.first(), owner=User.objects.get(username="wardmanager"))
        Response.objects.create(audit=audit, respondent=staff)
    count = waiting.count()
    sign_in("staff")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/excellence/")
    more = page.get_by_role("button", name=f"Browse More {count} waiting in these pages")
    expect(more).to_be_visible()
    expect(more.locator(".app-nav-count")).to_have_text(f"{count} waiting in these pages")
    more.click()
    expect(page.get_by_role("link", name=f"Readiness audits {count} to answer")).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 800})  # everything fits: nothing hidden, no count on More
    expect(page.get_by_role("link", name=f"Readiness audits {count} to answer")).to_be_visible()
    expect(page.locator(".nhsuk-header__menu-toggle .app-nav-count")).to_be_hidden()


def test_the_sponsors_reviews_count_stays_in_view_at_320px(page, live_server, demo, sign_in):
    sign_in("sponsor")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Browse More")).to_be_visible()  # the header has folded items away
    reviews = page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name=re.compile(r"^Reviews \d+ to review$")
    )
    expect(reviews).to_be_visible()
    expect(reviews.locator(".app-nav-count")).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible(page)
