"""Single sign-on through the test identity provider (tests/oidc_provider/), over real HTTP: what a person sees
when it works, when the provider or its answer cannot be trusted, and what is (not) saved."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains, assertRedirects

from qiportal.models import ExternalIdentity, Role, User
from tests.factories import UserFactory, with_role
from tests.oidc_provider.fixtures import CLIENT_ID, PROVIDER_NAME, allow_form_action_to, sign_in_at_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(single_sign_on):
    return single_sign_on.provider


def amara(provider, **changes) -> dict:
    claims = {
        "sub": "entra-oid-amara",
        "given_name": "Amara",
        "family_name": "Nwosu",
        "name": "Amara Nwosu",
        "email": "amara.nwosu@trust.nhs.invalid",
        "preferred_username": "amara.nwosu@trust.nhs.invalid",
        "job_title": "Staff nurse",
        **changes,
    }
    return provider.add_person("amara", **claims)


def signed_in_user(client):
    return User.objects.filter(pk=client.session.get("_auth_user_id")).first()


def test_the_login_page_offers_the_provider_beside_the_password_form(client, single_sign_on):
    response = client.get(reverse("login") + "?next=/measures/")
    assertContains(response, f"Sign in with {PROVIDER_NAME}")
    assertContains(response, 'href="/accounts/sso/start/?next=%2Fmeasures%2F"')
    assertContains(response, "Or sign in with a QI Portal username and password")
    assertContains(response, 'name="password"')


def test_the_request_to_the_provider_carries_state_nonce_and_a_pkce_challenge(client, provider):
    started = client.get(reverse("sso_start"))
    query = parse_qs(urlsplit(started["Location"]).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == ["openid profile email"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43  # base64url of a SHA-256 digest
    assert query["state"][0] and query["nonce"][0]
    assert query["redirect_uri"] == ["http://testserver/accounts/sso/callback/"]


def test_a_new_person_gets_an_account_from_their_claims(client, provider):
    amara(provider)
    response = sign_in_at_provider(client, provider, "amara")
    assertRedirects(response, reverse("home"), fetch_redirect_response=False)
    person = signed_in_user(client)
    assert (person.username, person.first_name, person.last_name) == ("amara.nwosu@trust.nhs.invalid", "Amara", "Nwosu")
    assert (person.email, person.job_title) == ("amara.nwosu@trust.nhs.invalid", "Staff nurse")
    assert not person.has_usable_password()
    assert not person.is_staff and person.role_set == frozenset()
    identity = person.external_identities.get()
    assert (identity.issuer, identity.subject) == (provider.issuer, "entra-oid-amara")
    assertContains(client.get(reverse("home")), "Hello, Amara")


def test_sign_in_returns_to_the_page_asked_for_and_never_to_another_site(client, provider):
    amara(provider)
    assertRedirects(
        sign_in_at_provider(client, provider, "amara", next="/measures/"), "/measures/", fetch_redirect_response=False
    )
    client.logout()
    response = sign_in_at_provider(client, provider, "amara", next="https://evil.example/")
    assertRedirects(response, reverse("home"), fetch_redirect_response=False)


def test_a_known_person_is_matched_on_their_subject_and_keeps_their_roles(client, provider, ward):
    grace = with_role(UserFactory(username="grace", email="grace@old.nhs.invalid"), Role.WARD_MANAGER, ward=ward)
    ExternalIdentity.objects.create(user=grace, issuer=provider.issuer, subject="entra-oid-grace")
    # The provider has her under a new address and a new surname: the subject is what matches.
    provider.add_person(
        "grace",
        sub="entra-oid-grace",
        given_name="Grace",
        family_name="Mensah-Boateng",
        email="grace.mensah@trust.nhs.invalid",
        job_title="Matron",
    )
    response = sign_in_at_provider(client, provider, "grace")
    assertRedirects(response, reverse("home"), fetch_redirect_response=False)
    assert signed_in_user(client) == grace
    assert User.objects.count() == 1
    grace.refresh_from_db()
    assert (grace.last_name, grace.email, grace.job_title) == (
        "Mensah-Boateng",
        "grace.mensah@trust.nhs.invalid",
        "Matron",
    )
    assert grace.has_role(Role.WARD_MANAGER)
    assert grace.external_identities.get().last_signed_in_at is not None


def test_an_email_address_alone_never_signs_anyone_in_to_an_account(client, provider):
    """Someone whose provider account shows an existing person's address is not let into that account."""
    UserFactory(username="priya", email="priya.shah@trust.nhs.invalid")
    provider.add_person("impostor", sub="someone-else", email="priya.shah@trust.nhs.invalid", given_name="P")
    response = sign_in_at_provider(client, provider, "impostor")
    assertContains(response, "Your account needs to be linked first", status_code=409)
    assertContains(response, "Nothing has been changed", status_code=409)
    assert signed_in_user(client) is None
    assert User.objects.count() == 1 and not ExternalIdentity.objects.exists()


