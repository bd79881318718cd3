"""Reads the organisation pages depend on, shaped once with their related rows.

The ward page and each role's home bring the other apps' reads together; each runs a fixed number of
queries however many initiatives, measures, reports or audits there are.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from excellence import selectors as excellence_selectors
from excellence.selectors import conversations_due, reports_received, reports_sent
from excellence.selectors import weekly_chart as excellence_chart
from ffit.selectors import audits_to_complete, readiness_items
from projects.models import Initiative, OverloadFlag, PdsaCycle, Status
from projects.overload import load_and_flag_history, ward_live_loads
from projects.selectors import review_counts, review_queue
from qiportal import permissions
from qiportal.jobs import ward_managers
from qiportal.models import Notification, Role, User, Ward
from qiportal.notifications import unread_count
from runcharts.analysis import SIGNAL_LABELS
from runcharts.models import Measure
from runcharts.selectors import last_complete_week, latest_signals, measures_missing_data

HOME_LIMIT = 10
WARD_MEASURE_CHARTS = 6
WALL_LIMIT = 5
REVIEW_SOON_DAYS = 14
# The order a list shows an initiative's measures' signals in: the one that most needs a look first.
SIGNAL_ORDER = ("concern", "improvement", "common_cause", "not_enough_data")


def user_wards(user: User):
    return user.wards.select_related("directorate").order_by("name")


def staff_directory():
    return User.objects.filter(is_active=True).prefetch_related(
        Prefetch("wards", queryset=Ward.objects.only("pk", "name"))
    )


# Shared pieces -----------------------------------------------------------------------------------------------


def initiative_signals(initiatives) -> dict[int, str | None]:
    """Each initiative's most telling measure signal (concern first), or None when it has no measures.

    One query for the measures; their signals are the column the run-chart services keep.
    """
    ids = [initiative.pk for initiative in initiatives]
    if not ids:
        return {}
    measures = list(Measure.objects.filter(initiative_id__in=ids))
    signals = latest_signals(measures)
    by_initiative: dict[int, set[str]] = defaultdict(set)
    for measure in measures:
        by_initiative[measure.initiative_id].add(signals.get(measure.pk, "not_enough_data"))
    found = {}
    for pk in ids:
        seen = by_initiative.get(pk)
        found[pk] = next((s for s in SIGNAL_ORDER if s in seen), None) if seen else None
    return found


def _live_touching(ward_ids, directorate_ids):
    return (
        Initiative.objects.live()
        .touching_wards(ward_ids, directorate_ids)
        .select_related("lead", "sponsor", "priority", "directorate")
        .prefetch_related(Prefetch("wards", queryset=Ward.objects.only("pk", "name", "slug", "directorate_id")))
        .order_by("title", "pk")
    )


def _rows_with_signals(initiatives) -> list[tuple]:
    initiatives = list(initiatives)
    signals = initiative_signals(initiatives)
    return [(initiative, signals.get(initiative.pk)) for initiative in initiatives]


# The ward page ------------------------------------------------------------------------------------------------


def ward_page_context(ward: Ward, viewer: User) -> dict:
    """Who works on what on this ward: its live initiatives, load, readiness, excellence and measures."""
    live = list(_live_touching([ward.pk], [ward.directorate_id]))
    live_ids = [initiative.pk for initiative in live]
    measures = list(
        Measure.objects.filter(initiative_id__in=live_ids)
        .filter(Q(ward=ward) | Q(ward__isnull=True))
        .select_related("initiative")
        .order_by("initiative__title", "kind", "name")[:WARD_MEASURE_CHARTS]
    )
    measure_signals = latest_signals(measures)
    wall = excellence_selectors.wall(ward)
    ward_load, flags = load_and_flag_history(ward)
    return {
        "ward": ward,
        "managers": ward_managers([ward.pk]).get(ward.pk, []),
        "staff_count": ward.staff.count(),
        "live_rows": _rows_with_signals(live),
        "ward_load": ward_load,
        "flags": flags,
        "readiness_items": readiness_items([ward]),
        "can_view_readiness_history": permissions.can_view_readiness_history(viewer, ward),
        "wall": list(wall[:WALL_LIMIT]),
        "wall_count": wall.count(),
        "excellence_chart": excellence_chart(ward),
        "measure_rows": [
            (m, measure_signals.get(m.pk), SIGNAL_LABELS.get(measure_signals.get(m.pk), "Not enough data"))
            for m in measures
        ],
        "measure_chart_limit": WARD_MEASURE_CHARTS,
    }


# Each role's home ---------------------------------------------------------------------------------------------


def home_context(user: User) -> dict:
    managed = Ward.objects.filter(pk__in=user.managed_ward_ids).select_related("directorate")
    overseen = user.overseen_directorate_ids
    role = user.primary_role
    context = {
        "role": role,
        "role_label": user.primary_role_label,
        "roles": user.described_roles(),
        "my_wards": list(user_wards(user)),
        "managed_wards": list(managed),
        "oversees_trust": user.has_role(Role.SENIOR_MANAGER) and overseen is None,
        "perms_admin": permissions.is_admin(user),
        "can_view_dashboard": permissions.can_view_dashboard(user),
    }
    builder = HOME_BUILDERS.get(role)
    if builder is not None:
        context.update(builder(user, context))
    context.update(_notifications(user))
    return context


def _notifications(user: User) -> dict:
    latest = list(Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")[:5])
    return {"notifications": latest, "unread_count": unread_count(user)}


def qi_lead_home(user: User, context: dict) -> dict:
    """My open initiatives, each with what it needs next: data due, PDSA cycles overdue, a review coming."""
    today = timezone.localdate()
    mine = Initiative.objects.filter(Q(lead=user) | Q(team=user)).values("pk")
    initiatives = list(
        Initiative.objects.filter(pk__in=mine)
        .exclude(status__in=(Status.COMPLETED, Status.HALTED, Status.NOT_APPROVED))
        .select_related("priority", "sponsor")
        .annotate(
            overdue_pdsa=Count(
                "pdsa_cycles",
                filter=PdsaCycle.overdue(today, "pdsa_cycles__"),
                distinct=True,
            ),
            measure_count=Count("measures", distinct=True),
        )
        .order_by("status", "next_review_on", "title")
    )
    missing = defaultdict(list)
    for measure in measures_missing_data(today).filter(initiative_id__in=[i.pk for i in initiatives]):
        missing[measure.initiative_id].append(measure)
    soon = today + timedelta(days=REVIEW_SOON_DAYS)
    rows = []
    for initiative in initiatives:
        needs = []
        url = initiative.get_absolute_url()
        if not initiative.measure_count:  # "data is up to date" would be untrue: there is no data to be due
            add = reverse("runcharts:measure_create_for", args=[initiative.pk])
            needs.append(("measures", "No measures yet: add one to show whether the changes are improvements", add))
        for measure in missing.get(initiative.pk, []):
            entry = reverse("runcharts:data_entry", args=[measure.pk])
            needs.append(("data", f"Enter last {measure.period_noun}’s data for ‘{measure.name}’", entry))
        if initiative.overdue_pdsa:
            count = initiative.overdue_pdsa
            needs.append(("pdsa", f"{count} PDSA cycle{'s' if count != 1 else ''} past planned end", url))
        if initiative.status == Status.LIVE and initiative.next_review_on and initiative.next_review_on <= soon:
            word = "was due" if initiative.next_review_on < today else "is due"
            needs.append(("review", f"Sponsor review {word} on {initiative.next_review_on:%-d %B %Y}", ""))
        if initiative.status == Status.CHANGES_REQUESTED:
            needs.append(("changes", "Make the changes your sponsor asked for and resubmit", url))
        rows.append((initiative, needs))
    return {
        "lead_rows": rows,
        "needs_count": sum(1 for _, needs in rows if needs),
        "data_week": last_complete_week(today),
    }


def senior_manager_home(user: User, context: dict) -> dict:

    flags = OverloadFlag.objects.open().select_related("ward__directorate").order_by("-opened_at", "-pk")
    overseen = user.overseen_directorate_ids
    if overseen is not None:
        flags = flags.filter(ward__directorate_id__in=overseen)
    stalled = Initiative.objects.stalled().filter(sponsor=user).select_related("lead").order_by("stalled_since", "pk")
    return {
        "queue": list(review_queue(user)[:HOME_LIMIT]),
        "queue_counts": review_counts(user),
        "my_flags": list(flags),
        "stalled_sponsored": list(stalled),
    }


def ward_manager_home(user: User, context: dict) -> dict:

    managed = context["managed_wards"]
    loads = ward_live_loads(managed)
    due = conversations_due(user)
    return {
        "managed_rows": [(ward, loads.get(ward.pk)) for ward in managed],
        "audits_to_complete": list(audits_to_complete(user)),
        "conversations_due": list(due[:HOME_LIMIT]),
        "conversations_due_count": due.count(),
        "readiness_items": readiness_items(managed),
    }


def staff_home(user: User, context: dict) -> dict:

    wards = context["my_wards"]
    sent = reports_sent(user)
    received = reports_received(user)
    on_my_wards = _live_touching([w.pk for w in wards], {w.directorate_id for w in wards}) if wards else []
    return {
        "reports_sent": list(sent[:5]),
        "reports_sent_count": sent.count(),
        "reports_received": list(received[:5]),
        "reports_received_count": received.count(),
        "ward_initiatives": list(on_my_wards),
    }


def qi_coach_home(user: User, context: dict) -> dict:

    today = timezone.localdate()
    coached = (
        Initiative.objects.filter(coach=user)
        .exclude(status="draft")
        .select_related("lead", "priority")
        .annotate(
            cycle_count=Count("pdsa_cycles", distinct=True),
            studied_count=Count(
                "pdsa_cycles",
                filter=Q(pdsa_cycles__stage__in=(PdsaCycle.Stage.ACT, PdsaCycle.Stage.DONE)),
                distinct=True,
            ),
            overdue_pdsa=Count(
                "pdsa_cycles",
                filter=PdsaCycle.overdue(today, "pdsa_cycles__"),
                distinct=True,
            ),
        )
        .order_by("status", "title")
    )
    return {"coached_rows": _rows_with_signals(coached)}


HOME_BUILDERS = {
    Role.QI_LEAD: qi_lead_home,
    Role.SENIOR_MANAGER: senior_manager_home,
    Role.WARD_MANAGER: ward_manager_home,
    Role.STAFF: staff_home,
    Role.QI_COACH: qi_coach_home,
}
