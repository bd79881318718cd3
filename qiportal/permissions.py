"""Who may do what: every "may this user do this to this object?" question is answered here.

Views raise PermissionDenied on False and pass the answer to templates, so no button offers what the
server refuses. Each rule is `can_<verb>(user, obj) -> bool` and is tested per role and scope in
tests/qiportal/test_permissions.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qiportal.models import Role

if TYPE_CHECKING:
    from ffit.models import Audit
    from ffit.models import Response as FfitResponse
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


# --- FFIT readiness audits (ffit/) -------------------------------------------------------------------------------
# An audit is opened by the ward's manager or a QI lead; its owner invites and closes; each respondent answers only
# their own response. Results are for the owner, those who submitted, the ward's manager, QI leads, senior managers
# over the ward and admins: an invitation alone shows the audit, not other people's answers.


def can_open_any_audit(user: User) -> bool:
    return is_admin(user) or user.has_role(Role.QI_LEAD) or bool(user.managed_ward_ids)


def can_open_audit(user: User, ward: Ward) -> bool:
    return is_admin(user) or user.has_role(Role.QI_LEAD) or manages_ward(user, ward)


def is_audit_owner(user: User, audit: Audit) -> bool:
    return user.is_authenticated and audit.owner_id == user.pk


def can_invite_to_audit(user: User, audit: Audit) -> bool:
    return audit.is_open and (is_audit_owner(user, audit) or is_admin(user))


def can_close_audit(user: User, audit: Audit) -> bool:
    return audit.is_open and (is_audit_owner(user, audit) or is_admin(user))


def can_answer_audit(user: User, response: FfitResponse | None) -> bool:
    """Only the respondent, only while the audit is open and their answers are not yet submitted."""
    return (
        response is not None
        and user.is_authenticated
        and response.respondent_id == user.pk
        and response.audit.is_open
        and not response.is_submitted
    )


def can_view_audit_results(user: User, audit: Audit, response: FfitResponse | None = None) -> bool:
    """`response` is this user's own response to the audit, if they were invited."""
    if not user.is_authenticated:
        return False
    if is_admin(user) or user.has_role(Role.QI_LEAD) or is_audit_owner(user, audit):
        return True
    if manages_ward(user, audit.ward) or oversees_ward(user, audit.ward):
        return True
    return response is not None and response.respondent_id == user.pk and response.is_submitted


def can_view_readiness_history(user: User, ward: Ward) -> bool:
    return is_admin(user) or user.has_role(Role.QI_LEAD) or manages_ward(user, ward) or oversees_ward(user, ward)


# --- Run charts (issue 6) -------------------------------------------------------------------------------------
# Views fetch measures through `runcharts.selectors.visible_measures(user)`, so a measure of an initiative the
# user cannot see is a 404; these rules answer the questions left once the measure is in view.


def can_view_measure(user: User, measure) -> bool:
    """Anyone signed in may see the measures and charts of initiatives visible to them."""
    return user.is_authenticated and user.is_active


def can_add_measure(user: User, initiative) -> bool:
    """The initiative's lead, its team members and admins add measures."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_admin(user) or initiative.lead_id == user.pk:
        return True
    return initiative.team.filter(pk=user.pk).exists()


def can_edit_measure(user: User, measure) -> bool:
    """Edit a measure, enter or upload its data, re-phase and annotate it: the lead, team, owner or an admin."""
    if user.is_authenticated and user.is_active and measure.owner_id == user.pk:
        return True
    return can_add_measure(user, measure.initiative)
