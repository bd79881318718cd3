"""The demo's overloaded ward: the sponsor finds the flag, records a decision, and sets how they are told; one run
of the jobs sends each person one email listing their reminders, shown as one entry on their notifications."""

import re
from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from qiportal.models import Notification, User
from tests.browser.conftest import assert_accessible, assert_no_sideways_scroll, fill_date


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
    fill_date(page, "Review this decision on", review_on.day, review_on.month, review_on.year)
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


def test_one_run_of_the_jobs_sends_the_sponsor_one_email_and_one_grouped_notification(page, live_server, demo, sign_in):
    """Issue 17: a run_jobs run sent the demo sponsor 14 separate "An excellence conversation is overdue" emails."""
    mail.outbox.clear()
    call_command("run_jobs", stdout=StringIO())
    sponsor = User.objects.get(username="sponsor")
    [email] = [message for message in mail.outbox if sponsor.email in message.to]
    batch = Notification.objects.filter(recipient=sponsor).exclude(items=[]).get()
    assert email.subject == batch.title
    assert len(batch.items) > 1

    sign_in("sponsor")
    page.goto(f"{live_server.url}/notifications/")
    expect(page).to_have_title("Notifications – QI Portal")
    card = page.locator(".nhsuk-card").filter(has_text=batch.title)
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("reminder-items").get_by_role("link")).to_have_count(len(batch.items))
    expect(card.get_by_test_id("delivery")).to_contain_text("Email: sent")
    assert_accessible(page)

    # The same run again the same day: nothing is reminded twice, so no second email.
    call_command("run_jobs", stdout=StringIO())
    assert len([message for message in mail.outbox if sponsor.email in message.to]) == 1
    card.get_by_test_id("reminder-items").get_by_role("link").first.click()
    expect(page).not_to_have_title("Notifications – QI Portal")
    expect(page.locator("h1")).to_be_visible()


def test_the_sponsors_review_queue_shows_oak_wards_overload_flag(page, live_server, demo, sign_in):
    """Issue 17: /reviews/ said "Nothing is flagged" while the home page showed Oak Ward's open overload flag."""
    sign_in("sponsor")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("queue-count")).not_to_contain_text(" 0 flagged or stalled")
    page.get_by_role("link", name=re.compile("^Reviews")).first.click()
    expect(page).to_have_title("Reviews – QI Portal")
    flagged = page.get_by_role("heading", name=re.compile(r"^Flagged or stalled \([1-9]"))
    expect(flagged).to_be_visible()
    expect(page.get_by_text("Nothing is flagged")).to_have_count(0)
    oak = page.get_by_role("region", name="Flagged or stalled").get_by_role("link", name="Oak Ward").first
    expect(oak).to_be_visible()
    assert_accessible(page)
