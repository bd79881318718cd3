"""Every URL of the project, requested as every role with GET and with POST, against an explicit table."""

import pytest

from tests.security.authorisation_table import EXPECTED
from tests.security.matrix import Clients, observe
from tests.security.world import ROLES, build_world, project_url_names

pytestmark = pytest.mark.django_db


def allowed(cell) -> set[int]:
    return set(cell) if isinstance(cell, (set, frozenset)) else {cell}


def test_every_url_has_a_row_and_no_row_is_stale():
    names = set(project_url_names())
    missing = sorted(names - EXPECTED.keys())
    assert not missing, f"URLs with no row in tests/security/authorisation_table.py: {missing}"
    stale = sorted(EXPECTED.keys() - names)
    assert not stale, f"Rows for URLs that no longer exist: {stale}"


def test_every_role_gets_the_expected_status_on_every_url(single_sign_on):
    single_sign_on.use_private_key_jwt()  # so the client-keys page has something to serve
    world = build_world()
    clients = Clients(world)
    wrong = []
    for name in project_url_names():
        row = EXPECTED.get(name)
        if row is None:
            continue  # reported by the test above
        for method, observed in zip(("GET", "POST"), observe(name, world, clients), strict=True):
            for role, expected, got in zip(ROLES, row[method], observed, strict=True):
                if got not in allowed(expected):
                    wrong.append(f"{method} {name} as {role}: expected {expected}, got {got}")
    assert not wrong, "\n".join(wrong)


def test_the_table_never_lets_anonymous_people_in():
    public = {
        "healthz",
        "login",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "sso_start",
        "sso_callback",
        "sso_client_keys",
        "signed_out",
        "admin_sign_in",
    }
    for name, row in EXPECTED.items():
        if name in public:
            continue
        for method in ("GET", "POST"):
            assert allowed(row[method][0]) <= {302, 403, 405}, f"{method} {name} is open to anonymous people"


# The overload page decides on initiatives by id, so its POST is checked with real ids, not just empty data:
# only those who may decide on an initiative (its sponsor, a senior manager over it, an admin) can halt it there.
HALTS_OUT_OF_SCOPE = {"admin"}
HALTS_IN_SCOPE = {"sponsor", "admin"}


@pytest.mark.parametrize("in_scope", [True, False], ids=["ward-initiative", "trust-wide-of-another-sponsor"])
def test_the_overload_page_halts_only_what_the_person_may_decide(in_scope):
    from django.db import transaction

    from projects.models import Scope
    from qiportal.models import Role
    from tests.factories import InitiativeFactory, UserFactory, with_role

    world = build_world()
    if in_scope:
        target = world.initiative
    else:
        elsewhere = with_role(UserFactory(username="chiefnurse"), Role.SENIOR_MANAGER)
        target = InitiativeFactory(scope=Scope.TRUST, directorate=None, wards=[], sponsor=elsewhere)
    expected = HALTS_IN_SCOPE if in_scope else HALTS_OUT_OF_SCOPE
    clients = Clients(world)
    halted_by = set()
    for role in ROLES:
        with transaction.atomic():
            clients.get(role).post(
                f"/overload-flags/{world.flag.pk}/",
                {"action": "halt", "initiatives": [target.pk], "reason": "Too much at once"},
            )
            target.refresh_from_db()
            if target.status == "halted":
                halted_by.add(role)
            transaction.set_rollback(True)
    assert halted_by == expected
