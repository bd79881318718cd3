"""Who may do what, and who sees what: every permission question of the portal is answered here.

Two kinds of rule, kept side by side so they cannot disagree:
- `can_<verb>(user, obj) -> bool`: views raise PermissionDenied on False and pass the answer to templates, so no
  button offers what the server refuses; services ask again where another path could reach them.
- `visible_<things>(user, queryset) -> queryset`: what a person may see at all; anything else is a 404, like a
  missing object. Each app's `visible_to(user)` queryset method calls its rule here.

The core imports no feature app: rules take the app's objects and querysets and ask them about themselves (an
initiative's status sets, for instance, come from its lifecycle table through the model class). "Admin" means one
thing everywhere, `is_admin`: a superuser or anyone given the admin role. Each rule is tested per role and scope
in tests/qiportal/test_permissions.py and by the authorisation matrix (tests/security/).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qiportal.models import Directorate, Role, User, Ward


def is_admin(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.ADMIN))


def sees_everything_of_the_trust(user: User) -> bool:
    """Admins, QI leads and trust-wide senior managers: every audit and excellence report is theirs to see."""
    return is_admin(user) or user.has_role(Role.QI_LEAD) or user.is_trust_senior_manager


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


# Initiative log (projects) ---------------------------------------------------------------------------


def _is_team(user: User, initiative) -> bool:
    if initiative.lead_id == user.pk:
        return True
    # Uses the prefetch when the caller made one, so pages do not query per row.
    return any(member.pk == user.pk for member in initiative.team.all())


def oversees_initiative(user: User, initiative) -> bool:
    """A senior manager over the initiative's directorate or any of its wards; trust-wide ones over all."""
    if not user.has_role(Role.SENIOR_MANAGER):
        return False
    overseen = user.overseen_directorate_ids
    if overseen is None:
        return True
    if initiative.directorate_id in overseen:
        return True
    return any(ward.directorate_id in overseen for ward in initiative.wards.all())


def can_create_initiative(user: User) -> bool:
    return is_admin(user) or user.has_role(Role.QI_LEAD)


def visible_initiatives(user: User, initiatives: QuerySet) -> QuerySet:
    """Everything in the log is open to staff, except other people's unsubmitted drafts."""
    if not user.is_authenticated:
        return initiatives.none()
    if is_admin(user):
        return initiatives
    model = initiatives.model
    # A subquery for team drafts rather than a join, so the log needs no DISTINCT as it grows.
    team_drafts = model.team.through.objects.filter(user=user).values("initiative_id")
    return initiatives.filter(~Q(status=model.DRAFT) | Q(lead=user) | Q(created_by=user) | Q(pk__in=team_drafts))


def reviewable_initiatives(user: User, initiatives: QuerySet) -> QuerySet:
    """Initiatives this person may decide on (the review queue's scope), as `can_decide` answers for one: those
    they sponsor, those in or touching a directorate they oversee as a senior manager, or all for an admin or a
    trust-wide senior manager."""
    if not user.is_authenticated:
        return initiatives.none()
    if is_admin(user) or user.is_trust_senior_manager:
        return initiatives
    overseen = list(user.overseen_directorate_ids or []) if user.has_role(Role.SENIOR_MANAGER) else []
    in_scope = Q(sponsor=user)
    if overseen:
        touching = initiatives.model.wards.through.objects.filter(ward__directorate_id__in=overseen)
        in_scope |= Q(directorate_id__in=overseen) | Q(pk__in=touching.values("initiative_id"))
    return initiatives.filter(in_scope)


def can_view_initiative(user: User, initiative) -> bool:
    if not user.is_authenticated:
        return False
    if initiative.status == initiative.DRAFT:
        return is_admin(user) or initiative.created_by_id == user.pk or _is_team(user, initiative)
    return True


def can_edit_initiative(user: User, initiative) -> bool:
    """Only the lead, the team and admins edit the charter; not while the sponsor reviews it (they would approve
    something other than what they read), and not once it has ended."""
    if initiative.status in initiative.IN_REVIEW or initiative.status in initiative.ENDED:
        return False
    return is_admin(user) or _is_team(user, initiative)


def can_submit_initiative(user: User, initiative) -> bool:
    return initiative.status in initiative.SUBMITTABLE and (is_admin(user) or _is_team(user, initiative))


def can_decide(user: User, initiative) -> bool:
    """Sponsor decisions: the initiative's sponsor, a senior manager over it, or an admin."""
    if is_admin(user) or initiative.sponsor_id == user.pk:
        return True
    return oversees_initiative(user, initiative)


def can_complete(user: User, initiative) -> bool:
    return initiative.status == initiative.LIVE and (can_decide(user, initiative) or _is_team(user, initiative))


