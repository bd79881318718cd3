"""A small, real OpenID Connect provider for the tests, built from Authlib's server parts.

It runs in its own process on a free loopback port with an RSA key it generates at start-up, and speaks what
QI Portal meets at Microsoft Entra ID or NHS CIS2: discovery, a sign-in page with its own session, the
authorisation code flow with PKCE and nonce, signed ID tokens, userinfo, published keys (JWKS), client
authentication by secret or private_key_jwt, and RP-initiated logout. Nothing here is a stand-in for the
protocol: QI Portal talks to it over HTTP exactly as to a production provider.

Tests set it up and make it misbehave on purpose through /_test/ endpoints only it has: people, clients, and a
mode such as a tampered ID token or another audience (see MODES).
"""

import base64
import html
import json
import logging
import secrets
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from socketserver import ThreadingMixIn
from urllib.parse import parse_qsl
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import requests
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeGrant,
    AuthorizationServer,
    ClientMixin,
    OAuth2Error,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from authlib.oidc.rpinitiated import EndSessionEndpoint
from joserfc.jwk import KeySet, RSAKey

log = logging.getLogger(__name__)

# What the provider can be told to do wrong, for the next sign-ins until reset.
MODES = {
    "": "behave",
    "tampered_id_token": "change the signed ID token's subject after signing it",
    "wrong_audience": "issue the ID token to another service (aud), naming this client only as azp",
    "wrong_issuer": "sign an ID token that names another issuer",
    "wrong_nonce": "put a nonce in the ID token other than the one the client sent",
    "expired": "issue an ID token that expired an hour ago",
    "foreign_key": "sign the ID token with a key the provider never published",
    "new_signing_key": "start signing with a new key (published alongside the old one): key rotation",
    "no_id_token": "answer the token request without an ID token",
    "token_endpoint_down": "answer the token request with 503 temporarily_unavailable",
    "userinfo_other_subject": "answer userinfo for another subject",
}
PROFILE_CLAIMS = {"name", "given_name", "family_name", "preferred_username", "job_title"}
EMAIL_CLAIMS = {"email", "email_verified"}
SESSION_COOKIE = "op_session"


@dataclass
class Person:
    username: str
    password: str
    claims: dict  # must hold "sub"

    def claims_for(self, scope: str) -> dict:
        """Standard claims by scope (profile, email); any other claim (groups, oid, uid) always."""
        scopes = set(scope.split())
        shown = {}
        for name, value in self.claims.items():
            hidden = (name in PROFILE_CLAIMS and "profile" not in scopes) or (
                name in EMAIL_CLAIMS and "email" not in scopes
            )
            if not hidden:
                shown[name] = value
        return shown


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str = ""
    redirect_uris: list = field(default_factory=list)
    post_logout_redirect_uris: list = field(default_factory=list)
    token_endpoint_auth_method: str = "client_secret_basic"
    jwks: dict | None = None
    jwks_uri: str = ""

    @property
    def client_metadata(self) -> dict:
        return {"post_logout_redirect_uris": self.post_logout_redirect_uris}

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope):
        return scope

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return bool(self.client_secret) and secrets.compare_digest(self.client_secret, client_secret or "")

    def check_endpoint_auth_method(self, method, endpoint):
        return method == self.token_endpoint_auth_method if endpoint == "token" else True

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    username: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int
    expires_at: float

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class Request(OAuth2Request):
    """One HTTP request as Authlib's server parts read it."""

    def __init__(self, environ):
        self.path = environ.get("PATH_INFO", "/")
        query = environ.get("QUERY_STRING", "")
        host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
        headers = {key[5:].replace("_", "-").title(): val for key, val in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        uri = f"http://{host}{self.path}{'?' + query if query else ''}"
        super().__init__(environ["REQUEST_METHOD"], uri, headers=headers)
        self.query_string = query
        self.raw_body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        self._args = dict(parse_qsl(query))
        is_form = environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded")
        self._form = dict(parse_qsl(self.raw_body.decode())) if is_form else {}
        self.payload = BasicOAuth2Payload({**self._args, **self._form})
        self.cookies = {name: morsel.value for name, morsel in SimpleCookie(environ.get("HTTP_COOKIE", "")).items()}

    @property
    def args(self):
        return self._args

    @property
    def form(self):
        return self._form

    def json(self) -> dict:
        return json.loads(self.raw_body or b"{}")


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]

    def save_authorization_code(self, code, request):
        data = request.payload.data
        self.server.op.codes[code] = Code(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=request.payload.redirect_uri,
            scope=request.payload.scope or "",
            username=request.user.username,
            nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            auth_time=int(time.time()),
            expires_at=time.time() + 600,
        )

    def query_authorization_code(self, code, client):
        item = self.server.op.codes.get(code)
        if item and item.client_id == client.client_id and time.time() < item.expires_at:
            return item
        return None

    def delete_authorization_code(self, authorization_code):
        self.server.op.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code):
        return self.server.op.people.get(authorization_code.username)


