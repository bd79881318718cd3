"""Turn a verified single sign-on into a QI Portal person: match, create just in time, keep group roles current.

All of it runs in one transaction and refuses before it writes, so a refused sign-in leaves nothing behind.
"""

import logging
import re
from collections.abc import Mapping
from dataclasses import asdict

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from qiportal.auth.config import Claims, Provider, normalise_issuer
from qiportal.auth.problems import DETAIL_NAMES, SignInProblem
from qiportal.models import ExternalIdentity, GroupRoleMapping, RoleAssignment, User

log = logging.getLogger(__name__)

USERNAME_LENGTH = User._meta.get_field("username").max_length
NOT_IN_A_USERNAME = re.compile(r"[^\w.@+-]")


def _text(value) -> str:
    return str(value).strip() if value not in (None, "", [], {}) else ""


def _describe(claim_names: list[str], names: Claims) -> tuple[str, ...]:
    """Missing claims as a person would name them ("email address"), whatever the provider calls them."""
    meaning = {claim: field for field, claim in asdict(names).items() if claim}
    return tuple(DETAIL_NAMES.get(meaning.get(claim, ""), claim) for claim in claim_names)


def _profile(claims: Mapping, names: Claims) -> dict[str, str]:
    """The account fields the claims fill in; a claim the provider did not send leaves its field alone."""
    fields = {
        "email": _text(claims.get(names.email)) if names.email else "",
        "first_name": _text(claims.get(names.given_name))[:150] if names.given_name else "",
        "last_name": _text(claims.get(names.family_name))[:150] if names.family_name else "",
        "job_title": _text(claims.get(names.job_title))[:200] if names.job_title else "",
    }
    return {field: value for field, value in fields.items() if value}


def sign_in_with_claims(*, provider: Provider, issuer: str, claims: Mapping) -> User:
    """The person these verified claims belong to, created on their first sign-in.

    Matched on (issuer, subject) only. A new person whose email address or username an unlinked account already
    has is refused rather than given a second account: an admin links the two (the person's page in Django admin).

    Two first sign-ins of one person can race (a double click, two tabs): both find no account, one creates it and
    the other then meets its row (a unique index, or the "email already taken" check). The loser's transaction is
    rolled back whole; if the account it collided with is this very subject's, it signs in as the match.
    """
    try:
        return _sign_in(provider=provider, issuer=issuer, claims=claims)
    except (IntegrityError, SignInProblem) as error:
        if isinstance(error, SignInProblem) and error.kind != "conflict":
            raise
        subject = _text(claims.get(provider.claims.subject))
        if not _find_identity(normalise_issuer(issuer), subject).exists():
            raise
        log.info("Single sign-on: a concurrent first sign-in created subject %s's account; matching it", subject)
        return _sign_in(provider=provider, issuer=issuer, claims=claims)


def _find_identity(issuer: str, subject: str):
    return ExternalIdentity.objects.filter(issuer=issuer, subject=subject)


@transaction.atomic
def _sign_in(*, provider: Provider, issuer: str, claims: Mapping) -> User:
    names = provider.claims
    issuer = normalise_issuer(issuer)
    subject = _text(claims.get(names.subject))
    missing = [names.subject] if not subject else []
    missing += [name for name in provider.required_claims if not _text(claims.get(name))]
    if missing:
        raise SignInProblem(
            "claims_missing", f"the provider sent no {', '.join(missing)}", missing=_describe(missing, names)
        )
    profile = _profile(claims, names)

    identity = _find_identity(issuer, subject).select_for_update().select_related("user").first()
    if identity is None:
        identity = _create_person(issuer=issuer, subject=subject, profile=profile, claims=claims, names=names)
        user = identity.user
    else:
        user = identity.user
        if not user.is_active:
            raise SignInProblem("disabled", f"{user.username} is switched off")
        _refresh_profile(user, profile)
    identity.last_signed_in_at = timezone.now()
    identity.save(update_fields=["last_signed_in_at"])
    _sync_group_roles(user, claims, names)
    return user