def can_make_decision(user: User, initiative, kind: str) -> bool:
    """The one question every path to a lifecycle decision asks: the decision pages, the overload-flag page and
    the decision service itself. The team submits and may complete; everything else is a sponsor decision."""
    if kind == "submit":
        return can_submit_initiative(user, initiative)
    if kind == "complete":
        return can_complete(user, initiative)
    return can_decide(user, initiative)


def can_view_reviews(user: User) -> bool:
    return is_admin(user) or user.has_role(Role.SENIOR_MANAGER)


def can_record_pdsa(user: User, initiative) -> bool:
    if initiative.status not in initiative.RUNNING:
        return False
    return is_admin(user) or _is_team(user, initiative) or initiative.coach_id == user.pk


def can_set_progress_score(user: User, initiative) -> bool:
    """Past draft and not ended: a completed or halted initiative's last score stands."""
    return initiative.takes_progress_score and (is_admin(user) or _is_team(user, initiative))


# --- FFIT readiness audits (ffit/) -------------------------------------------------------------------------------
# An audit is opened by the ward's manager or a QI lead; its owner invites and closes; each respondent answers only
# their own response. Results are for the owner, those who submitted, the ward's manager, QI leads, senior managers
# over the ward and admins: an invitation alone shows the audit, not other people's answers.


def visible_audits(user: User, audits: QuerySet) -> QuerySet:
    """Audits this person may see at all: their own, those they were invited to, their wards' and, for a senior
    manager, their directorates'; everything for admins, QI leads and trust-wide senior managers."""
    if not user.is_authenticated:
        return audits.none()
    if sees_everything_of_the_trust(user):
        return audits
    scope = Q(owner=user) | Q(responses__respondent=user) | Q(ward_id__in=user.managed_ward_ids)
    overseen = user.overseen_directorate_ids
    if overseen:
        scope |= Q(ward__directorate_id__in=overseen)
    return audits.filter(pk__in=audits.model.objects.filter(scope).values("pk"))


def can_open_any_audit(user: User) -> bool:
    return is_admin(user) or user.has_role(Role.QI_LEAD) or bool(user.managed_ward_ids)


def can_open_audit(user: User, ward: Ward) -> bool:
    return is_admin(user) or user.has_role(Role.QI_LEAD) or manages_ward(user, ward)


def is_audit_owner(user: User, audit) -> bool:
    return user.is_authenticated and audit.owner_id == user.pk


def can_invite_to_audit(user: User, audit) -> bool:
    return audit.is_open and (is_audit_owner(user, audit) or is_admin(user))


def can_close_audit(user: User, audit) -> bool:
    return audit.is_open and (is_audit_owner(user, audit) or is_admin(user))


def can_answer_audit(user: User, response) -> bool:
    """Only the respondent, only while the audit is open and their answers are not yet submitted."""
    return (
        response is not None
        and user.is_authenticated
        and response.respondent_id == user.pk
        and response.audit.is_open
        and not response.is_submitted
    )


def can_view_audit_results(user: User, audit, response=None) -> bool:
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


# Learning from Excellence (excellence) ---------------------------------------------------------------


def visible_reports(user: User, reports: QuerySet) -> QuerySet:
    """Excellence reports this person may open: their own, about them or the people and wards they manage, and
    their directorates' for a senior manager; every report for admins, QI leads and trust-wide senior managers.
    Other staff meet reports only on the excellence wall (shared ones)."""
    if not user.is_authenticated:
        return reports.none()
    if sees_everything_of_the_trust(user):
        return reports
    condition = Q(reporter=user) | Q(recipients=user) | Q(recipients__line_manager=user)
    if user.managed_ward_ids:
        condition |= Q(team_ward_id__in=user.managed_ward_ids)
    overseen = user.overseen_directorate_ids
    if overseen:
        condition |= Q(ward__directorate_id__in=overseen) | Q(team_ward__directorate_id__in=overseen)
    return reports.filter(pk__in=reports.model.objects.filter(condition).values("pk"))


def manages_excellence_report(user: User, report) -> bool:
    """A line manager of a recipient, or a ward manager of the team praised. Uses prefetched recipients."""
    if report.team_ward_id and report.team_ward_id in user.managed_ward_ids:
        return True
    return any(recipient.line_manager_id == user.pk for recipient in report.recipients.all())


def can_view_excellence_report(user: User, report) -> bool:
    """The reporter, recipients, their managers, QI leads, senior managers over the ward and admins."""
    if not user.is_authenticated:
        return False
    if sees_everything_of_the_trust(user) or report.reporter_id == user.pk:
        return True
    if any(recipient.pk == user.pk for recipient in report.recipients.all()):
        return True
    if manages_excellence_report(user, report):
        return True
    return user.oversees(report.ward.directorate_id) or (
        report.team_ward_id is not None and user.oversees(report.team_ward.directorate_id)
    )


def can_respond_to_excellence_report(user: User, report, response=None) -> bool:
    """Say thank you and choose sharing: the people praised (a team's ward manager answers for it)."""
    return response is not None and response.recipient_id == user.pk


