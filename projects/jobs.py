"""Scheduled work for the initiative log: the initiativitis scan, stalled initiatives and reminders.

Every job is safe to run twice or at the same time. Flags rely on the partial unique constraint (one
open flag per ward) and notifications on their unique dedupe key; a second run finds nothing new to do.
Each job returns a JobResult whose lines say, in plain words, what it did.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from projects.models import Decision, Initiative, LoadWeights, OverloadFlag, PdsaCycle, Scope, Status
from projects.overload import WardLoad, count_live_loads, format_load, refresh_overload_marks, ward_live_loads
from qiportal import notifications
from qiportal.jobs import JobResult, ReminderBatch, iso_week, qi_leads, ward_managers
from qiportal.models import NotificationKind, Role, RoleAssignment, User, Ward

# Initiativitis scan ---------------------------------------------------------------------------------


def scan_wards(*, today: date | None = None, notify_people: bool = True) -> JobResult:
    """Open and close overload flags against each ward's load, then mark and clear stalled initiatives.

    `notify_people=False` (demo seeding) records flags and stalled marks without telling anyone.
    """
    result = JobResult("scan_wards")
    today = today or timezone.localdate()
    # The loads are stored as initiatives change; the scan verifies them in a few queries per batch of wards and
    # repairs any that drifted (a bulk import, an edit made outside the services) before acting on them.
    repaired = repair_ward_loads()
    if repaired:
        count = f"{len(repaired)} ward{'s' if len(repaired) != 1 else ''}"
        result.add(f"Repaired the stored initiative load of {count}.", "loads_repaired")
    remarked = refresh_overload_marks()  # two UPDATEs on disjoint rows: each is atomic on its own
    if remarked:
        marks = f"{remarked} initiative{'s' if remarked != 1 else ''}"
        result.add(f"Repaired the overloaded-ward mark of {marks}.", "marks_repaired")
    active = list(Ward.objects.filter(is_active=True).select_related("directorate"))
    loads = ward_live_loads(active)
    wards = {ward.pk: ward for ward in active}
    to_open = [load for load in loads.values() if load.is_over and load.open_flag is None]
    to_close = [load for load in loads.values() if not load.is_over and load.open_flag is not None]
    if to_open:
        _open_flags([(wards[load.ward_id], load) for load in to_open], result=result, notify_people=notify_people)
    for load in to_close:
        _close_flag(wards[load.ward_id], load, result=result)
    over = sum(1 for load in loads.values() if load.is_over)
    result.add(f"Checked {len(loads)} wards: {over} over their threshold.")
    mark_stalled(today=today, result=result, notify_people=notify_people)
    return result


# 140 wards' five fields fit one UPDATE within SQLite's 999 parameters, so each batch is one statement there too.
REPAIR_BATCH = 140


def repair_ward_loads(*, batch_size: int | None = None) -> list[Ward]:
    """Count every ward's load afresh and fix the stored values that differ; the wards it fixed.

    Per batch of wards: the wards, the three counts, the open flags, and one bulk update when anything drifted,
    so the number of queries grows with the number of batches, not of wards or initiatives.
    """
    batch_size = batch_size or REPAIR_BATCH
    weights = LoadWeights.current()
    fixed = []
    last_pk = 0
    while True:
        with transaction.atomic():
            # Locked while counted and fixed: a decision in flight either committed before (and is counted) or
            # waits and adds its change to the repaired value.
            wards = list(Ward.objects.select_for_update().filter(pk__gt=last_pk).order_by("pk")[:batch_size])
            fixed += _repair_batch(wards, weights)
        if len(wards) < batch_size:
            return fixed
        last_pk = wards[-1].pk


def _repair_batch(wards: list[Ward], weights: LoadWeights) -> list[Ward]:
    if not wards:
        return []
    fields = ["live_on_ward", "live_on_directorate", "live_trust_wide", "live_load", "overload_flag_open"]
    counted = count_live_loads(wards, weights)
    flagged = set(
        OverloadFlag.objects.open().filter(ward_id__in=[ward.pk for ward in wards]).values_list("ward_id", flat=True)
    )
    drifted = []
    for ward in wards:
        truth = counted[ward.pk]
        stored = (ward.live_on_ward, ward.live_on_directorate, ward.live_trust_wide, ward.live_load)
        wanted = (truth.live_on_ward, truth.live_on_directorate, truth.live_trust_wide, truth.live_load)
        if stored != wanted or ward.overload_flag_open != (ward.pk in flagged):
            (ward.live_on_ward, ward.live_on_directorate, ward.live_trust_wide, ward.live_load) = wanted
            ward.overload_flag_open = ward.pk in flagged
            drifted.append(ward)
    if drifted:
        Ward.objects.bulk_update(drifted, fields)
    return drifted


# One transaction for every flag the run opens, with their notifications: a worker killed before telling people
# leaves no flag behind, so the next run opens them again and tells them (issue 10,
# tests/faults/test_scan_interrupted.py). A fixed number of queries however many flags open (issue 15).
@transaction.atomic
def _open_flags(crowded: list[tuple[Ward, WardLoad]], *, result: JobResult, notify_people: bool) -> None:
    flags = _create_flags(crowded)
    if not flags:
        return
    Ward.objects.filter(pk__in=[flag.ward_id for flag in flags]).update(overload_flag_open=True)
    refresh_overload_marks()  # the initiatives now adding to a flagged ward's load, in the flags' transaction
    by_ward = {ward.pk: (ward, load) for ward, load in crowded}
    for flag in flags:
        ward, load = by_ward[flag.ward_id]
        result.add(f"Opened an overload flag for {ward}: {load.summary}.", "flags_opened")
    if not notify_people:
        return
    leads = qi_leads()
    managers = ward_managers(flag.ward_id for flag in flags)
    sponsors = _sponsors_touching([by_ward[flag.ward_id][0] for flag in flags])
    notices = []
    for flag in flags:
        ward, load = by_ward[flag.ward_id]
        lines = [
            f"{ward} has {load.live_initiative_count} live improvement initiatives touching it: "
            f"{load.summary.lower()}.",
            "Seed research found staff inundated by simultaneous initiatives stop improving at all.",
            "A senior manager can accept this for now, with a reason and a review date, or pause or halt "
            "initiatives to shield the ward.",
        ]
        notices.append(
            notifications.Reminder(
                recipients=[*managers.get(ward.pk, []), *sponsors.get(ward.pk, []), *leads],
                kind=NotificationKind.OVERLOAD,
                subject=flag,
                title=f"{ward} is over its initiative threshold",
                body=" ".join(lines),
                url=reverse("projects:overload_flag", args=[flag.pk]),
                topic="opened",
                notice=True,
            )
        )
    # One message per person for all the flags this scan opened (a first scan may open dozens), each flag told
    # to each person once (its ReminderLog), in the transaction that opens the flags.
    sent = notifications.send_reminders(notices)
    result.add(f"  Told {len({n.recipient_id for n in sent})} people about {len(flags)} wards over their threshold.")


def _create_flags(crowded: list[tuple[Ward, WardLoad]]) -> list[OverloadFlag]:
    """One insert for all; if another run opened one of them a moment ago, one by one, skipping those."""
    rows = [OverloadFlag(ward=ward, load_at_open=load.load, threshold_at_open=load.threshold) for ward, load in crowded]
    try:
        with transaction.atomic():
            return bulk_create_with_history(rows, OverloadFlag)  # the flag's history starts at its opening
    except IntegrityError:
        pass
    flags = []
    for row in rows:
        try:
            with transaction.atomic():
                row.pk = None
                row.save()
                flags.append(row)
        except IntegrityError:
            continue
    return flags


def _sponsors_touching(wards: list[Ward]) -> dict[int, list[User]]:
    """Active sponsors of the live initiatives touching each ward (on it, across its directorate, trust-wide)."""
    live = Initiative.objects.live()
    on_ward = list(
        Initiative.wards.through.objects.filter(
            ward_id__in=[ward.pk for ward in wards], initiative__status=Status.LIVE, initiative__scope=Scope.WARDS
        ).values_list("ward_id", "initiative__sponsor_id")
    )
    by_directorate = list(
        live.filter(scope=Scope.DIRECTORATE, directorate_id__in={ward.directorate_id for ward in wards}).values_list(
            "directorate_id", "sponsor_id"
        )
    )
    trust_wide = set(live.filter(scope=Scope.TRUST).values_list("sponsor_id", flat=True))
    ids = {pk for _, pk in on_ward} | {pk for _, pk in by_directorate} | trust_wide
    people = {user.pk: user for user in User.objects.filter(pk__in=ids, is_active=True)}
    found: dict[int, set[int]] = {ward.pk: set(trust_wide) for ward in wards}
    for ward_id, sponsor_id in on_ward:
        found[ward_id].add(sponsor_id)
    directorate_sponsors: dict[int, set[int]] = {}
    for directorate_id, sponsor_id in by_directorate:
        directorate_sponsors.setdefault(directorate_id, set()).add(sponsor_id)
    for ward in wards:
        found[ward.pk] |= directorate_sponsors.get(ward.directorate_id, set())
    return {ward_id: [people[pk] for pk in sorted(ids) if pk in people] for ward_id, ids in found.items()}


def _close_flag(ward: Ward, load: WardLoad, *, result: JobResult) -> None:
    with transaction.atomic():
        flag = OverloadFlag.objects.select_for_update().filter(pk=load.open_flag.pk, closed_at__isnull=True).first()
        if flag is None:  # another run closed it
            return
        flag.closed_at = timezone.now()
        flag.load_at_close = load.load
        flag.close_cause = close_cause(ward, flag, load)
        flag.save(update_fields=["closed_at", "load_at_close", "close_cause"])
        Ward.objects.filter(pk=ward.pk).update(overload_flag_open=False)
        refresh_overload_marks(Initiative.objects.touching_ward(ward))  # only theirs can change
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
        if notify_people:
            # Each sponsor hears about all the initiatives that stalled today in one message.
            notifications.send_reminders(
                [
                    notifications.Reminder(
                        recipients=[initiative.sponsor],
                        kind=NotificationKind.STALLED,
                        subject=initiative,
                        title=f"‘{initiative.title}’ has stalled",
                        body=(
                            f"‘{initiative.title}’ has had no PDSA activity and no new measure data for {weeks} "
                            "weeks. It is in your review queue: decide whether to support it, pause it or halt it."
                        ),
                        url=reverse("review_detail", args=[initiative.pk]),
                        topic=f"stalled-{today.isoformat()}",
                        notice=True,
                    )
                    for initiative in updated
                ]
            )


# Reminders ------------------------------------------------------------------------------------------


def remind_reviews_due(*, today: date | None = None) -> JobResult:
    """Sponsors of live initiatives whose review is due within a week or overdue, once a week each."""
    result = JobResult("remind_reviews_due")
    today = today or timezone.localdate()
    due = (
        Initiative.objects.live()
        .filter(next_review_on__lte=today + timedelta(days=7))
        .select_related("sponsor")
        .order_by("next_review_on", "pk")
    )
    batch = ReminderBatch(result)
    for initiative in due:
        state = "overdue" if initiative.next_review_on < today else "due"
        batch.add(
            recipients=[initiative.sponsor],
            kind=NotificationKind.REVIEW_DUE,
            subject=initiative,
            title=f"Review {state}: ‘{initiative.title}’",
            body=(
                f"The sponsor review of ‘{initiative.title}’ is {state} "
                f"({initiative.next_review_on:%-d %B %Y}). Record the review, or pause, halt or complete it."
            ),
            url=reverse("review_detail", args=[initiative.pk]),
            says=f"Reminded {{who}} that the review of ‘{initiative.title}’ is {state}.",
        )
    batch.send(summary=f"{{n}} review reminders for {iso_week(today)}.")
    return result


def remind_pdsa_overdue(*, today: date | None = None) -> JobResult:
    """Leads of PDSA cycles past their planned end and not yet studied, once a week each."""
    result = JobResult("remind_pdsa_overdue")
    today = today or timezone.localdate()
    cycles = (
        PdsaCycle.objects.filter(PdsaCycle.overdue(today), initiative__status=Status.LIVE)
        .select_related("initiative__lead")
        .order_by("planned_end_on", "pk")
    )
    batch = ReminderBatch(result)
    for cycle in cycles:
        batch.add(
            recipients=[cycle.initiative.lead],
            kind=NotificationKind.PDSA_OVERDUE,
            subject=cycle,
            title=f"PDSA {cycle.number} of ‘{cycle.initiative.title}’ is past its planned end",
            body=(
                f"PDSA cycle {cycle.number}, ‘{cycle.title}’, was planned to end on {cycle.planned_end_on:%-d %B %Y} "
                "and has not been studied. Record what happened and what you learnt, or change its planned end."
            ),
            url=cycle.get_absolute_url(),
            says=f"Reminded {{who}} about PDSA {cycle.number} of ‘{cycle.initiative.title}’.",
        )
    batch.send(summary=f"{{n}} PDSA reminders for {iso_week(today)}.")
    return result


def remind_overload_reviews(*, today: date | None = None) -> JobResult:
    """An overload accepted "for now" comes back when its review date arrives, once a week while it stays open.

    The person who accepted it hears, or, if they have left, the senior managers over the ward. Re-accepting
    with a new date, or pausing or halting initiatives, ends the reminders (so does the load falling back).
    """
    result = JobResult("remind_overload_reviews")
    today = today or timezone.localdate()
    flags = list(
        OverloadFlag.objects.open()
        .filter(decision=OverloadFlag.Outcome.ACCEPTED, review_on__lte=today)
        .select_related("ward__directorate", "decided_by")
        .order_by("review_on", "pk")
    )
    overseers = _senior_managers_by_directorate() if flags else {}
    batch = ReminderBatch(result)
    for flag in flags:
        if flag.decided_by is not None and flag.decided_by.is_active:
            recipients = [flag.decided_by]
        else:
            recipients = overseers.get(flag.ward.directorate_id, []) + overseers.get(None, [])
        batch.add(
            recipients=recipients,
            kind=NotificationKind.OVERLOAD,
            subject=flag,
            topic=f"review-{flag.review_on.isoformat()}",
            title=f"Review the overload on {flag.ward}",
            body=(
                f"On {flag.decided_at:%-d %B %Y} the load on {flag.ward} was accepted for now, to be reviewed on "
                f"{flag.review_on:%-d %B %Y}: “{flag.decision_reason}”. The ward is still over its threshold. "
                "Accept it again with a new review date, or pause or halt initiatives to shield the ward."
            ),
            url=reverse("projects:overload_flag", args=[flag.pk]),
            says=f"Reminded {{n}} people to review the overload on {flag.ward}.",
        )
    batch.send(summary=f"{{n}} overload review reminders for {iso_week(today)}.")
    return result


def _senior_managers_by_directorate() -> dict[int | None, list[User]]:
    """Active senior managers by the directorate they oversee (None: the whole trust), in one query."""
    found: dict[int | None, list[User]] = {}
    assignments = (
        RoleAssignment.objects.filter(role=Role.SENIOR_MANAGER, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    for assignment in assignments:
        people = found.setdefault(assignment.directorate_id, [])
        if assignment.user not in people:
            people.append(assignment.user)
    return found


def open_flag_wards() -> list[str]:
    return list(OverloadFlag.objects.open().order_by("ward__name").values_list("ward__name", flat=True))
