"""Scheduled work for the initiative log: the initiativitis scan, stalled initiatives and reminders.

Every job is safe to run twice or at the same time. Flags rely on the partial unique constraint (one
open flag per ward) and notifications on their unique dedupe key; a second run finds nothing new to do.
Each job returns a JobResult whose lines say, in plain words, what it did.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from projects.models import Decision, Initiative, OverloadFlag, PdsaCycle, Status
from projects.overload import WardLoad, format_load, ward_loads
from qiportal import notifications
from qiportal.jobs import JobResult, iso_week, qi_leads, ward_managers
from qiportal.models import NotificationKind, Role, User, Ward

# Initiativitis scan ---------------------------------------------------------------------------------


def scan_wards(*, today: date | None = None, notify_people: bool = True) -> JobResult:
    """Open and close overload flags against each ward's load, then mark and clear stalled initiatives.

    `notify_people=False` (demo seeding) records flags and stalled marks without telling anyone.
    """
    result = JobResult("scan_wards")
    today = today or timezone.localdate()
    active = list(Ward.objects.filter(is_active=True).select_related("directorate"))
    loads = ward_loads(active)
    wards = {ward.pk: ward for ward in active}
    to_open = [load for load in loads.values() if load.is_over and load.open_flag is None]
    to_close = [load for load in loads.values() if not load.is_over and load.open_flag is not None]
    if to_open:
        leads = qi_leads()
        managers = ward_managers(load.ward_id for load in to_open)
        for load in to_open:
            _open_flag(
                wards[load.ward_id],
                load,
                leads=leads,
                managers=managers.get(load.ward_id, []),
                result=result,
                notify_people=notify_people,
            )
    for load in to_close:
        _close_flag(wards[load.ward_id], load, result=result)
    over = sum(1 for load in loads.values() if load.is_over)
    result.add(f"Checked {len(loads)} wards: {over} over their threshold.")
    mark_stalled(today=today, result=result, notify_people=notify_people)
    return result


# One transaction with its notifications: a worker killed before telling people leaves no flag behind, so the
# next run opens it again and tells them (issue 10, tests/faults/test_scan_interrupted.py).
@transaction.atomic
def _open_flag(
    ward: Ward, load: WardLoad, *, leads: list[User], managers: list[User], result: JobResult, notify_people: bool
) -> None:
    try:
        with transaction.atomic():
            flag = OverloadFlag.objects.create(ward=ward, load_at_open=load.load, threshold_at_open=load.threshold)
    except IntegrityError:  # another run opened this ward's flag a moment ago
        return
    result.add(f"Opened an overload flag for {ward}: {load.summary}.", "flags_opened")
    if not notify_people:
        return
    sponsors = list(
        User.objects.filter(
            pk__in=Initiative.objects.live().touching_ward(ward).values("sponsor_id"), is_active=True
        ).order_by("pk")
    )
    lines = [
        f"{ward} has {load.live_initiative_count} live improvement initiatives touching it: {load.summary.lower()}.",
        "Seed research found staff inundated by simultaneous initiatives stop improving at all.",
        "A senior manager can accept this for now, with a reason and a review date, or pause or halt "
        "initiatives to shield the ward.",
    ]
    sent = notifications.notify(
        recipients=[*managers, *sponsors, *leads],
        kind=NotificationKind.OVERLOAD,
        title=f"{ward} is over its initiative threshold",
        body="\n\n".join(lines),
        subject=flag,
        url=reverse("projects:overload_flag", args=[flag.pk]),
        event=f"flag-{flag.pk}",
    )
    result.add(f"  Told {len(sent)} people about {ward}.")


def _close_flag(ward: Ward, load: WardLoad, *, result: JobResult) -> None:
    with transaction.atomic():
        flag = OverloadFlag.objects.select_for_update().filter(pk=load.open_flag.pk, closed_at__isnull=True).first()
        if flag is None:  # another run closed it
            return
        flag.closed_at = timezone.now()
        flag.load_at_close = load.load
        flag.close_cause = close_cause(ward, flag, load)
        flag.save(update_fields=["closed_at", "load_at_close", "close_cause"])
    result.add(f"Closed the overload flag for {ward}: {flag.close_cause}", "flags_closed")


LEAVING_LIVE = (Decision.Kind.PAUSE, Decision.Kind.HALT, Decision.Kind.COMPLETE)


def close_cause(ward: Ward, flag: OverloadFlag, load: WardLoad) -> str:
    """Plain words for why the load fell back: the initiatives touching the ward that were live when the flag
    opened and are not live now, each with the decision that took it out. One paused and resumed since the flag
    opened changed nothing, so it is not named."""
    fell = f"Load fell to {format_load(load.load)} of {format_load(load.threshold)}"
    if load.threshold > flag.threshold_at_open and load.load >= flag.load_at_open:
        return f"Threshold raised to {format_load(load.threshold)} (load {format_load(load.load)})."
    touching = Initiative.objects.touching_ward(ward).values("pk")
    decisions = (
        Decision.objects.filter(initiative__in=touching, made_at__gte=flag.opened_at)
        .select_related("initiative")
        .order_by("made_at", "pk")
    )
    status_at_open, took_out = {}, {}
    for decision in decisions:
        status_at_open.setdefault(decision.initiative_id, decision.from_status)
        if decision.kind in LEAVING_LIVE:
            took_out[decision.initiative_id] = decision
    net = sorted(
        (
            decision
            for pk, decision in took_out.items()
            if status_at_open[pk] == Status.LIVE and decision.initiative.status != Status.LIVE
        ),
        key=lambda decision: (decision.made_at, decision.pk),
    )[-3:]
    if net:
        what = " and ".join(f"‘{d.initiative.title}’ was {d.get_kind_display().lower()}" for d in net)
        return f"{fell} after {what}."
    return f"{fell}."


# Stalled initiatives --------------------------------------------------------------------------------


def mark_stalled(*, today: date, result: JobResult, notify_people: bool = True) -> None:
    """Live initiatives with no PDSA activity and no new measure data for STALLED_WEEKS weeks are stalled."""
    weeks = settings.QI["STALLED_WEEKS"]
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(weeks=weeks), time.min))
    rows = Initiative.objects.live().values_list("pk", "is_stalled", "last_activity_at")
    newly, resumed = [], []
    for pk, is_stalled, last_activity_at in rows:
        stalled = last_activity_at < cutoff
        if stalled and not is_stalled:
            newly.append(pk)
        elif is_stalled and not stalled:
            resumed.append(pk)
    changed = 0
    if resumed:
        changed += Initiative.objects.filter(pk__in=resumed).update(is_stalled=False, stalled_since=None)
        result.add(f"Cleared 'stalled' from {len(resumed)} initiatives with new activity.")
    # Anything no longer live is not stalled (pausing, halting and completing already clear it).
    ended = Initiative.objects.filter(is_stalled=True).exclude(status=Status.LIVE)
    changed += ended.update(is_stalled=False, stalled_since=None)
    if not newly:
        return
    updated = list(Initiative.objects.filter(pk__in=newly, is_stalled=False).select_related("sponsor").order_by("pk"))
    with transaction.atomic():  # marked and told together: a killed run leaves nobody marked but untold
        Initiative.objects.filter(pk__in=[i.pk for i in updated]).update(is_stalled=True, stalled_since=today)
        for initiative in updated:
            result.add(f"Marked ‘{initiative.title}’ as stalled.", "stalled")
            if not notify_people:
                continue
            notifications.notify(
                recipients=[initiative.sponsor],
                kind=NotificationKind.STALLED,
                title=f"‘{initiative.title}’ has stalled",
                body=(
                    f"‘{initiative.title}’ has had no PDSA activity and no new measure data for {weeks} weeks. "
                    "It is in your review queue: decide whether to support it, pause it or halt it."
                ),
                subject=initiative,
                url=reverse("review_detail", args=[initiative.pk]),
                event=f"stalled-{today.isoformat()}",
            )


# Reminders ------------------------------------------------------------------------------------------


def remind_reviews_due(*, today: date | None = None) -> JobResult:
    """Sponsors of live initiatives whose review is due within a week or overdue, once a week each."""
    result = JobResult("remind_reviews_due")
    today = today or timezone.localdate()
    period = iso_week(today)
    due = (
        Initiative.objects.live()
        .filter(next_review_on__lte=today + timedelta(days=7))
        .select_related("sponsor")
        .order_by("next_review_on", "pk")
    )
    for initiative in due:
        overdue = initiative.next_review_on < today
        state = "overdue" if overdue else "due"
        sent = notifications.notify(
            recipients=[initiative.sponsor],
            kind=NotificationKind.REVIEW_DUE,
            title=f"Review {state}: ‘{initiative.title}’",
            body=(
                f"The sponsor review of ‘{initiative.title}’ is {state} "
                f"({initiative.next_review_on:%-d %B %Y}). Record the review, or pause, halt or complete it."
            ),
            subject=initiative,
            url=reverse("review_detail", args=[initiative.pk]),
            period=period,
        )
        if sent:
            result.add(f"Reminded {initiative.sponsor} that the review of ‘{initiative.title}’ is {state}.", "sent")
    result.add(f"{result.count('sent')} review reminders for {period}.")
    return result


def remind_pdsa_overdue(*, today: date | None = None) -> JobResult:
    """Leads of PDSA cycles past their planned end and not yet studied, once a week each."""
    result = JobResult("remind_pdsa_overdue")
    today = today or timezone.localdate()
    period = iso_week(today)
    cycles = (
        PdsaCycle.objects.filter(PdsaCycle.overdue(today), initiative__status=Status.LIVE)
        .select_related("initiative__lead")
        .order_by("planned_end_on", "pk")
    )
    for cycle in cycles:
        lead = cycle.initiative.lead
        sent = notifications.notify(
            recipients=[lead],
            kind=NotificationKind.PDSA_OVERDUE,
            title=f"PDSA {cycle.number} of ‘{cycle.initiative.title}’ is past its planned end",
            body=(
                f"PDSA cycle {cycle.number}, ‘{cycle.title}’, was planned to end on {cycle.planned_end_on:%-d %B %Y} "
                "and has not been studied. Record what happened and what you learnt, or change its planned end."
            ),
            subject=cycle,
            url=cycle.get_absolute_url(),
            period=period,
        )
        if sent:
            result.add(f"Reminded {lead} about PDSA {cycle.number} of ‘{cycle.initiative.title}’.", "sent")
    result.add(f"{result.count('sent')} PDSA reminders for {period}.")
    return result


def remind_overload_reviews(*, today: date | None = None) -> JobResult:
    """An overload accepted "for now" comes back when its review date arrives, once a week while it stays open.

    The person who accepted it hears, or, if they have left, the senior managers over the ward. Re-accepting
    with a new date, or pausing or halting initiatives, ends the reminders (so does the load falling back).
    """
    result = JobResult("remind_overload_reviews")
    today = today or timezone.localdate()
    period = iso_week(today)
    flags = (
        OverloadFlag.objects.open()
        .filter(decision=OverloadFlag.Outcome.ACCEPTED, review_on__lte=today)
        .select_related("ward__directorate", "decided_by")
        .order_by("review_on", "pk")
    )
    for flag in flags:
        if flag.decided_by is not None and flag.decided_by.is_active:
            recipients = [flag.decided_by]
        else:
            recipients = list(
                User.objects.filter(
                    Q(roles__role=Role.SENIOR_MANAGER, roles__directorate=flag.ward.directorate)
                    | Q(roles__role=Role.SENIOR_MANAGER, roles__directorate__isnull=True),
                    is_active=True,
                )
                .distinct()
                .order_by("pk")
            )
        sent = notifications.notify(
            recipients=recipients,
            kind=NotificationKind.OVERLOAD,
            title=f"Review the overload on {flag.ward}",
            body=(
                f"On {flag.decided_at:%-d %B %Y} the load on {flag.ward} was accepted for now, to be reviewed on "
                f"{flag.review_on:%-d %B %Y}: “{flag.decision_reason}”. The ward is still over its threshold. "
                "Accept it again with a new review date, or pause or halt initiatives to shield the ward."
            ),
            subject=flag,
            url=reverse("projects:overload_flag", args=[flag.pk]),
            period=period,
            event=f"review-{flag.review_on.isoformat()}",
        )
        if sent:
            result.add(f"Reminded {len(sent)} people to review the overload on {flag.ward}.", "sent")
    result.add(f"{result.count('sent')} overload review reminders for {period}.")
    return result


def open_flag_wards() -> list[str]:
    return list(OverloadFlag.objects.open().order_by("ward__name").values_list("ward__name", flat=True))
