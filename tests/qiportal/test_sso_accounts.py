"""Verified claims to a person (qiportal.auth.services): matching on the subject, just-in-time accounts, group
roles, and refusals that leave nothing behind. The protocol itself is tested in test_single_sign_on.py."""

import dataclasses

import pytest

from qiportal.auth import config
from qiportal.auth.problems import SignInProblem
from qiportal.auth.services import sign_in_with_claims
from qiportal.models import ExternalIdentity, GroupRoleMapping, Role, RoleAssignment, User
from tests.factories import UserFactory, with_role

pytestmark = pytest.mark.django_db

ISSUER = "https://login.microsoftonline.com/0000-trust/v2.0"


@pytest.fixture
def provider(settings):
    settings.OIDC = {**settings.OIDC, "ISSUER": ISSUER, "CLIENT_ID": "qi-portal", "CLIENT_SECRET": "s"}
    return config.provider()


def claims(**changes) -> dict:
    """Amara's claims; a change to None leaves that claim out."""
    values = {
        "iss": ISSUER,
        "sub": "oid-1",
        "preferred_username": "amara.nwosu@trust.nhs.invalid",
        "email": "amara.nwosu@trust.nhs.invalid",
        "given_name": "Amara",
        "family_name": "Nwosu",
        **changes,
    }
    return {name: value for name, value in values.items() if value is not None}


def sign_in(provider, issuer=ISSUER, **changes) -> User:
    return sign_in_with_claims(provider=provider, issuer=issuer, claims=claims(**changes))


def refusal(provider, **changes) -> SignInProblem:
    with pytest.raises(SignInProblem) as raised:
        sign_in(provider, **changes)
    return raised.value


def test_the_second_sign_in_finds_the_same_person(provider):
    first = sign_in(provider)
    assert sign_in(provider, email="amara.n@trust.nhs.invalid", family_name="Okafor") == first
    first.refresh_from_db()
    assert (first.email, first.last_name) == ("amara.n@trust.nhs.invalid", "Okafor")
    assert User.objects.count() == 1


def test_the_same_subject_at_another_provider_is_another_person(provider):
    first = sign_in(provider)
    other = sign_in(provider, issuer="https://am.nhsidentity.spineservices.nhs.uk", email="a2@nhs.invalid",
                    preferred_username="a2")  # fmt: skip
    assert other != first
    assert {(i.issuer, i.user_id) for i in ExternalIdentity.objects.all()} == {
        (ISSUER, first.pk),
        ("https://am.nhsidentity.spineservices.nhs.uk", other.pk),
    }


def test_an_issuer_written_with_its_default_port_is_the_same_issuer(provider):
    """CIS2's documents write https://…:443/…; an admin linking an account writes it without."""
    person = UserFactory(username="ade")
    ExternalIdentity.objects.create(
        user=person, issuer="https://am.nhsidentity.spineservices.nhs.uk/realms/hc", subject="5550"
    )
    issuer = "https://am.nhsidentity.spineservices.nhs.uk:443/realms/hc/"
    assert sign_in(provider, issuer=issuer, sub="5550") == person


def test_an_unlinked_account_with_the_same_email_is_a_conflict_not_a_match(provider):
    existing = UserFactory(username="amara", email="Amara.Nwosu@trust.nhs.invalid")
    problem = refusal(provider)
    assert problem.kind == "conflict"
    assert list(User.objects.all()) == [existing] and not ExternalIdentity.objects.exists()


def test_an_unlinked_account_with_the_same_username_is_a_conflict(provider):
    UserFactory(username="amara.nwosu@trust.nhs.invalid", email="someone@else.invalid")
    assert refusal(provider).kind == "conflict"
    assert User.objects.count() == 1


def test_a_namesake_at_the_same_provider_gets_a_numbered_username(provider):
    sign_in(provider, sub="oid-1", preferred_username="j.smith", email="j.smith@trust.nhs.invalid")
    second = sign_in(provider, sub="oid-2", preferred_username="j.smith", email="john.smith@trust.nhs.invalid")
    assert second.username == "j.smith-2"


def test_a_username_claim_is_cleaned_to_what_a_username_may_hold(provider):
    assert sign_in(provider, preferred_username="Amara Nwosu (Ward 4)").username == "AmaraNwosuWard4"


def test_without_a_username_claim_the_email_address_is_used(provider):
    assert sign_in(provider, preferred_username=None).username == "amara.nwosu@trust.nhs.invalid"


@pytest.mark.parametrize(
    ("missing", "named"), [("sub", ("identifier",)), ("email", ("email address",))], ids=["subject", "email"]
)
def test_missing_claims_refuse_and_name_what_is_missing(provider, missing, named):
    problem = refusal(provider, **{missing: None})
    assert (problem.kind, problem.missing) == ("claims_missing", named)
    assert not User.objects.exists()


