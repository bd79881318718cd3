import os

import pytest

from qiportal.models import Role
from tests.factories import DirectorateFactory, UserFactory, WardFactory, with_role
from tests.oidc_provider.fixtures import oidc_provider, oidc_provider_process, single_sign_on  # noqa: F401 - fixtures

# In CI, a test that would skip for a missing service or browser fails instead.
REQUIRE_SERVICES = os.environ.get("QI_REQUIRE_SERVICES", "").lower() in ("1", "true", "yes")


# The fixtures below, one per role and scope; permission tests parametrise over these names.
ROLES = [
    "staff",
    "ward_manager",
    "other_ward_manager",
    "qi_lead",
    "sponsor",
    "other_sponsor",
    "trust_sponsor",
    "coach",
    "admin_user",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back rows reuse primary keys that cached pages name."""
    from django.core.cache import cache

    cache.clear()
    yield


def skip_or_fail(reason: str):
    """Skip locally when a service or browser is missing; fail in CI (QI_REQUIRE_SERVICES=true)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (QI_REQUIRE_SERVICES is set, so this cannot be skipped)")
    pytest.skip(reason)


@pytest.fixture
def directorate(db):
    return DirectorateFactory(name="Medicine")


@pytest.fixture
def other_directorate(db):
    return DirectorateFactory(name="Surgery")


@pytest.fixture
def ward(directorate):
    return WardFactory(name="Oak Ward", directorate=directorate)


@pytest.fixture
def other_ward(other_directorate):
    return WardFactory(name="Heron Ward", directorate=other_directorate)


# One person per role and scope, made the same way for the fixtures below and for the security tests' world.
# (username, first name, last name, job title, role, scope: "ward", "other_ward", "directorate",
# "other_directorate" or None for the whole trust, and whether they work on the ward)
PEOPLE = {
    "staff": ("staffmember", "Tom", "Hughes", "", Role.STAFF, None, True),
    "ward_manager": ("manager", "Grace", "Mensah", "Ward manager", Role.WARD_MANAGER, "ward", True),
    "other_ward_manager": ("othermanager", "", "", "", Role.WARD_MANAGER, "other_ward", False),
    "qi_lead": ("lead", "Priya", "Shah", "", Role.QI_LEAD, None, False),
    "sponsor": ("sponsor", "Michael", "Okafor", "Director", Role.SENIOR_MANAGER, "directorate", False),
    "other_sponsor": ("othersponsor", "", "", "", Role.SENIOR_MANAGER, "other_directorate", False),
    "trust_sponsor": ("chief", "", "", "", Role.SENIOR_MANAGER, None, False),
    "coach": ("coach", "", "", "", Role.QI_COACH, None, False),
    "admin_user": ("administrator", "", "", "", Role.ADMIN, None, False),
}


def make_person(name: str, place):
    """The person a role fixture gives; `place(name)` gives the "ward", "other_ward", "directorate" or
    "other_directorate" they belong to (only what their scope needs is asked for)."""
    username, first, last, job_title, role, scope, on_ward = PEOPLE[name]
    names = {
        key: value for key, value in (("first_name", first), ("last_name", last), ("job_title", job_title)) if value
    }
    user = UserFactory(username=username, **names)
    if on_ward:
        user.wards.add(place("ward"))
    target = place(scope) if scope else None
    if scope in ("ward", "other_ward"):
        return with_role(user, role, ward=target)
    return with_role(user, role, directorate=target)


def _places(request):
    return request.getfixturevalue


@pytest.fixture
def staff(request, db):
    return make_person("staff", _places(request))


@pytest.fixture
def ward_manager(request, db):
    return make_person("ward_manager", _places(request))


@pytest.fixture
def other_ward_manager(request, db):
    return make_person("other_ward_manager", _places(request))


@pytest.fixture
def qi_lead(request, db):
    return make_person("qi_lead", _places(request))


@pytest.fixture
def sponsor(request, db):
    return make_person("sponsor", _places(request))


@pytest.fixture
def other_sponsor(request, db):
    return make_person("other_sponsor", _places(request))


@pytest.fixture
def trust_sponsor(request, db):
    return make_person("trust_sponsor", _places(request))


@pytest.fixture
def coach(request, db):
    return make_person("coach", _places(request))


@pytest.fixture
def admin_user(request, db):
    return make_person("admin_user", _places(request))


@pytest.fixture
def migrator(transactional_db):
    """tests.migrations.migrate_to, with the schema migrated back to current when the test ends."""
    from django.core.management import call_command

    from tests.migrations import migrate_to

    try:
        yield migrate_to
    finally:
        call_command("migrate", verbosity=0)
