"""The permissions module across roles and scopes: one table per rule."""

import pytest

from qiportal import permissions
from tests.conftest import ROLES


def expect(table: dict[str, bool]):
    return pytest.mark.parametrize(("who", "allowed"), [(role, table[role]) for role in ROLES])


@expect(
    {
        "staff": True,
        "ward_manager": True,
        "other_ward_manager": True,
        "qi_lead": True,
        "sponsor": True,
        "other_sponsor": True,
        "trust_sponsor": True,
        "coach": True,
        "admin_user": True,
    }
)
def test_every_member_of_staff_may_view_any_ward(request, ward, who, allowed):
    assert permissions.can_view_ward(request.getfixturevalue(who), ward) is allowed


@expect(
    {
        "staff": False,
        "ward_manager": True,
        "other_ward_manager": False,
        "qi_lead": False,
        "sponsor": True,
        "other_sponsor": False,
        "trust_sponsor": True,
        "coach": False,
        "admin_user": True,
    }
)
def test_only_the_wards_manager_its_senior_managers_and_admins_manage_a_ward(request, ward, who, allowed):
    assert permissions.can_manage_ward(request.getfixturevalue(who), ward) is allowed


@expect(
    {
        "staff": False,
        "ward_manager": False,
        "other_ward_manager": False,
        "qi_lead": True,
        "sponsor": True,
        "other_sponsor": True,
        "trust_sponsor": True,
        "coach": True,
        "admin_user": True,
    }
)
def test_dashboard_is_for_senior_managers_qi_leads_coaches_and_admins(request, who, allowed):
    assert permissions.can_view_dashboard(request.getfixturevalue(who)) is allowed


@expect(
    {
        "staff": False,
        "ward_manager": False,
        "other_ward_manager": False,
        "qi_lead": False,
        "sponsor": True,
        "other_sponsor": False,
        "trust_sponsor": True,
        "coach": False,
        "admin_user": True,
    }
)
def test_a_senior_manager_oversees_only_their_directorate_unless_trust_wide(request, directorate, who, allowed):
    assert permissions.can_oversee_directorate(request.getfixturevalue(who), directorate) is allowed


@expect(
    {
        "staff": False,
        "ward_manager": False,
        "other_ward_manager": False,
        "qi_lead": False,
        "sponsor": False,
        "other_sponsor": False,
        "trust_sponsor": False,
        "coach": False,
        "admin_user": True,
    }
)
def test_only_admins_manage_the_organisation(request, who, allowed):
    assert permissions.can_manage_organisation(request.getfixturevalue(who)) is allowed


def test_a_switched_off_account_may_view_nothing(staff, ward):
    staff.is_active = False
    assert permissions.can_view_ward(staff, ward) is False


def test_anonymous_may_do_nothing(ward):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert permissions.can_view_ward(anonymous, ward) is False
    assert permissions.is_admin(anonymous) is False


def test_role_scope_helpers(sponsor, trust_sponsor, ward_manager, ward, directorate, other_directorate):
    assert sponsor.oversees(directorate.pk) and not sponsor.oversees(other_directorate.pk)
    assert trust_sponsor.oversees(other_directorate.pk) and trust_sponsor.is_trust_senior_manager
    assert ward_manager.managed_ward_ids == {ward.pk}
    assert ward_manager.primary_role == "ward_manager"
