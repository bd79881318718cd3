"""Sign in, sign out, throttling, password change and reset, session expiry, login by default."""

import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from pytest_django.asserts import assertContains, assertRedirects

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
def person(db):
    return UserFactory(username="grace", email="grace@trust.nhs.invalid")


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_pages_need_sign_in_but_login_reset_and_healthz_do_not(client, db):
    assertRedirects(client.get("/"), f"{reverse('login')}?next=/")
    assertRedirects(client.get("/wards/oak-ward/"), f"{reverse('login')}?next=/wards/oak-ward/")
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("password_reset")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200


def test_sign_in_lands_on_the_home_page(client, person):
    response = sign_in(client, "grace", PASSWORD)
    assertRedirects(response, reverse("home"))
    assertContains(client.get(reverse("home")), f"Hello, {person.first_name}")


def test_wrong_password_shows_an_nhs_error_summary_and_keeps_the_username(client, person):
    response = sign_in(client, "grace", "wrong")
    assert response.status_code == 200
    assertContains(response, "There is a problem")
    assertContains(response, "Enter a correct username and password")
    assertContains(response, 'value="grace"')
    assertContains(response, "<title>Error: Sign in")


def test_empty_sign_in_asks_for_each_field(client, db):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    assertContains(response, "Enter your username")
    assertContains(response, "Enter your password")


def test_sign_out_is_a_post_and_ends_the_session(client, person):
    client.force_login(person)
    assert client.get(reverse("logout")).status_code == 405
    assertRedirects(client.post(reverse("logout")), reverse("login"))
    assertRedirects(client.get("/"), f"{reverse('login')}?next=/")


def test_failed_sign_ins_pause_that_username_from_that_address(client, person, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "grace", f"wrong-{attempt}", address="10.0.1.1")
    # Even the right password is refused from that address while the pair is paused.
    response = sign_in(client, "grace", PASSWORD, address="10.0.1.1")
    assert response.status_code == 429
    assertContains(response, "Sign-in is paused", status_code=429)
    assert "_auth_user_id" not in client.session


def test_a_burst_against_one_username_does_not_stop_another_person_at_the_same_address(client, person, settings):
    """Issue 16, item 6: a ward's shared PC (or a trust behind one proxy) is one address for many people."""
    UserFactory(username="other")
    for attempt in range(settings.AXES_FAILURE_LIMIT * 2):
        sign_in(client, "grace", f"guess-{attempt}", address="10.0.3.3")
    assert sign_in(client, "grace", PASSWORD, address="10.0.3.3").status_code == 429
    assertRedirects(sign_in(client, "other", PASSWORD, address="10.0.3.3"), reverse("home"))


def test_guessing_someones_username_from_elsewhere_does_not_lock_them_out(client, person, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT * 2):
        sign_in(client, "grace", f"guess-{attempt}", address="203.0.113.9")
    assertRedirects(sign_in(client, "grace", PASSWORD, address="10.0.4.4"), reverse("home"))


def test_behind_a_proxy_the_client_address_comes_from_the_proxys_header(client, person, settings):
    settings.PROXY_COUNT = 1
    UserFactory(username="other")

    def via_proxy(username, password, client_address, forwarded_prefix=""):
        return client.post(
            reverse("login"),
            {"username": username, "password": password},
            REMOTE_ADDR="10.9.9.9",  # every request arrives from the proxy
            HTTP_X_FORWARDED_FOR=f"{forwarded_prefix}{client_address}",
        )

    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # An attacker cannot dodge the pause by writing their own X-Forwarded-For entries: the proxy's is last.
        via_proxy("grace", f"guess-{attempt}", "198.51.100.7", forwarded_prefix=f"192.0.2.{attempt}, ")
    assert via_proxy("grace", PASSWORD, "198.51.100.7").status_code == 429
    assertRedirects(via_proxy("grace", PASSWORD, "198.51.100.8"), reverse("home"))


def test_a_burst_of_attempts_never_gets_through(client, person, settings):
    statuses = [sign_in(client, "grace", f"guess-{n}").status_code for n in range(30)]
    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert set(statuses[settings.AXES_FAILURE_LIMIT :]) == {429}


def test_password_change(client, person):
    client.force_login(person)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a-new-long-pass-9", "new_password2": "a-new-long-pass-9"},
    )
    assertRedirects(response, reverse("password_change_done"))
    person.refresh_from_db()
    assert person.check_password("a-new-long-pass-9")


def test_password_reset_by_email(client, person):
    response = client.post(reverse("password_reset"), {"email": person.email})
    assertRedirects(response, reverse("password_reset_done"))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assertContains(form_page, "Choose a new password")
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "reset-pass-2026x", "new_password2": "reset-pass-2026x"}
    )
    assertRedirects(response, reverse("password_reset_complete"))
    person.refresh_from_db()
    assert person.check_password("reset-pass-2026x")


def test_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@trust.nhs.invalid"}, follow=True)
    assertContains(response, "Check your email")
    assert mail.outbox == []


def test_an_idle_session_expires_and_asks_for_sign_in_again(client, person, settings):
    with time_machine.travel("2026-11-25 09:00 +0000", tick=False) as traveller:
        client.force_login(person)
        assert client.get("/").status_code == 200
        traveller.shift(settings.SESSION_COOKIE_AGE - 60)
        assert client.get("/").status_code == 200  # activity keeps the session alive
        traveller.shift(settings.SESSION_COOKIE_AGE + 60)
        assertRedirects(client.get("/"), f"{reverse('login')}?next=/")
    assert client.session.get_expire_at_browser_close() is True


def test_reading_pages_renews_the_session_once_a_minute_not_on_every_page(client, person, settings):
    """The idle hour slides with activity, but page after page is not a database write each (issue 15)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return sum('UPDATE "django_session"' in q["sql"] or "INSERT INTO" in q["sql"] for q in queries)

    with time_machine.travel("2026-11-25 09:00 +0000", tick=False) as traveller:
        client.force_login(person)
        assert session_writes() == 0  # signing in marked the session renewed
        traveller.shift(30)
        assert session_writes() == 0
        assert session_writes() == 0
        traveller.shift(31)
        assert session_writes() == 1  # a minute on: renewed
        traveller.shift(settings.SESSION_COOKIE_AGE - 30)
        assert session_writes() == 1  # still signed in 59.5 idle minutes after the last renewal
        traveller.shift(settings.SESSION_COOKIE_AGE + 1)
        assertRedirects(client.get("/"), f"{reverse('login')}?next=/")


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short-pass1", "at least 12 characters"),
        ("password1234", "too common"),
        ("grace@trust.nhs", "too similar to the email address"),
        ("hoppermontgomery", "too similar to the last name"),
        ("391827465019", "entirely numeric"),
    ],
)
def test_weak_new_passwords_are_refused_with_the_reason(client, person, password, why):
    """ASVS level 2: at least 12 characters, not like the person's name, username or email, not common."""
    person.first_name, person.last_name = "Grace", "Hopper-Montgomery"
    person.save(update_fields=["first_name", "last_name"])
    client.force_login(person)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assertContains(response, why)
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_the_demo_password_meets_the_policy(db):
    from django.contrib.auth.password_validation import validate_password

    from qiportal import demo

    for user in demo.seed_organisation(None).values():
        validate_password("qi-portal-demo", user)  # raises if the policy refused it
