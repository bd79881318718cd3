"""Initiativitis: each ward's weighted load of live initiatives, against its threshold.

Seed 001 found staff "inundated by quality initiatives" and asks managers to shield wards from it.
A ward's load counts every live initiative touching it: the ward weight for each initiative on the
ward itself, the directorate weight for each covering its whole directorate, the trust weight for
each trust-wide one. Everything is counted in the database in a fixed number of queries, however many
wards and initiatives there are.

The load is stored on each ward (qiportal.Ward.live_*), kept by projects.services.change_live_load in the same
transaction as the change, so a page reads it from the ward row. The scan counts it afresh in a few queries per
batch of wards and repairs any stored value that drifted (a bulk import, a hand edit in the database).

Which live initiatives add to the load of a flagged ward is stored on each initiative too (on_overloaded_ward,
kept by refresh_overload_marks): the review queue and the header's count read that column rather than working it
out from the open flags on every page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Q, QuerySet

from projects.models import Initiative, LoadWeights, OverloadFlag, Scope, Status, format_load
from qiportal.models import Ward


def touches_overloaded_ward() -> Q:
    """The truth behind Initiative.on_overloaded_ward, worked out from the open flags: live initiatives adding to
    the load of a ward with an open overload flag, on the ward, covering its directorate or trust-wide, as the
    ward's load counts them and as the flag page offers them to pause or halt."""
    open_flags = OverloadFlag.objects.open()
    on_flagged_wards = Initiative.wards.through.objects.filter(ward_id__in=open_flags.values("ward_id"))
    return Q(status=Status.LIVE) & (
        Q(scope=Scope.WARDS, pk__in=on_flagged_wards.values("initiative_id"))
        | Q(scope=Scope.DIRECTORATE, directorate_id__in=open_flags.values("ward__directorate_id"))
        | Q(Exists(open_flags), scope=Scope.TRUST)
    )


def refresh_overload_marks(initiatives: QuerySet[Initiative] | None = None) -> int:
    """Set Initiative.on_overloaded_ward to the truth for these initiatives (all by default); how many changed.

    Two UPDATEs whatever the number of initiatives. Called in the transaction that opens or closes a flag, or that
    moves an initiative into or out of live or changes its reach, and by the scan to repair any drift.
    """
    initiatives = Initiative.objects.all() if initiatives is None else initiatives
    touching = Initiative.objects.filter(touches_overloaded_ward()).values("pk")
    marked = initiatives.filter(on_overloaded_ward=False, pk__in=touching).update(on_overloaded_ward=True)
    cleared = initiatives.filter(on_overloaded_ward=True).exclude(pk__in=touching).update(on_overloaded_ward=False)
    return marked + cleared


@dataclass(frozen=True)
class WardLoad:
    ward_id: int
    load: Decimal
    threshold: Decimal
    is_over: bool
    live_initiative_count: int
    open_flag: OverloadFlag | None = None
    ward_count: int = 0
    directorate_count: int = 0
    trust_count: int = 0

    @property
    def status_label(self) -> str:
        return "over threshold" if self.is_over else "within threshold"

    @property
    def summary(self) -> str:
        """Plain words, never colour alone: "Load 3.5 of 3 – over threshold"."""
        return f"Load {format_load(self.load)} of {format_load(self.threshold)} – {self.status_label}"


def _stored(ward: Ward, open_flag: OverloadFlag | None = None) -> WardLoad:
    threshold = Decimal(ward.overload_threshold)
    load = Decimal(ward.live_load)
    return WardLoad(
        ward_id=ward.pk,
        load=load,
        threshold=threshold,
        is_over=load > threshold,
        live_initiative_count=ward.live_initiative_count,
        open_flag=open_flag,
        ward_count=ward.live_on_ward,
        directorate_count=ward.live_on_directorate,
        trust_count=ward.live_trust_wide,
    )


def ward_live_loads(wards: Iterable[Ward] | None = None) -> dict[int, WardLoad]:
    """Each ward's stored load (all active wards when none are given), keyed by ward id.

    The load is read from the ward row, kept by projects.services.change_live_load; the open flags (with who
    decided on them, for the page) come in one query. Queries: the wards (none when instances are passed), the flags.
    """
    if wards is None:
        wards = Ward.objects.filter(is_active=True)
    wards = list(wards)
    if not wards:
        return {}
    open_flags = {
        flag.ward_id: flag
        for flag in OverloadFlag.objects.open()
        .filter(ward_id__in=[ward.pk for ward in wards])
        .select_related("decided_by")
    }
    return {ward.pk: _stored(ward, open_flags.get(ward.pk)) for ward in wards}


@dataclass(frozen=True)
class Counted:
    """What a ward's load should be, counted from the initiatives themselves."""

    live_on_ward: int
    live_on_directorate: int
    live_trust_wide: int
    live_load: Decimal