class OpenID(OpenIDCode):
    def __init__(self, op: "OpenIDProvider"):
        super().__init__(require_nonce=True)
        self.op = op

    def exists_nonce(self, nonce, request):
        client_id = request.payload.client_id
        return any(code.nonce == nonce and code.client_id == client_id for code in self.op.codes.values())

    def resolve_client_private_key(self, client):
        return self.op.foreign_key if self.op.mode == "foreign_key" else self.op.signing_key()

    def get_client_algorithm(self, client):
        return "RS256"

    def get_encode_header(self, client):
        return {"alg": "RS256", "kid": self.resolve_client_private_key(client).kid}

    def get_client_claims(self, client):
        now = int(time.time())
        claims = {"iss": self.op.issuer, "aud": [client.client_id]}
        if self.op.mode == "wrong_audience":
            claims.update(aud=["another-service"], azp=client.client_id)
        elif self.op.mode == "wrong_issuer":
            claims["iss"] = self.op.issuer + "/someone-else"
        elif self.op.mode == "expired":
            claims.update(iat=now - 7200, exp=now - 3600, auth_time=now - 7200)
        return claims

    def get_authorization_code_claims(self, authorization_code):
        claims = super().get_authorization_code_claims(authorization_code)
        if self.op.mode == "wrong_nonce":
            claims["nonce"] = "not-the-nonce-you-sent"
        return claims

    def generate_user_info(self, user, scope):
        if not self.op.claims_in_id_token:  # CIS2 sends names and email only from userinfo
            return UserInfo(sub=user.claims["sub"])
        return UserInfo(user.claims_for(scope))

    def encode_id_token(self, token, request):
        id_token = super().encode_id_token(token, request)
        if self.op.mode != "tampered_id_token":
            return id_token
        header, payload, signature = id_token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["sub"] = self.op.impersonate or "someone-else"
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{header}.{payload}.{signature}"

    def process_token(self, grant, response):
        token = super().process_token(grant, response)
        if self.op.mode == "no_id_token":
            token.pop("id_token", None)
        return token


class PrivateKeyJWTAuthentication(JWTBearerClientAssertion):
    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, op: "OpenIDProvider"):
        super().__init__()
        self.op = op

    def get_audiences(self):
        return [self.op.issuer + "/token"]

    def validate_jti(self, claims, jti):
        if jti in self.op.used_jtis:
            return False
        self.op.used_jtis.add(jti)
        return True

    def resolve_client_public_key(self, client):
        if client.jwks:
            return KeySet.import_key_set(client.jwks)
        return KeySet.import_key_set(requests.get(client.jwks_uri, timeout=5).json())


class EndSession(EndSessionEndpoint):
    def get_server_jwks(self):
        return self.server.op.public_keys()

    def end_session(self, end_session_request):
        op = self.server.op
        op.sessions.pop(end_session_request.request.cookies.get(SESSION_COOKIE, ""), None)
        claims = end_session_request.id_token_claims or {}
        op.events.append({"event": "end_session", "sub": claims.get("sub"), "aud": claims.get("aud")})


