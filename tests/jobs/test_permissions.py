"""Who may decide on, and who may see, an overload flag: a table over roles and scopes."""

import pytest

from projects.models import OverloadFlag
from qiportal import permissions
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

DECIDE = {"sponsor", "trust_sponsor", "admin_user"}
VIEW = DECIDE | {"ward_manager", "qi_lead", "coach", "other_sponsor"}


@pytest.mark.parametrize("role", ROLES)
def test_overload_flag_permissions(request, ward, role):
    user = request.getfixturevalue(role)
    flag = OverloadFlag.objects.create(ward=ward, load_at_open=4, threshold_at_open=3)
    assert permissions.can_decide_overload(user, flag) is (role in DECIDE)
    assert permissions.can_view_overload(user, flag) is (role in VIEW)


@pytest.mark.parametrize("role", ROLES)
def test_the_flag_page_answers_as_the_rules_say(request, client, ward, role):
    user = request.getfixturevalue(role)
    flag = OverloadFlag.objects.create(ward=ward, load_at_open=4, threshold_at_open=3)
    client.force_login(user)
    response = client.get(f"/overload-flags/{flag.pk}/")
    assert response.status_code == (200 if role in VIEW else 403)
    if role in VIEW:
        assert ("Record your decision" in response.content.decode()) is (role in DECIDE)
