import os

import pytest

from qiportal.models import Role
from tests.factories import DirectorateFactory, UserFactory, WardFactory, with_role

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


@pytest.fixture
def staff(ward):
    user = UserFactory(username="staffmember", first_name="Tom", last_name="Hughes")
    user.wards.add(ward)
    return with_role(user, Role.STAFF)


@pytest.fixture
def ward_manager(ward):
    user = UserFactory(username="manager", first_name="Grace", last_name="Mensah", job_title="Ward manager")
    user.wards.add(ward)
    return with_role(user, Role.WARD_MANAGER, ward=ward)


@pytest.fixture
def other_ward_manager(other_ward):
    return with_role(UserFactory(username="othermanager"), Role.WARD_MANAGER, ward=other_ward)


@pytest.fixture
def qi_lead(db):
    return with_role(UserFactory(username="lead", first_name="Priya", last_name="Shah"), Role.QI_LEAD)


@pytest.fixture
def sponsor(directorate):
    user = UserFactory(username="sponsor", first_name="Michael", last_name="Okafor", job_title="Director")
    return with_role(user, Role.SENIOR_MANAGER, directorate=directorate)


@pytest.fixture
def other_sponsor(other_directorate):
    return with_role(UserFactory(username="othersponsor"), Role.SENIOR_MANAGER, directorate=other_directorate)


@pytest.fixture
def trust_sponsor(db):
    return with_role(UserFactory(username="chief"), Role.SENIOR_MANAGER)


@pytest.fixture
def coach(db):
    return with_role(UserFactory(username="coach"), Role.QI_COACH)


@pytest.fixture
def admin_user(db):
    return with_role(UserFactory(username="administrator"), Role.ADMIN)