class Server(AuthorizationServer):
    def __init__(self, op: "OpenIDProvider"):
        super().__init__(scopes_supported=["openid", "profile", "email", "groups"])
        self.op = op
        self.register_token_generator(
            "default", BearerTokenGenerator(access_token_generator=lambda *args, **kwargs: secrets.token_urlsafe(32))
        )
        self.register_grant(CodeGrant, [CodeChallenge(required=True), OpenID(op)])
        self.register_client_auth_method("private_key_jwt", PrivateKeyJWTAuthentication(op))
        self.register_endpoint(EndSession)

    def query_client(self, client_id):
        return self.op.clients.get(client_id)

    def save_token(self, token, request):
        self.op.tokens[token["access_token"]] = (request.user.username, token.get("scope", ""))

    def create_oauth2_request(self, request):
        return request

    def create_json_request(self, request):
        return request

    def handle_response(self, status, body, headers):
        return status, list(headers), body

    def send_signal(self, name, *args, **kwargs):
        pass


class OpenIDProvider:
    """The provider's state and its WSGI application."""

    def __init__(self, issuer: str):
        self.issuer = issuer
        self.lock = threading.Lock()
        self.original_key = self._new_key()
        self.foreign_key = self._new_key()
        self.reset()
        self.server = Server(self)

    @staticmethod
    def _new_key() -> RSAKey:
        return RSAKey.generate_key(2048, {"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"}, private=True)

    def reset(self) -> None:
        self.keys = [self.original_key]
        self.people: dict[str, Person] = {}
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, tuple[str, str]] = {}
        self.sessions: dict[str, str] = {}
        self.used_jtis: set[str] = set()
        self.events: list[dict] = []
        self.mode = ""
        self.claims_in_id_token = True
        self.impersonate = ""

    def signing_key(self) -> RSAKey:
        if self.mode == "new_signing_key" and len(self.keys) == 1:
            self.keys.append(self._new_key())
        return self.keys[-1]

    def public_keys(self) -> dict:
        return {"keys": [key.as_dict(private=False) for key in self.keys]}

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "userinfo_endpoint": self.issuer + "/userinfo",
            "jwks_uri": self.issuer + "/jwks",
            "end_session_endpoint": self.issuer + "/end-session",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "groups"],
            "token_endpoint_auth_methods_supported": CodeGrant.TOKEN_ENDPOINT_AUTH_METHODS,
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", *sorted(PROFILE_CLAIMS | EMAIL_CLAIMS)],
        }

    # WSGI

    def __call__(self, environ, start_response):
        try:
            request = Request(environ)
            with self.lock:  # one request at a time: the state above is plain dicts
                status, headers, body = self.route(request)
        except Exception:  # noqa: BLE001 - a bug here should show in the test output, not hang the sign-in
            traceback.print_exc()
            status, headers, body = 500, [("Content-Type", "text/plain")], "provider error"
        if isinstance(body, dict):
            body = json.dumps(body)
            headers = [*headers, ("Content-Type", "application/json")]
        body = body.encode() if isinstance(body, str) else body
        reason = {200: "OK", 302: "Found", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}
        start_response(f"{status} {reason.get(status, 'Status')}", [*headers, ("Cache-Control", "no-store")])
        return [body]

    def route(self, request: Request):
        routes = {
            ("GET", "/.well-known/openid-configuration"): lambda r: (200, [], self.metadata()),
            ("GET", "/jwks"): lambda r: (200, [], self.public_keys()),
            ("GET", "/authorize"): self.authorize,
            ("POST", "/authorize"): self.authorize,
            ("POST", "/token"): self.token,
            ("GET", "/userinfo"): self.userinfo,
            ("POST", "/userinfo"): self.userinfo,
            ("GET", "/end-session"): self.end_session,
            ("POST", "/end-session"): self.end_session,
            ("POST", "/_test/people"): self.add_person,
            ("POST", "/_test/clients"): self.add_client,
            ("POST", "/_test/behaviour"): self.behave,
            ("POST", "/_test/reset"): lambda r: (self.reset(), (200, [], {}))[1],
            ("GET", "/_test/events"): lambda r: (200, [], {"events": self.events}),
        }
        handler = routes.get((request.method, request.path))
        return handler(request) if handler else (404, [], "not found")

    def authorize(self, request: Request):
        person = self.people.get(self.sessions.get(request.cookies.get(SESSION_COOKIE, ""), ""))
        try:
            grant = self.server.get_consent_grant(request, end_user=person)
        except OAuth2Error as error:
            if error.redirect_uri:  # a known client's redirect address: tell the client
                return self.server.handle_error_response(request, error)
            return 400, [("Content-Type", "text/html")], self.page("Error", f"<p>{html.escape(str(error))}</p>")
        prompt = request.args.get("prompt", "")
        if request.method == "GET":
            if person and "login" not in prompt:
                self.events.append({"event": "sign_in", "sub": person.claims["sub"], "how": "session"})
                return self.server.create_authorization_response(request, grant_user=person, grant=grant)
            return 200, [("Content-Type", "text/html")], self.login_page(request, grant.client.client_id)
        if request.form.get("action") == "deny":
            return self.server.create_authorization_response(request, grant_user=None, grant=grant)
        person = self.people.get(request.form.get("username", ""))
        if not person or not secrets.compare_digest(person.password, request.form.get("password", "")):
            page = self.login_page(request, grant.client.client_id, error="Wrong username or password.")
            return 200, [("Content-Type", "text/html")], page
        session = secrets.token_urlsafe(16)
        self.sessions[session] = person.username
        self.events.append({"event": "sign_in", "sub": person.claims["sub"], "how": "password"})
        status, headers, body = self.server.create_authorization_response(request, grant_user=person, grant=grant)
        return status, [*headers, ("Set-Cookie", f"{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax")], body

    def login_page(self, request: Request, client_id: str, error: str = "") -> str:
        action = html.escape(f"/authorize?{request.query_string}")
        alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
        return self.page(
            "Sign in",
            f"""<h1>Test identity provider</h1>{alert}
<p>Sign in to continue to {html.escape(client_id)}.</p>
<form method="post" action="{action}">
<p><label for="username">Username</label> <input id="username" name="username" autocomplete="username"></p>
<p><label for="password">Password</label> <input id="password" name="password" type="password"></p>
<p><button name="action" value="sign-in">Sign in</button> <button name="action" value="deny">Do not allow</button></p>
</form>""",
        )

    @staticmethod
    def page(title: str, body: str) -> str:
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} – Test identity provider'
            f"</title></head><body><main>{body}</main></body></html>"
        )

    def token(self, request: Request):
        if self.mode == "token_endpoint_down":
            return 503, [], {"error": "temporarily_unavailable", "error_description": "Down for the test"}
        return self.server.create_token_response(request)

    def userinfo(self, request: Request):
        scheme, _, access_token = request.headers.get("Authorization", "").partition(" ")
        found = self.tokens.get(access_token) if scheme.lower() == "bearer" else None
        if not found:
            return 401, [("WWW-Authenticate", 'Bearer error="invalid_token"')], {"error": "invalid_token"}
        username, scope = found
        claims = self.people[username].claims_for(scope)
        if self.mode == "userinfo_other_subject":
            claims["sub"] = "someone-else"
        return 200, [], claims

    def end_session(self, request: Request):
        response = self.server.create_endpoint_response("end_session", request)
        if response is None:
            page = self.page("Signed out", "<h1>You have signed out of the test identity provider</h1>")
            return 200, [("Content-Type", "text/html")], page
        return response

    def add_person(self, request: Request):
        data = request.json()
        self.people[data["username"]] = Person(data["username"], data["password"], data["claims"])
        return 200, [], {}

    def add_client(self, request: Request):
        data = request.json()
        self.clients[data["client_id"]] = Client(**data)
        return 200, [], {}

    def behave(self, request: Request):
        data = request.json()
        if data.get("mode", "") not in MODES:
            return 400, [], {"error": f"unknown mode {data.get('mode')!r}", "modes": MODES}
        self.mode = data.get("mode", "")
        self.claims_in_id_token = data.get("claims_in_id_token", True)
        self.impersonate = data.get("impersonate", "")
        return 200, [], {}


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # one line per request would drown the test output
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def serve(host: str = "127.0.0.1", port: int = 0):
    """Bind, then return (server, provider); the caller runs server.serve_forever()."""
    server = make_server(host, port, lambda environ, start: None, _ThreadingServer, _QuietHandler)
    provider = OpenIDProvider(f"http://{host}:{server.server_port}")
    server.set_app(provider)
    return server, provider
