"""Single sign-on settings, read from settings.OIDC on each use (tests replace it per test)."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

DISCOVERY_PATH = "/.well-known/openid-configuration"
PRIVATE_KEY_JWT = "private_key_jwt"


@dataclass(frozen=True)
class Claims:
    """Which claim carries what; providers name some of them differently (Entra ID's `oid`, CIS2's `uid`)."""

    subject: str = "sub"
    username: str = "preferred_username"
    email: str = "email"
    given_name: str = "given_name"
    family_name: str = "family_name"
    job_title: str = "job_title"
    groups: str = "groups"


@dataclass(frozen=True)
class Provider:
    name: str
    issuer: str
    discovery_url: str
    client_id: str
    client_secret: str
    token_auth_method: str
    client_private_key: str
    client_key_id: str
    scopes: tuple[str, ...]
    prompt: str
    use_userinfo: bool
    required_claims: tuple[str, ...]
    claims: Claims
    timeout_seconds: int

    @property
    def origin(self) -> str:
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"


def normalise_issuer(url: str) -> str:
    """An issuer as we store and compare it: CIS2 writes its default port (:443), Entra ID does not."""
    parts = urlsplit(url.strip())
    default_port = {"https": 443, "http": 80}.get(parts.scheme.lower())
    host = (parts.hostname or "").lower()
    netloc = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
    return f"{parts.scheme.lower()}://{netloc}{parts.path.rstrip('/')}"


def provider() -> Provider | None:
    """The configured identity provider, or None when single sign-on is off."""
    conf = settings.OIDC
    issuer = conf.get("ISSUER", "").rstrip("/")
    discovery_url = conf.get("DISCOVERY_URL", "")
    if not issuer and not discovery_url:
        return None
    # OpenID Connect Discovery puts the document at the issuer plus a fixed path, so either gives the other.
    if not discovery_url:
        discovery_url = issuer + DISCOVERY_PATH
    if not issuer:
        issuer = discovery_url.removesuffix(DISCOVERY_PATH)
    scopes = tuple(conf.get("SCOPES") or ("openid",))
    if "openid" not in scopes:
        scopes = ("openid", *scopes)
    return Provider(
        name=conf.get("PROVIDER_NAME") or "your organisation's account",
        issuer=issuer,
        discovery_url=discovery_url,
        client_id=conf["CLIENT_ID"],
        client_secret=conf.get("CLIENT_SECRET", ""),
        token_auth_method=conf.get("TOKEN_AUTH_METHOD") or "client_secret_basic",
        client_private_key=conf.get("CLIENT_PRIVATE_KEY", ""),
        client_key_id=conf.get("CLIENT_KEY_ID", ""),
        scopes=scopes,
        prompt=conf.get("PROMPT", ""),
        use_userinfo=conf.get("USERINFO", True),
        required_claims=tuple(conf.get("REQUIRED_CLAIMS", ())),
        claims=Claims(
            subject=conf.get("CLAIM_SUBJECT") or "sub",
            username=conf.get("CLAIM_USERNAME", "preferred_username"),
            email=conf.get("CLAIM_EMAIL", "email"),
            given_name=conf.get("CLAIM_GIVEN_NAME", "given_name"),
            family_name=conf.get("CLAIM_FAMILY_NAME", "family_name"),
            job_title=conf.get("CLAIM_JOB_TITLE", "job_title"),
            groups=conf.get("CLAIM_GROUPS", "groups"),
        ),
        timeout_seconds=conf.get("TIMEOUT_SECONDS", 10),
    )


def local_passwords() -> bool:
    """Whether people may sign in with a QI Portal username and password (the demo's way)."""
    return settings.LOCAL_PASSWORDS
