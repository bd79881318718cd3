"""Who may do what: every "may this user do this to this object?" question is answered here.

Views raise PermissionDenied on False and pass the answer to templates, so no button offers what the
server refuses. Each rule is `can_<verb>(user, obj) -> bool` and is tested per role and scope in
tests/qiportal/test_permissions.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qiportal.models import Role

if TYPE_CHECKING:
    from qiportal.models import Directorate, User, Ward


def is_admin(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMIN))


def can_manage_organisation(user: User) -> bool:
    """Admins manage directorates, wards, priorities and people in Django admin."""
    return is_admin(user)


def can_view_ward(user: User, ward: Ward) -> bool:
    """Every member of staff may see who works on what on any ward (the log is open to staff)."""
    return user.is_authenticated and user.is_active


def manages_ward(user: User, ward: Ward) -> bool:
    return ward.pk in user.managed_ward_ids


def oversees_ward(user: User, ward: Ward) -> bool:
    return user.oversees(ward.directorate_id)


def can_manage_ward(user: User, ward: Ward) -> bool:
    """Change a ward's settings (overload threshold): its ward manager, a senior manager over it, an admin."""
    return is_admin(user) or manages_ward(user, ward) or oversees_ward(user, ward)


def can_view_dashboard(user: User) -> bool:
    """The portfolio dashboard is for senior managers, QI leads, coaches and admins."""
    return is_admin(user) or user.has_role(Role.SENIOR_MANAGER, Role.QI_LEAD, Role.QI_COACH)


def can_oversee_directorate(user: User, directorate: Directorate) -> bool:
    return is_admin(user) or user.oversees(directorate.pk)
