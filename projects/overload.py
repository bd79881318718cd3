"""Initiativitis: each ward's weighted load of live initiatives, against its threshold.

Seed 001 found staff "inundated by quality initiatives" and asks managers to shield wards from it.
A ward's load counts every live initiative touching it: the ward weight for each initiative on the
ward itself, the directorate weight for each covering its whole directorate, the trust weight for
each trust-wide one. Everything is counted in the database in a fixed number of queries, however many
wards and initiatives there are.

The load is stored on each ward (qiportal.Ward.live_*), kept by projects.services.change_live_load in the same
transaction as the change, so a page reads it from the ward row. The scan counts it afresh in a few queries per
batch of wards and repairs any stored value that drifted (a bulk import, a hand edit in the database).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from projects.models import Initiative, LoadWeights, OverloadFlag, Scope, Status, format_load
from qiportal.models import Ward


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


def ward_live_load(ward: Ward) -> WardLoad:
    """One ward's stored load, read from the ward instance given, and its open flag (one query)."""
    return ward_live_loads([ward])[ward.pk]


# The names pages used before the load was stored.
ward_loads = ward_live_loads
ward_load = ward_live_load


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


def flag_history(ward: Ward, limit: int = 20) -> list[OverloadFlag]:
    return list(ward.overload_flags.select_related("decided_by").order_by("-opened_at", "-pk")[:limit])
