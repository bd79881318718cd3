"""Fixtures: the test identity provider, started once per session in its own process, and QI Portal set up to
use it (`single_sign_on`). tests/conftest.py imports them so every test folder can ask for them."""

import copy
import selectors
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "qi-portal"
CLIENT_SECRET = "test-client-secret"
PROVIDER_NAME = "Trust Identity"
PERSON_PASSWORD = "provider-pass"


class TestProvider:
    """Talks to the running provider: its issuer, and the /_test/ calls that set it up for a test."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, issuer: str):
        self.issuer = issuer

    def _post(self, path: str, data: dict) -> None:
        response = requests.post(self.issuer + path, json=data, timeout=10)
        response.raise_for_status()

    def add_person(self, username: str, password: str = PERSON_PASSWORD, **claims) -> dict:
        claims.setdefault("sub", f"sub-{username}")
        self._post("/_test/people", {"username": username, "password": password, "claims": claims})
        return claims

    def register_client(self, *, sites=("http://testserver",), method="client_secret_basic", jwks=None) -> None:
        self._post(
            "/_test/clients",
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET if method != "private_key_jwt" else "",
                "redirect_uris": [f"{site}/accounts/sso/callback/" for site in sites],
                "post_logout_redirect_uris": [f"{site}/accounts/signed-out/" for site in sites],
                "token_endpoint_auth_method": method,
                "jwks": jwks,
            },
        )

    def misbehave(self, mode: str, **details) -> None:
        """Switch on one of provider.MODES (and claims_in_id_token / impersonate) until reset."""
        self._post("/_test/behaviour", {"mode": mode, **details})

    def reset(self) -> None:
        self._post("/_test/reset", {})

    def events(self) -> list[dict]:
        return requests.get(self.issuer + "/_test/events", timeout=10).json()["events"]


@pytest.fixture(scope="session")
def oidc_provider_process():
    """The provider's own process, on a free loopback port, with keys it generated itself."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout=30)
    issuer = process.stdout.readline().strip() if ready else ""
    if not issuer.startswith("http://127.0.0.1:"):
        process.kill()
        pytest.fail(f"the test identity provider did not start (exit code {process.poll()})")
    yield TestProvider(issuer)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def oidc_provider(oidc_provider_process):
    """The provider, emptied of people, clients and mischief before and after the test."""
    oidc_provider_process.reset()
    yield oidc_provider_process
    oidc_provider_process.reset()


@dataclass
class SingleSignOn:
    provider: TestProvider
    settings: object
    method: str = "client_secret_basic"
    jwks: dict | None = None

    def allow_site(self, *sites: str) -> None:
        """Register the client's callback and sign-out addresses for these sites (a live server's, say)."""
        self.provider.register_client(sites=("http://testserver", *sites), method=self.method, jwks=self.jwks)

    def configure(self, **changes) -> None:
        """Change single sign-on settings for this test, e.g. configure(USERINFO=False)."""
        self.settings.OIDC = {**self.settings.OIDC, **changes}

    def use_private_key_jwt(self) -> None:
        """Authenticate to the token endpoint with a signed assertion (CIS2's way) instead of the secret."""
        from joserfc.jwk import RSAKey

        from qiportal.auth import client, config

        pem = RSAKey.generate_key(2048, private=True).as_pem(private=True).decode()
        self.configure(
            TOKEN_AUTH_METHOD="private_key_jwt", CLIENT_SECRET="", CLIENT_PRIVATE_KEY=pem, CLIENT_KEY_ID="test-key"
        )
        self.method, self.jwks = "private_key_jwt", client.public_key_set(config.provider())
        self.allow_site()


def oidc_settings(issuer: str, **changes) -> dict:
    from django.conf import settings

    return {
        **settings.OIDC,
        "PROVIDER_NAME": PROVIDER_NAME,
        "ISSUER": issuer,
        "DISCOVERY_URL": "",
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "TOKEN_AUTH_METHOD": "client_secret_basic",
        **changes,
    }


def allow_form_action_to(settings, url: str) -> None:
    """What settings.py does for a configured provider: let the sign-out form's redirect reach it."""
    parts = urlsplit(url)
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(f"{parts.scheme}://{parts.netloc}")
    settings.CONTENT_SECURITY_POLICY = policy


@pytest.fixture
def single_sign_on(settings, oidc_provider) -> SingleSignOn:
    """QI Portal set up to sign in with the test provider (local passwords stay on, as in the demo)."""
    settings.OIDC = oidc_settings(oidc_provider.issuer)
    allow_form_action_to(settings, oidc_provider.issuer)
    sso = SingleSignOn(oidc_provider, settings)
    sso.allow_site()
    return sso


def sign_in_at_provider(
    client, provider: TestProvider, username: str, password: str = PERSON_PASSWORD, *, deny=False, **start
):
    """Go through sign-in as a browser would, with Django's test client for QI Portal and requests for the
    provider; returns QI Portal's response to the provider's redirect back (the callback)."""
    started = client.get("/accounts/sso/start/", start)
    assert started.status_code == 302, started
    authorize_url = started["Location"]
    assert authorize_url.startswith(provider.issuer + "/authorize?"), authorize_url
    browser = requests.Session()
    login_page = browser.get(authorize_url, timeout=10)
    assert login_page.status_code == 200, login_page.text
    answer = browser.post(
        authorize_url,
        data={"username": username, "password": password, "action": "deny" if deny else "sign-in"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return client.get(answer.headers["Location"])
