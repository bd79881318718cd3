"""Why a single sign-on did not complete, in words a person can act on.

Every refusal raises SignInProblem with one of the kinds below; the view shows that kind's page (no traceback)
and the log keeps the technical reason for the IT team.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    status: int
    title: str
    paragraphs: tuple[str, ...]
    offer_retry: bool = True


# "{provider}" is the provider's name from OIDC_PROVIDER_NAME; "{missing}" names the missing details.
PROBLEMS = {
    "unavailable": Problem(
        503,
        "Sorry, we cannot reach {provider} at the moment",
        (
            "You have not been signed in.",
            "Try again in a few minutes. If it keeps happening, contact your IT service desk.",
        ),
    ),
    "misconfigured": Problem(
        503,
        "Sorry, signing in with {provider} is not working at the moment",
        (
            "You have not been signed in. QI Portal's connection to {provider} is not set up correctly.",
            "Contact your IT service desk and tell them when this happened.",
        ),
        offer_retry=False,
    ),
    "refused": Problem(
        403,
        "You have not been signed in",
        (
            "{provider} did not let QI Portal use your account. This happens when you choose not to give "
            "permission, or when your account is not allowed to use QI Portal.",
            "Try again and give permission when you are asked. If you did, ask your IT service desk to give "
            "your account access to QI Portal.",
        ),
    ),
    "expired": Problem(
        400,
        "Your sign-in did not complete",
        (
            "This happens when signing in takes too long, or when it was started in another window or tab.",
            "You have not been signed in. Try again.",
        ),
    ),
    "not_verified": Problem(
        400,
        "We could not check your sign-in",
        (
            "The reply from {provider} did not pass QI Portal's security checks, so you have not been signed in.",
            "Try again. If it keeps happening, contact your IT service desk and tell them when it happened.",
        ),
    ),
    "disabled": Problem(
        403,
        "Your QI Portal account is switched off",
        (
            "You signed in to {provider}, but your account in QI Portal has been switched off.",
            "If you think this is a mistake, ask the QI Portal administrator to switch it back on.",
        ),
        offer_retry=False,
    ),
    "claims_missing": Problem(
        403,
        "We need more details from {provider}",
        (
            "{provider} did not send your {missing}, which QI Portal needs to set up your account. "
            "Nothing has been saved.",
            "Ask your IT service desk to add these details to your account, or to let QI Portal see them, "
            "then try again.",
        ),
    ),
    "conflict": Problem(
        409,
        "Your account needs to be linked first",
        (
            "QI Portal already has an account with your email address or username, but it is not linked to "
            "your {provider} sign-in. Nothing has been changed.",
            "Ask the QI Portal administrator to link your account. Until then you cannot sign in with {provider}.",
        ),
        offer_retry=False,
    ),
}

# How the missing details are named to a person, by the Claims field (or account field) they fill.
DETAIL_NAMES = {
    "subject": "identifier",
    "email": "email address",
    "given_name": "first name",
    "first_name": "first name",
    "family_name": "last name",
    "last_name": "last name",
    "job_title": "job title",
    "username": "username",
}


class SignInProblem(Exception):
    def __init__(self, kind: str, reason: str = "", *, missing: tuple[str, ...] = ()):
        assert kind in PROBLEMS, kind
        super().__init__(f"{kind}: {reason}" if reason else kind)
        self.kind = kind
        self.reason = reason
        self.missing = missing

    @property
    def problem(self) -> Problem:
        return PROBLEMS[self.kind]
