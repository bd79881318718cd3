"""The OpenID Connect conversation with the identity provider, through Authlib.

Authlib keeps the state, nonce and PKCE verifier in the session, exchanges the code and checks the ID token's
signature against the provider's published keys (fetching them again when a new key id appears). We add what it
leaves to the caller: the audience must be our client id, the issuer the one we were configured with, and every
failure becomes a SignInProblem a person can act on.
"""

import logging
import threading
import time
from dataclasses import dataclass

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.http import HttpRequest, HttpResponseRedirect
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey

from qiportal.auth.config import PRIVATE_KEY_JWT, Provider, normalise_issuer
from qiportal.auth.problems import SignInProblem

log = logging.getLogger(__name__)

# Session keys for Authlib's state are named after this.
CLIENT_NAME = "qiportal_sso"
# Providers ask clients to re-read their discovery document now and then (CIS2: "up to an hour is reasonable").
METADATA_MAX_AGE_SECONDS = 3600
# Provider errors that mean "not now" rather than "no", and those that mean our registration or request is wrong.
UNAVAILABLE_ERRORS = {"temporarily_unavailable", "server_error"}
MISCONFIGURED_ERRORS = {"invalid_client", "unauthorized_client", "invalid_scope", "unsupported_response_type"}

_clients: dict[Provider, DjangoOAuth2App] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class VerifiedSignIn:
    """What a completed sign-in proved: who the provider says the person is, checked."""

    issuer: str
    claims: dict
    id_token: str


def signing_key(provider: Provider) -> RSAKey:
    """Our private key for private_key_jwt client authentication (the provider fetches its public half)."""
    key = RSAKey.import_key(provider.client_private_key)
    return RSAKey.import_key(provider.client_private_key, {"kid": provider.client_key_id or key.thumbprint()})


def public_key_set(provider: Provider) -> dict:
    return {"keys": [{**signing_key(provider).as_dict(private=False), "use": "sig", "alg": "RS256"}]}


def _new_client(provider: Provider) -> DjangoOAuth2App:
    client_kwargs = {
        "scope": " ".join(provider.scopes),
        "code_challenge_method": "S256",
        "token_endpoint_auth_method": provider.token_auth_method,
        "default_timeout": provider.timeout_seconds,
    }
    secret, auth_methods = provider.client_secret, None
    if provider.token_auth_method == PRIVATE_KEY_JWT:
        secret = signing_key(provider)
        auth_methods = [PrivateKeyJWT(headers={"kid": secret.kid})]
    return DjangoOAuth2App(
        DjangoIntegration(CLIENT_NAME),
        name=CLIENT_NAME,
        client_id=provider.client_id,
        client_secret=secret,
        server_metadata_url=provider.discovery_url,
        client_kwargs=client_kwargs,
        client_auth_methods=auth_methods,
    )


def _client(provider: Provider) -> DjangoOAuth2App:
    """One client per configuration, so the discovery document and keys are fetched once an hour, not per sign-in."""
    with _lock:
        client = _clients.get(provider)
        loaded_at = client.server_metadata.get("_loaded_at") if client else None
        if client is None or (loaded_at and time.time() - loaded_at > METADATA_MAX_AGE_SECONDS):
            client = _clients[provider] = _new_client(provider)
        return client


def _forget(provider: Provider) -> None:
    with _lock:
        _clients.pop(provider, None)


def _metadata(client: DjangoOAuth2App, provider: Provider) -> dict:
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        _forget(provider)
        raise SignInProblem("unavailable", f"could not read {provider.discovery_url}: {error}") from error
    published = str(metadata.get("issuer", ""))
    if normalise_issuer(published) != normalise_issuer(provider.issuer):
        _forget(provider)
        raise SignInProblem(
            "misconfigured",
            f"{provider.discovery_url} names the issuer {published!r}, not {provider.issuer!r}: "
            "set OIDC_ISSUER to the provider's issuer",
        )
    return metadata


def redirect_to_provider(request: HttpRequest, provider: Provider, redirect_uri: str) -> HttpResponseRedirect:
    """Send the person to the provider's sign-in page; state, nonce and code verifier wait in their session."""
    client = _client(provider)
    _metadata(client, provider)
    extra = {"prompt": provider.prompt} if provider.prompt else {}
    return client.authorize_redirect(request, redirect_uri, **extra)


def complete_sign_in(request: HttpRequest, provider: Provider) -> VerifiedSignIn:
    """Check the provider's answer on the callback and return the person's verified claims."""
    client = _client(provider)
    metadata = _metadata(client, provider)
    error = request.GET.get("error")
    if error:
        kind = _kind_of(error, otherwise="expired")  # e.g. login_required: the sign-in simply did not finish
        raise SignInProblem(kind, f"the provider answered {error}: {request.GET.get('error_description', '')}")
    # Authlib checks iss and azp by default, but the audience only through azp: name the audience we expect.
    claims_options = {
        "iss": {"essential": True, "value": metadata["issuer"]},
        "aud": {"essential": True, "value": provider.client_id},
        "sub": {"essential": True},
    }
    try:
        token = client.authorize_access_token(request, claims_options=claims_options)
    except MismatchingStateError as error:
        raise SignInProblem("expired", "the state was missing or not one this session started") from error
    except OAuthError as error:
        kind = _kind_of(error.error, otherwise="not_verified")  # e.g. invalid_grant: a code used twice
        raise SignInProblem(kind, f"the token endpoint answered {error.error}: {error.description}") from error
    except JoseError as error:
        raise SignInProblem("not_verified", f"the ID token was refused: {error.error}: {error.description}") from error
    except requests.RequestException as error:
        raise SignInProblem("unavailable", f"the token endpoint did not answer: {error}") from error
    except ValueError as error:  # a reply that is not JSON, or a token that is not a JWT
        raise SignInProblem("not_verified", f"the token response could not be read: {error}") from error
    if not token.get("userinfo"):
        raise SignInProblem("not_verified", "the token response had no ID token")
    claims = dict(token["userinfo"])
    if provider.use_userinfo and metadata.get("userinfo_endpoint"):
        claims = {**_userinfo(client, token, claims["sub"]), **claims}  # the signed ID token wins a disagreement
    return VerifiedSignIn(issuer=claims["iss"], claims=claims, id_token=token["id_token"])


def _kind_of(error: str, *, otherwise: str) -> str:
    if error == "access_denied":
        return "refused"
    if error in UNAVAILABLE_ERRORS:
        return "unavailable"
    return "misconfigured" if error in MISCONFIGURED_ERRORS else otherwise


def _userinfo(client: DjangoOAuth2App, token: dict, subject: str) -> dict:
    """Claims the provider gives only at its userinfo endpoint (CIS2 sends names and email there)."""
    try:
        info = dict(client.userinfo(token=token))
    except requests.RequestException as error:
        raise SignInProblem("unavailable", f"the userinfo endpoint did not answer: {error}") from error
    except ValueError as error:
        raise SignInProblem("not_verified", f"the userinfo response could not be read: {error}") from error
    # OpenID Connect Core 5.3.2: the userinfo's sub must match the ID token's, or it is someone else's answer.
    if info.get("sub") != subject:
        raise SignInProblem("not_verified", "the userinfo endpoint answered for another subject")
    return info


def end_session_url(provider: Provider, *, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address for this person, or None when it publishes none (or cannot be read)."""
    client = _client(provider)
    try:
        metadata = _metadata(client, provider)
    except SignInProblem as problem:
        log.warning("Single sign-on: signed out of QI Portal only: %s", problem.reason)
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token, client_id=provider.client_id
    )["url"]
