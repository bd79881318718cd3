"""The permissions module across roles and scopes: one table per rule."""

import pytest

from qiportal import permissions
from qiportal.models import Role, RoleAssignment
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


# One meaning of "admin" --------------------------------------------------------------------------------------
# Django admin's role inline can give the admin role to someone who is not a superuser. They must see and do
# exactly what a superuser admin does: the review queue, drafts, audits, reports, every can_* rule.


def _admin_role_only():
    from tests.factories import UserFactory

    person = UserFactory(username="rolebasedadmin")
    RoleAssignment.objects.create(user=person, role=Role.ADMIN)
    assert not person.is_superuser
    return person


@pytest.mark.django_db
def test_an_admin_role_without_superuser_sees_what_a_superuser_admin_sees(client):
    from excellence.models import ExcellenceReport
    from ffit.models import Audit
    from projects import selectors as project_selectors
    from projects.models import Initiative
    from tests.factories import InitiativeFactory
    from tests.security.world import build_world

    world = build_world()
    proposal = InitiativeFactory(title="A proposal", status="submitted", sponsor=world.users["sponsor"])
    superuser = world.users["admin"]
    role_admin = _admin_role_only()
    for manager in (Initiative.objects, Audit.objects, ExcellenceReport.objects):
        assert set(manager.visible_to(role_admin)) == set(manager.visible_to(superuser)) == set(manager.all())
    assert set(project_selectors.review_queue(role_admin)) == set(project_selectors.review_queue(superuser))
    assert proposal in project_selectors.review_queue(role_admin)
    client.force_login(role_admin)
    assert client.get(world.draft.get_absolute_url()).status_code == 200
    assert "A proposal" in client.get("/reviews/").content.decode()


@pytest.mark.django_db
def test_every_can_rule_answers_the_same_for_both_kinds_of_admin():
    from tests.security.world import build_world

    world = build_world()
    superuser, role_admin = world.users["admin"], _admin_role_only()
    subjects = {
        "initiative": world.initiative,
        "draft": world.draft,
        "audit": world.audit,
        "report": world.report,
        "measure": world.measure,
        "ward": world.ward,
        "flag": world.flag,
    }
    compared = 0
    for name in dir(permissions):
        rule = getattr(permissions, name)
        if not (name.startswith("can_") and callable(rule)):
            continue
        for subject in subjects.values():
            try:
                expected = rule(superuser, subject) if rule.__code__.co_argcount > 1 else rule(superuser)
            except (AttributeError, TypeError):
                continue  # the rule is about another kind of object
            got = rule(role_admin, subject) if rule.__code__.co_argcount > 1 else rule(role_admin)
            assert got == expected, (
                f"{name}({type(subject).__name__}): {got} for the admin role, {expected} for a superuser"
            )
            compared += 1
    assert compared > 30