def _create_person(*, issuer: str, subject: str, profile: dict, claims: Mapping, names: Claims) -> ExternalIdentity:
    email = profile.get("email", "")
    if email and User.objects.filter(email__iexact=email).exists():
        raise SignInProblem("conflict", f"an account already has the email address {email}")
    username = _username(claims, names, subject=subject, issuer=issuer)
    user = User(username=username, **profile)
    user.set_unusable_password()  # single sign-on people have no QI Portal password to guess or reset
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as error:  # e.g. an email claim that is not an email address
        fields = [field for field in error.message_dict if field in profile or field == "username"]
        described = tuple(DETAIL_NAMES.get(field, field) for field in fields) or ("details",)
        reason = f"the claims do not make a valid account: {error}"
        raise SignInProblem("claims_missing", reason, missing=described) from error
    user.save()
    log.info("Single sign-on created the account %s for subject %s at %s", username, subject, issuer)
    return ExternalIdentity.objects.create(user=user, issuer=issuer, subject=subject)


def _username(claims: Mapping, names: Claims, *, subject: str, issuer: str) -> str:
    """A readable username from the claims, unique; taken by an unlinked account, it is a conflict."""
    wanted = _text(claims.get(names.username)) if names.username else ""
    wanted = wanted or _text(claims.get(names.email)) or f"sso-{subject}"
    base = NOT_IN_A_USERNAME.sub("", wanted)[:USERNAME_LENGTH] or f"sso-{NOT_IN_A_USERNAME.sub('', subject)}"[:40]
    holder = User.objects.filter(username__iexact=base).first()
    if holder is None:
        return base
    if not holder.external_identities.filter(issuer=issuer).exists():
        raise SignInProblem("conflict", f"the unlinked account {holder.username} has the username {base}")
    # Someone else at this provider already has that name (a reused address, a namesake): number this one.
    number = 2
    while User.objects.filter(username__iexact=f"{base[: USERNAME_LENGTH - 6]}-{number}").exists():
        number += 1
    return f"{base[: USERNAME_LENGTH - 6]}-{number}"


def _refresh_profile(user: User, profile: dict) -> None:
    """The provider is the source of truth for names, address and job title; roles stay the portal's."""
    email = profile.get("email")
    if email and User.objects.filter(~Q(pk=user.pk), email__iexact=email).exists():
        log.warning("Single sign-on kept %s's email address: %s belongs to another account", user.username, email)
        profile = {k: v for k, v in profile.items() if k != "email"}
    changed = [field for field, value in profile.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, profile[field])
    if changed:
        user.save(update_fields=changed)


def _sync_group_roles(user: User, claims: Mapping, names: Claims) -> None:
    """Give the roles mapped from the person's groups, and take back group roles for groups they have left."""
    if not names.groups:
        return
    if names.groups not in claims and names.groups in claims.get("_claim_names", {}):
        # Entra ID leaves the groups out when a person is in too many ("group overage"): keep what they have.
        log.warning("Single sign-on: %s's groups were not sent (too many); their group roles are unchanged", user)
        return
    groups = claims.get(names.groups) or []
    groups = [str(group) for group in ([groups] if isinstance(groups, str) else groups)]
    wanted = {mapping.pk: mapping for mapping in GroupRoleMapping.objects.filter(group__in=groups)}
    held = {grant.granted_by_id: grant for grant in RoleAssignment.objects.filter(user=user, granted_by__isnull=False)}
    for pk, grant in held.items():
        mapping = wanted.get(pk)
        if mapping is None:
            grant.delete()
            continue
        scope = (mapping.role, mapping.ward_id, mapping.directorate_id)
        if (grant.role, grant.ward_id, grant.directorate_id) != scope:
            grant.role, grant.ward_id, grant.directorate_id = scope
            grant.save()  # an admin has changed the mapping since the last sign-in
    for pk, mapping in wanted.items():
        if pk not in held:
            RoleAssignment.objects.create(
                user=user, role=mapping.role, ward=mapping.ward, directorate=mapping.directorate, granted_by=mapping
            )