@pytest.mark.parametrize(
    "mode",
    ["tampered_id_token", "wrong_audience", "wrong_issuer", "wrong_nonce", "expired", "foreign_key", "no_id_token"],
)
def test_an_id_token_that_fails_a_check_is_refused_and_saves_nothing(client, provider, mode):
    grace = UserFactory(username="grace")
    ExternalIdentity.objects.create(user=grace, issuer=provider.issuer, subject="entra-oid-grace")
    amara(provider)
    # The tampered token claims to be Grace, whose account exists: the broken signature must stop it.
    provider.misbehave(mode, impersonate="entra-oid-grace")
    response = sign_in_at_provider(client, provider, "amara")
    assertContains(response, "We could not check your sign-in", status_code=400)
    assertContains(response, "<title>We could not check your sign-in – QI Portal</title>", status_code=400)
    assertContains(response, f"Try signing in with {PROVIDER_NAME} again", status_code=400)
    assertNotContains(response, "Traceback", status_code=400)
    assert signed_in_user(client) is None
    assert list(User.objects.all()) == [grace]


def test_a_new_signing_key_is_fetched_when_the_provider_rotates_its_keys(client, provider):
    amara(provider)
    sign_in_at_provider(client, provider, "amara")  # our copy of the provider's keys now holds the first key only
    client.logout()
    provider.misbehave("new_signing_key")
    response = sign_in_at_provider(client, provider, "amara")
    assertRedirects(response, reverse("home"), fetch_redirect_response=False)


def finish_at_provider(client, username: str = "amara") -> str:
    """Start sign-in in this client and sign in at the provider; return the callback address, not yet visited."""
    started = client.get(reverse("sso_start"))
    answer = requests.post(
        started["Location"], data={"username": username, "password": "provider-pass"}, allow_redirects=False, timeout=10
    )
    return answer.headers["Location"]


def test_a_code_cannot_be_used_twice(client, provider):
    amara(provider)
    callback = finish_at_provider(client)
    assertRedirects(client.get(callback), reverse("home"), fetch_redirect_response=False)
    client.logout()
    # Replayed (from a shared computer's history, say): the state was used up by the first sign-in.
    assertContains(client.get(callback), "Your sign-in did not complete", status_code=400)
    assert signed_in_user(client) is None


def test_someone_elses_finished_sign_in_does_not_sign_this_browser_in(client, provider):
    """Login CSRF: an attacker's callback address, opened in the victim's browser, signs nobody in."""
    amara(provider)
    attackers_callback = finish_at_provider(Client())
    response = client.get(attackers_callback)
    assertContains(response, "Your sign-in did not complete", status_code=400)
    assert signed_in_user(client) is None


def test_refusing_consent_at_the_provider_says_what_to_do(client, provider):
    amara(provider)
    response = sign_in_at_provider(client, provider, "amara", deny=True)
    assertContains(response, "You have not been signed in", status_code=403)
    assertContains(response, "give permission", status_code=403)
    assertContains(response, "Sign in with a QI Portal username and password instead", status_code=403)
    assert not User.objects.exists()