def can_record_excellence_conversation(user: User, report) -> bool:
    return user.is_authenticated and (user.has_role(Role.QI_LEAD) or manages_excellence_report(user, report))


def can_mark_excellence_learning_shared(user: User, report) -> bool:
    return report.state == "conversation_held" and can_record_excellence_conversation(user, report)


def can_start_initiative_from_excellence(user: User, report) -> bool:
    return user.is_authenticated and user.has_role(Role.QI_LEAD) and report.initiative_id is None


def can_export_excellence(user: User) -> bool:
    """The anonymised CSV export is for QI analysis: QI leads and admins."""
    return is_admin(user) or user.has_role(Role.QI_LEAD)


# --- Run charts (issue 6) -------------------------------------------------------------------------------------
# Views fetch measures through `runcharts.selectors.visible_measures(user)`, so a measure of an initiative the
# user cannot see is a 404; these rules answer the questions left once the measure is in view.


def can_view_measure(user: User, measure) -> bool:
    """Anyone signed in may see the measures and charts of initiatives visible to them."""
    return user.is_authenticated and user.is_active


def _manages_measures(user: User, initiative) -> bool:
    """The initiative's lead, its team members and admins."""
    if not (user.is_authenticated and user.is_active):
        return False
    return is_admin(user) or _is_team(user, initiative)


def can_add_measure(user: User, initiative) -> bool:
    """The initiative's lead, its team members and admins add measures, and not once it has ended."""
    if initiative.status in initiative.ENDED:
        return False
    return _manages_measures(user, initiative)


def can_edit_measure(user: User, measure) -> bool:
    """Edit a measure, enter or upload its data, re-phase and annotate it: the lead, team, owner or an admin; for a
    standing measure, those who manage its ward, directorate or trust (`can_manage_standing_measure`)."""
    if user.is_authenticated and user.is_active and measure.owner_id == user.pk:
        return True
    if measure.initiative_id is None:
        return can_manage_standing_measure(user, measure)
    return _manages_measures(user, measure.initiative)


# Standing measures (issue 19): owned by a ward, a directorate or the trust rather than an initiative.


def can_add_standing_measure(user: User, *, ward: Ward | None = None, directorate: Directorate | None = None) -> bool:
    """A ward's standing measures: its ward managers, QI leads and admins. A directorate's: QI leads, senior managers
    over it and admins. The trust's (neither given): QI leads, trust-wide senior managers and admins."""
    if not (user.is_authenticated and user.is_active):
        return False
    if is_admin(user) or user.has_role(Role.QI_LEAD):
        return True
    if ward is not None:
        return manages_ward(user, ward)
    if directorate is not None:
        return user.oversees(directorate.pk)
    return user.is_trust_senior_manager


def can_manage_standing_measure(user: User, measure) -> bool:
    """Edit a standing measure and enter or upload its data: as `can_add_standing_measure` for its owner."""
    if measure.initiative_id is not None:
        return False
    if measure.scope == "ward":
        return can_add_standing_measure(user, ward=measure.ward)
    if measure.scope == "directorate":
        return can_add_standing_measure(user, directorate=measure.directorate)
    return can_add_standing_measure(user)


def visible_standing_measures(user: User, measures: QuerySet) -> QuerySet:
    """Standing measures are open to everyone who may see their wards: every signed-in member of staff."""
    if not (user.is_authenticated and user.is_active):
        return measures.none()
    return measures.filter(initiative__isnull=True)


def can_link_outcome_measure(user: User, initiative) -> bool:
    """Link a standing measure to an initiative as its outcome measure: whoever may add measures to it."""
    return can_add_measure(user, initiative)


# The measure board (issue 19) ----------------------------------------------------------------------------------


def can_view_board(user: User) -> bool:
    """The board of the trust, a directorate or a ward: everyone who may see those wards (every member of staff)."""
    return user.is_authenticated and user.is_active


def visible_board_wards(user: User, wards: QuerySet) -> QuerySet:
    """The wards whose measures, readiness and load a board shows this person: those `can_view_ward` allows."""
    if not can_view_board(user):
        return wards.none()
    return wards


# --- Jobs: overload (initiativitis) flags (issue 8) -------------------------------------------------------------


def can_decide_overload(user: User, flag) -> bool:
    """Accept an open overload flag for now, or pause or halt initiatives on the ward: a senior manager over the
    ward's directorate, or an admin."""
    if not (user.is_authenticated and user.is_active):
        return False
    return is_admin(user) or user.oversees(flag.ward.directorate_id)


def can_view_overload(user: User, flag) -> bool:
    """See a flag and its history: anyone who may see the dashboard, the ward's managers and deciders."""
    if not (user.is_authenticated and user.is_active):
        return False
    return can_view_dashboard(user) or manages_ward(user, flag.ward) or can_decide_overload(user, flag)
