"""LOCAL_PASSWORDS=false: only single sign-on signs anyone in, on our pages and Django admin's alike."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from qiportal.models import ExternalIdentity, Role
from tests.factories import UserFactory, with_role
from tests.oidc_provider.fixtures import PROVIDER_NAME, sign_in_at_provider

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture
def passwords_off(settings, single_sign_on):
    # What settings.py does with LOCAL_PASSWORDS=false (tests/qiportal/test_settings.py checks that it does).
    settings.LOCAL_PASSWORDS = False
    settings.AUTHENTICATION_BACKENDS = [
        b for b in settings.AUTHENTICATION_BACKENDS if b != "django.contrib.auth.backends.ModelBackend"
    ]
    return single_sign_on


def test_the_login_page_offers_only_the_provider(client, passwords_off):
    response = client.get(reverse("login"))
    assertContains(response, f"Sign in with {PROVIDER_NAME}")
    assertNotContains(response, 'name="password"')
    assertNotContains(response, "forgotten my password")
    assertNotContains(response, "Or sign in with")


def test_a_password_posted_anyway_signs_nobody_in(client, passwords_off):
    UserFactory(username="grace")
    response = client.post(reverse("login"), {"username": "grace", "password": PASSWORD})
    assert response.status_code == 405
    assert "_auth_user_id" not in client.session
    # Nor can any other password form: no backend checks passwords any more.
    assert authenticate(RequestFactory().post("/"), username="grace", password=PASSWORD) is None


@pytest.mark.parametrize("name", ["password_reset", "password_reset_done", "password_reset_complete"])
def test_password_pages_are_gone(client, passwords_off, name):
    assert client.get(reverse(name)).status_code == 404


def test_password_change_is_gone_for_a_signed_in_person(client, passwords_off):
    client.force_login(UserFactory())
    assert client.get(reverse("password_change")).status_code == 404


def test_django_admin_sends_people_to_single_sign_on(client, passwords_off):
    assertRedirects(
        client.get("/admin/login/?next=/admin/qiportal/ward/"),
        f"{reverse('login')}?next=/admin/qiportal/ward/",
        fetch_redirect_response=False,
    )
    assertRedirects(client.get("/admin/"), "/admin/login/?next=/admin/", target_status_code=302)
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": "boss", "password": PASSWORD})
    assert "_auth_user_id" not in client.session, response


def test_an_admin_who_signs_in_with_the_provider_reaches_django_admin(client, passwords_off):
    boss = with_role(UserFactory(username="boss"), Role.ADMIN)
    provider = passwords_off.provider
    ExternalIdentity.objects.create(user=boss, issuer=provider.issuer, subject="oid-boss")
    provider.add_person("boss", sub="oid-boss", email="boss@trust.nhs.invalid")
    sign_in_at_provider(client, provider, "boss", next="/admin/")
    assert client.get("/admin/qiportal/ward/").status_code == 200


def test_the_problem_page_offers_no_password_route(client, passwords_off):
    passwords_off.provider.add_person("amara", email="amara@trust.nhs.invalid")
    response = sign_in_at_provider(client, passwords_off.provider, "amara", deny=True)
    assertNotContains(response, "username and password", status_code=403)


def test_with_passwords_on_django_admin_signs_in_as_before(client, single_sign_on):
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": PASSWORD})
    assertRedirects(response, "/admin/")