def test_a_provider_that_cannot_be_reached_gets_a_clear_page(client, single_sign_on):
    with socket_that_refuses() as address:
        single_sign_on.configure(ISSUER=address)
        response = client.get(reverse("sso_start"))
    assertContains(response, f"Sorry, we cannot reach {PROVIDER_NAME} at the moment", status_code=503)
    assertContains(response, "Try again in a few minutes", status_code=503)


def test_a_token_endpoint_that_is_down_gets_the_same_page(client, provider):
    amara(provider)
    provider.misbehave("token_endpoint_down")
    response = sign_in_at_provider(client, provider, "amara")
    assertContains(response, f"Sorry, we cannot reach {PROVIDER_NAME} at the moment", status_code=503)
    assert not User.objects.exists()


def test_a_discovery_document_for_another_issuer_is_not_trusted(client, single_sign_on, provider):
    discovery = provider.issuer + "/.well-known/openid-configuration"
    single_sign_on.configure(ISSUER="https://login.example.nhs.uk", DISCOVERY_URL=discovery)
    response = client.get(reverse("sso_start"))
    assertContains(response, f"Sorry, signing in with {PROVIDER_NAME} is not working", status_code=503)


def test_a_switched_off_account_cannot_sign_in(client, provider):
    grace = UserFactory(username="grace", is_active=False)
    ExternalIdentity.objects.create(user=grace, issuer=provider.issuer, subject="entra-oid-grace")
    provider.add_person("grace", sub="entra-oid-grace", email="grace@trust.nhs.invalid")
    response = sign_in_at_provider(client, provider, "grace")
    assertContains(response, "Your QI Portal account is switched off", status_code=403)
    assertNotContains(response, "Try signing in", status_code=403)
    assert signed_in_user(client) is None


def test_missing_claims_are_named_and_nothing_is_created(client, single_sign_on, provider):
    single_sign_on.configure(REQUIRED_CLAIMS=["email", "given_name"])
    provider.add_person("nomail", sub="no-mail", family_name="Jones")
    response = sign_in_at_provider(client, provider, "nomail")
    assertContains(response, f"We need more details from {PROVIDER_NAME}", status_code=403)
    assertContains(response, "did not send your email address and first name", status_code=403)
    assertContains(response, "Nothing has been saved", status_code=403)
    assert not User.objects.exists() and not ExternalIdentity.objects.exists()


def test_claims_sent_only_from_userinfo_fill_the_account_as_cis2_does(client, single_sign_on, provider):
    single_sign_on.configure(CLAIM_SUBJECT="uid", CLAIM_USERNAME="uid", SCOPES=["openid", "profile", "email"])
    provider.add_person(
        "ade", sub="555000111222", uid="555000111222", given_name="Ade", family_name="Okoro", email="ade@nhs.invalid"
    )
    provider.misbehave("", claims_in_id_token=False)
    response = sign_in_at_provider(client, provider, "ade")
    assertRedirects(response, reverse("home"), fetch_redirect_response=False)
    person = signed_in_user(client)
    assert (person.username, person.first_name, person.email) == ("555000111222", "Ade", "ade@nhs.invalid")
    assert person.external_identities.get().subject == "555000111222"


def test_userinfo_about_someone_else_is_refused(client, provider):
    amara(provider)
    provider.misbehave("userinfo_other_subject")
    response = sign_in_at_provider(client, provider, "amara")
    assertContains(response, "We could not check your sign-in", status_code=400)
    assert not User.objects.exists()


def test_private_key_jwt_client_authentication_signs_in_and_publishes_only_the_public_key(client, single_sign_on):
    single_sign_on.use_private_key_jwt()
    amara(single_sign_on.provider)
    response = sign_in_at_provider(client, single_sign_on.provider, "amara")
    assertRedirects(response, reverse("home"), fetch_redirect_response=False)
    keys = client.get(reverse("sso_client_keys")).json()["keys"]
    assert [(key["kty"], key["kid"], key["use"]) for key in keys] == [("RSA", "test-key", "sig")]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & keys[0].keys()


def test_the_client_keys_page_is_missing_when_a_secret_is_used(client, single_sign_on):
    assert client.get(reverse("sso_client_keys")).status_code == 404