def count_live_loads(wards: Iterable[Ward], weights: LoadWeights | None = None) -> dict[int, Counted]:
    """Count each ward's load from the live initiatives, for the scan to verify the stored values against.

    Three queries however many wards are given (ward-scoped counts, directorate-wide counts, trust-wide count).
    """
    wards = list(wards)
    if not wards:
        return {}
    weights = weights or LoadWeights.current()
    ward_ids = [ward.pk for ward in wards]
    through = Initiative.wards.through
    per_ward = dict(
        through.objects.filter(ward_id__in=ward_ids, initiative__status=Status.LIVE, initiative__scope=Scope.WARDS)
        .values("ward_id")
        .annotate(n=Count("initiative_id", distinct=True))
        .values_list("ward_id", "n")
    )
    directorate_ids = {ward.directorate_id for ward in wards}
    per_directorate = dict(
        Initiative.objects.filter(status=Status.LIVE, scope=Scope.DIRECTORATE, directorate_id__in=directorate_ids)
        .values("directorate_id")
        .annotate(n=Count("pk"))
        .values_list("directorate_id", "n")
    )
    trust_wide = Initiative.objects.filter(status=Status.LIVE, scope=Scope.TRUST).count()
    counted = {}
    for ward in wards:
        on_ward = per_ward.get(ward.pk, 0)
        on_directorate = per_directorate.get(ward.directorate_id, 0)
        counted[ward.pk] = Counted(
            live_on_ward=on_ward,
            live_on_directorate=on_directorate,
            live_trust_wide=trust_wide,
            live_load=weigh(weights, on_ward, on_directorate, trust_wide),
        )
    return counted


def weigh(weights: LoadWeights, on_ward: int, on_directorate: int, trust_wide: int) -> Decimal:
    return (
        weights.ward_weight * on_ward + weights.directorate_weight * on_directorate + weights.trust_weight * trust_wide
    )


@dataclass(frozen=True)
class LoadIfLive:
    """One ward's load now and once an initiative goes live (approved or resumed), for the sponsor deciding."""

    ward: Ward
    now: WardLoad
    after: Decimal

    @property
    def is_over_after(self) -> bool:
        return self.after > self.now.threshold

    @property
    def open_flag(self) -> OverloadFlag | None:
        return self.now.open_flag

    @property
    def would_raise_flag(self) -> bool:
        """Going live takes the ward over its threshold and no flag is open yet: the next scan opens one."""
        return self.is_over_after and self.open_flag is None

    @property
    def load_now(self) -> str:
        return format_load(self.now.load)

    @property
    def load_after(self) -> str:
        return format_load(self.after)

    @property
    def threshold(self) -> str:
        return format_load(self.now.threshold)


def load_if_live(initiative: Initiative) -> list[LoadIfLive]:
    """What each ward the initiative touches would carry if it went live: its weight added to the ward's load now.

    The one place the sponsor's approve and review pages ask; the load itself comes from ward_live_loads, so a stored
    load can replace the counting there without changing this. A live initiative already counts: nothing is added.
    """
    weights = LoadWeights.current()
    wards = Ward.objects.filter(is_active=True).select_related("directorate").order_by("name", "pk")
    if initiative.scope == Scope.WARDS:
        wards, weight = wards.filter(pk__in=initiative.wards.values("pk")), weights.ward_weight
    elif initiative.scope == Scope.DIRECTORATE:
        wards, weight = wards.filter(directorate_id=initiative.directorate_id), weights.directorate_weight
    else:
        weight = weights.trust_weight
    if initiative.status == Status.LIVE:
        weight = Decimal(0)
    wards = list(wards)
    loads = ward_live_loads(wards)
    return [LoadIfLive(ward=ward, now=loads[ward.pk], after=loads[ward.pk].load + weight) for ward in wards]


def load_and_flag_history(ward: Ward, limit: int = 20) -> tuple[WardLoad, list[OverloadFlag]]:
    """The ward's stored load and its flags, newest first, each with `decision_log` (see with_decision_logs), from
    one read of its flags: a ward has one open flag at most (a constraint), opened after every flag before it, so
    when there is one it heads the history."""
    flags = with_decision_logs(ward.overload_flags.select_related("decided_by").order_by("-opened_at", "-pk")[:limit])
    open_flag = next((flag for flag in flags[:1] if flag.closed_at is None), None)
    return _stored(ward, open_flag), flags


@dataclass(frozen=True)
class FlagDecision:
    """One senior manager's decision on a flag, as it was made: a later one never hides an earlier one."""

    outcome: str
    label: str
    reason: str
    review_on: object
    decided_by: object
    decided_at: object

    @property
    def summary(self) -> str:
        by = getattr(self.decided_by, "display_name", None) or "a senior manager"
        when = f" on {self.decided_at:%-d %B %Y}" if self.decided_at else ""
        text = f"{self.label} by {by}{when}: {self.reason}"
        if self.outcome == OverloadFlag.Outcome.ACCEPTED and self.review_on:
            text += f" (review on {self.review_on:%-d %B %Y})"
        return text


def with_decision_logs(flags: Iterable[OverloadFlag]) -> list[OverloadFlag]:
    """Give each flag `decision_log`: every decision recorded on it, oldest first, read from the flag's history in
    one query. The flag row keeps only the latest (reminders follow it), so accepting the load and later pausing
    initiatives both stay on the record after the flag closes."""
    flags = list(flags)
    labels = dict(OverloadFlag.Outcome.choices)

    def entry(row) -> FlagDecision:
        return FlagDecision(
            outcome=row.decision,
            label=labels.get(row.decision, row.decision),
            reason=row.decision_reason,
            review_on=row.review_on,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
        )

    def key(row) -> tuple:
        return (row.decided_at, row.decision, row.decision_reason, row.review_on)

    logs: dict[int, dict] = {flag.pk: {} for flag in flags}
    rows = (
        OverloadFlag.history.filter(id__in=list(logs))
        .exclude(decision="")
        .select_related("decided_by")
        .order_by("history_date", "history_id")
    )
    for row in rows:
        logs[row.id].setdefault(key(row), entry(row))
    for flag in flags:
        if flag.decision and key(flag) not in logs[flag.pk]:  # a row saved without history still shows its decision
            logs[flag.pk][key(flag)] = entry(flag)
        flag.decision_log = list(logs[flag.pk].values())
    return flags