def test_an_email_claim_that_is_not_an_address_is_refused(provider):
    problem = refusal(provider, email="not an address", preferred_username="amara")
    assert (problem.kind, problem.missing) == ("claims_missing", ("email address",))
    assert not User.objects.exists()


def test_a_switched_off_account_is_refused_and_left_as_it_was(provider):
    person = sign_in(provider)
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert refusal(provider, family_name="Changed").kind == "disabled"
    person.refresh_from_db()
    assert person.last_name == "Nwosu"


def test_a_changed_address_that_another_account_has_is_not_taken(provider):
    person = sign_in(provider)
    UserFactory(username="other", email="shared@trust.nhs.invalid")
    sign_in(provider, email="shared@trust.nhs.invalid", family_name="Okafor")
    person.refresh_from_db()
    assert (person.email, person.last_name) == ("amara.nwosu@trust.nhs.invalid", "Okafor")


@pytest.fixture
def mappings(ward, directorate):
    return {
        "coaches": GroupRoleMapping.objects.create(group="grp-coaches", role=Role.QI_COACH),
        "oak": GroupRoleMapping.objects.create(group="grp-oak-managers", role=Role.WARD_MANAGER, ward=ward),
    }


def roles(person) -> set[tuple[str, int | None]]:
    return set(RoleAssignment.objects.filter(user=person).values_list("role", "ward_id"))


def test_groups_give_their_mapped_roles(provider, mappings, ward):
    person = sign_in(provider, groups=["grp-coaches", "grp-oak-managers", "grp-unmapped"])
    assert roles(person) == {(Role.QI_COACH, None), (Role.WARD_MANAGER, ward.pk)}
    assert person.managed_ward_ids == {ward.pk}


def test_leaving_a_group_takes_its_role_back_but_not_roles_an_admin_gave(provider, mappings):
    person = sign_in(provider, groups=["grp-coaches"])
    with_role(person, Role.QI_LEAD)  # given by hand in Django admin
    sign_in(provider, groups=[])
    assert roles(person) == {(Role.QI_LEAD, None)}


def test_an_edited_mapping_applies_at_the_next_sign_in(provider, mappings, other_ward):
    person = sign_in(provider, groups=["grp-oak-managers"])
    GroupRoleMapping.objects.filter(pk=mappings["oak"].pk).update(ward=other_ward)
    sign_in(provider, groups=["grp-oak-managers"])
    assert roles(person) == {(Role.WARD_MANAGER, other_ward.pk)}


def test_deleting_a_mapping_takes_its_roles_back_at_once(provider, mappings):
    person = sign_in(provider, groups=["grp-coaches"])
    mappings["coaches"].delete()
    assert roles(person) == set()


def test_group_roles_are_kept_when_the_provider_leaves_the_groups_out(provider, mappings):
    """Entra ID's 'group overage': too many groups to send, so it names where to fetch them instead."""
    person = sign_in(provider, groups=["grp-coaches"])
    sign_in(provider, groups=None, _claim_names={"groups": "src1"})
    assert roles(person) == {(Role.QI_COACH, None)}


def test_a_refused_sign_in_gives_no_roles(provider, mappings):
    UserFactory(username="x", email="amara.nwosu@trust.nhs.invalid")
    refusal(provider, groups=["grp-coaches"])
    assert not RoleAssignment.objects.exists()


@pytest.mark.parametrize("email", ["amara.nwosu@trust.nhs.invalid", None], ids=["email-taken", "no-email-claim"])
def test_a_first_sign_in_racing_another_for_the_same_person_signs_in_as_the_match(provider, monkeypatch, email):
    """Two tabs, one person, first sign-in: the second finds no account, then meets the one the first just made
    (the email check when the provider sends an address, the unique subject index when it does not)."""
    if email is None:
        provider = dataclasses.replace(provider, required_claims=())
    first = sign_in(provider, email=email)
    from qiportal.auth import services

    real_find = services._find_identity
    calls = []

    def missed_once(issuer, subject):
        calls.append(subject)
        found = real_find(issuer, subject)
        return found.none() if len(calls) == 1 else found  # the other request had not committed when we looked

    monkeypatch.setattr(services, "_find_identity", missed_once)
    assert sign_in(provider, email=email) == first
    assert User.objects.count() == 1
    assert ExternalIdentity.objects.count() == 1


def test_a_conflict_with_someone_else_is_still_refused_after_the_recheck(provider):
    UserFactory(username="someone", email="amara.nwosu@trust.nhs.invalid")
    assert refusal(provider).kind == "conflict"
    assert ExternalIdentity.objects.count() == 0