def test_sign_out_ends_the_session_and_the_providers(client, provider):
    amara(provider)
    sign_in_at_provider(client, provider, "amara")
    response = client.post(reverse("logout"))
    end_session = urlsplit(response["Location"])
    assert f"{end_session.scheme}://{end_session.netloc}{end_session.path}" == provider.issuer + "/end-session"
    query = parse_qs(end_session.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/signed-out/"]
    assert query["client_id"] == [CLIENT_ID] and query["id_token_hint"][0].count(".") == 2
    assertRedirects(client.get("/"), f"{reverse('login')}?next=/")  # the portal session has ended
    back = requests.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.headers["Location"].startswith("http://testserver/accounts/signed-out/")
    assert {"event": "end_session", "sub": "entra-oid-amara", "aud": [CLIENT_ID]} in provider.events()
    page = client.get(back.headers["Location"])
    assertContains(page, f"You have signed out of QI Portal and {PROVIDER_NAME}")
    assertContains(page, "<title>You have signed out – QI Portal</title>")


def test_signing_out_of_django_admin_ends_the_providers_session_too(client, provider):
    with_role(UserFactory(username="boss"), Role.ADMIN)
    ExternalIdentity.objects.create(user=User.objects.get(username="boss"), issuer=provider.issuer, subject="oid-boss")
    provider.add_person("boss", sub="oid-boss", email="boss@trust.nhs.invalid")
    sign_in_at_provider(client, provider, "boss")
    response = client.post("/admin/logout/")
    assert response["Location"].startswith(provider.issuer + "/end-session?")
    assert "_auth_user_id" not in client.session


def test_sign_out_without_an_end_session_page_says_the_provider_may_still_be_signed_in(client, provider, monkeypatch):
    from qiportal.auth import client as oidc_client

    amara(provider)
    sign_in_at_provider(client, provider, "amara")
    monkeypatch.setattr(oidc_client, "end_session_url", lambda *args, **kwargs: None)
    response = client.post(reverse("logout"))
    assertRedirects(response, reverse("signed_out"), fetch_redirect_response=False)
    assertContains(client.get(reverse("signed_out")), f"you may still be signed in to {PROVIDER_NAME}")


def test_a_password_sign_in_signs_out_as_before(client, single_sign_on):
    UserFactory(username="grace")
    client.post(reverse("login"), {"username": "grace", "password": "correct-horse-battery"})
    assertRedirects(client.post(reverse("logout")), reverse("login"))


def socket_that_refuses():
    """An address on loopback where nothing listens (bound, never accepting), for a provider that is down."""
    import contextlib
    import socket

    @contextlib.contextmanager
    def refusing():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"

    return refusing()


def test_an_end_session_address_with_its_default_port_is_followed_straight_away(
    client, settings, provider, monkeypatch
):
    """CIS2 writes https://…:443/…; the policy names https://… without it, and browsers treat them as one."""
    from qiportal.auth import client as oidc_client

    amara(provider)
    sign_in_at_provider(client, provider, "amara")
    allow_form_action_to(settings, "https://am.nhsidentity.spineservices.nhs.uk")
    end_session = "https://am.nhsidentity.spineservices.nhs.uk:443/openam/oauth2/connect/endSession?id_token_hint=x"
    monkeypatch.setattr(oidc_client, "end_session_url", lambda *args, **kwargs: end_session)
    assert client.post(reverse("logout"))["Location"] == end_session


def test_an_end_session_page_elsewhere_is_offered_as_a_link(client, provider, monkeypatch):
    """The browser would refuse to follow a sign-out form's redirect to an origin CSP's form-action does not name."""
    from qiportal.auth import client as oidc_client

    amara(provider)
    sign_in_at_provider(client, provider, "amara")
    elsewhere = "https://logout.example.nhs.uk/end?id_token_hint=x"
    monkeypatch.setattr(oidc_client, "end_session_url", lambda *args, **kwargs: elsewhere)
    assertRedirects(client.post(reverse("logout")), reverse("signed_out"), fetch_redirect_response=False)
    page = client.get(reverse("signed_out"))
    assertContains(page, f'href="{elsewhere}"')
    assertContains(page, f"Sign out of {PROVIDER_NAME} too")
