"""Security headers on every kind of page: signed out, signed in, an error page and a download."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def check(response):
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"{response.wsgi_request.path} has no Content-Security-Policy"
    parsed = directives(policy)
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert parsed["default-src"] in (["'self'"], ["'none'"])
    for directive in ("script-src", "style-src"):
        assert parsed.get(directive, parsed["default-src"]) == ["'self'"], directive
    assert parsed.get("frame-ancestors") in (["'none'"], None)
    assert parsed.get("object-src", ["'none'"]) == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_carry_the_security_headers():
    client = Client()
    check(client.get(reverse("login")))
    check(client.get(reverse("password_reset")))
    user = UserFactory()
    client.force_login(user)
    check(client.get(reverse("home")))
    check(client.get(reverse("projects:portfolio")))
    check(client.get("/no-such-page/"))
    check(client.get(reverse("projects:portfolio") + "?export=csv"))


def test_the_session_and_csrf_cookies_are_not_readable_by_script(client):
    user = UserFactory(username="cookie")
    response = client.post(reverse("login"), {"username": "cookie", "password": "correct-horse-battery"})
    assert response.status_code == 302, user
    assert response.cookies["sessionid"]["httponly"]
    assert response.cookies["sessionid"]["samesite"] == "Lax"
