"""Reads the organisation pages depend on, shaped once with their related rows."""

from django.db.models import Prefetch
from django.urls import reverse

from qiportal import permissions
from qiportal.models import Role, RoleAssignment, User, Ward


def user_wards(user: User):
    return user.wards.select_related("directorate").order_by("name")


def home_context(user: User) -> dict:
    managed = Ward.objects.filter(pk__in=user.managed_ward_ids).select_related("directorate")
    overseen = user.overseen_directorate_ids
    return {
        "role": user.primary_role,
        "role_label": user.primary_role_label,
        "roles": user.role_assignments,
        "my_wards": list(user_wards(user)),
        "managed_wards": list(managed),
        "oversees_trust": user.has_role(Role.SENIOR_MANAGER) and overseen is None,
        "perms_admin": permissions.is_admin(user),
    }


def ward_managers(ward: Ward) -> list[User]:
    return [
        assignment.user
        for assignment in RoleAssignment.objects.filter(role=Role.WARD_MANAGER, ward=ward).select_related("user")
    ]


def ward_page_context(ward: Ward, viewer: User) -> dict:
    return {
        "ward": ward,
        "managers": ward_managers(ward),
        "staff_count": ward.staff.count(),
        "crumbs": [("Home", reverse("home"))],
    }


def staff_directory():
    return User.objects.filter(is_active=True).prefetch_related(
        Prefetch("wards", queryset=Ward.objects.only("pk", "name"))
    )
