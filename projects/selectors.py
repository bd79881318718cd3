"""Reads the initiative pages depend on: each shaped once, with counts in the query, flat as data grows."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from difflib import SequenceMatcher
from itertools import pairwise

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import ModelChange
from simple_history.utils import get_m2m_reverse_field_name

from projects.models import (
    STALLED,
    ChangeIdea,
    Decision,
    Initiative,
    OverloadFlag,
    PdsaCycle,
    ProgressScore,
    Scope,
    Status,
)
from qiportal import permissions
from qiportal.models import User, Ward

OPEN_STATUSES = (Status.SUBMITTED, Status.LIVE, Status.PAUSED)


def portfolio(user: User) -> QuerySet[Initiative]:
    """The trust's log as this user may see it: plain rows to filter and count."""
    return Initiative.objects.visible_to(user)


def portfolio_rows(queryset: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """What a list row shows, in a fixed number of queries. Applied after filtering and counting, and the
    cycle count is a correlated subquery, so it is worked out only for the rows on the page."""
    today = timezone.localdate()
    cycles = PdsaCycle.objects.filter(initiative=OuterRef("pk")).order_by().values("initiative").annotate(n=Count("pk"))
    return (
        queryset.select_related("lead", "sponsor", "priority", "directorate")
        .prefetch_related(Prefetch("wards", queryset=Ward.objects.only("pk", "name", "slug", "directorate_id")))
        .annotate(
            cycle_count=Coalesce(Subquery(cycles.values("n")), 0),
            review_overdue=Q(status=Status.LIVE, next_review_on__lt=today),
        )
    )


def status_counts(queryset: QuerySet[Initiative]) -> dict[str, int]:
    """Counts by status for the tabs, in one aggregate over the filtered list."""
    aggregates = {value: Count("pk", filter=Q(status=value)) for value in Status.values}
    counts = queryset.order_by().aggregate(total=Count("pk"), **aggregates)
    return counts


def flagged() -> Q:
    """The one definition of "flagged" (issue 17): flagged for attention, stalled, or adding to an overloaded
    ward's load. The review queue's "flagged" group, its count on the sponsor's home and the header's count of
    reviews all ask this."""
    return (
        Q(status__in=(Status.LIVE, Status.PAUSED), flagged_for_attention=True)
        | STALLED
        | Q(status=Status.LIVE, on_overloaded_ward=True)  # stored: projects.overload.refresh_overload_marks
    )


def _in_review_queue(user: User, initiatives: QuerySet[Initiative] | None = None) -> QuerySet[Initiative]:
    """Of `initiatives` (all by default), those in this person's review queue."""
    soon = timezone.localdate() + timedelta(days=7)
    base = permissions.reviewable_initiatives(user, Initiative.objects.all() if initiatives is None else initiatives)
    # Every part of the queue is submitted, live or paused: said first as well, it lets PostgreSQL read just that
    # range of the review index (which carries the flags), a third of the time of testing every initiative.
    return base.filter(status__in=(Status.SUBMITTED, Status.LIVE, Status.PAUSED)).filter(
        Q(status=Status.SUBMITTED) | Q(status__in=(Status.LIVE, Status.PAUSED), next_review_on__lte=soon) | flagged()
    )


def review_queue(user: User) -> QuerySet[Initiative]:
    """Submitted proposals, live initiatives whose review is due or overdue, and any flagged (see flagged())."""
    return _in_review_queue(user, review_rows()).order_by("next_review_on", "submitted_at", "pk")


def review_rows() -> QuerySet[Initiative]:
    """What a row of the review queue shows; a page's rows are read by their keys from this, once review_queue()
    has chosen and ordered them (qiportal.paging.page_by_ids)."""
    return (
        Initiative.objects.select_related("lead", "sponsor", "priority", "directorate")
        .prefetch_related(Prefetch("wards", queryset=Ward.objects.only("pk", "name", "slug", "directorate_id")))
        .annotate(is_flagged=flagged())
    )


def review_total(user: User) -> int:
    """How many initiatives wait in this person's review queue (the header's count): one plain count."""
    return _in_review_queue(user).order_by().count()


def review_total_for(request) -> int:
    """review_total() of the person making this request, counted once per request: the header shows it on every
    page and the review queue pages by it, so that page would otherwise count its queue twice."""
    total = getattr(request, "_review_total", None)
    if total is None:
        total = request._review_total = review_total(request.user)
    return total


def review_counts(user: User) -> dict[str, int]:
    """The badge counts for the navigation and the queue's headings, in one query."""
    today = timezone.localdate()
    soon = today + timedelta(days=7)
    return (
        _in_review_queue(user)
        .order_by()
        .aggregate(
            total=Count("pk"),
            submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
            overdue=Count("pk", filter=Q(status__in=(Status.LIVE, Status.PAUSED), next_review_on__lt=today)),
            due=Count(
                "pk",
                filter=Q(status__in=(Status.LIVE, Status.PAUSED), next_review_on__gte=today, next_review_on__lte=soon),
            ),
            flagged=Count("pk", filter=flagged()),
        )
    )


def overloaded_wards_touched(initiatives: Iterable[Initiative]) -> dict[int, list[Ward]]:
    """For each initiative adding to an overloaded ward's load, those wards (by initiative id), in one query.
    Reads the initiatives' prefetched wards. The wards come with what a link to them needs: at the scale trust a
    morning's scan leaves 116 flags open, and reading each flag and whole ward row was a tenth of the queue's time."""
    flagged = list(
        Ward.objects.filter(pk__in=OverloadFlag.objects.open().values("ward_id"))
        .only("pk", "name", "slug", "directorate_id")
        .order_by("name", "pk")
    )
    if not flagged:
        return {}
    found: dict[int, list[Ward]] = {}
    for initiative in initiatives:
        if initiative.status != Status.LIVE:
            continue
        if initiative.scope == Scope.TRUST:
            wards = flagged
        elif initiative.scope == Scope.DIRECTORATE:
            wards = [ward for ward in flagged if ward.directorate_id == initiative.directorate_id]
        else:
            mine = {ward.pk for ward in initiative.wards.all()}
            wards = [ward for ward in flagged if ward.pk in mine]
        if wards:
            found[initiative.pk] = wards
    return found


def initiative_for_page(pk: int, user: User) -> Initiative:
    """One initiative with everything its page shows, prefetched."""
    return (
        Initiative.objects.visible_to(user)
        .select_related("lead", "sponsor", "priority", "directorate", "coach", "created_by")
        .prefetch_related(
            Prefetch("wards", queryset=Ward.objects.select_related("directorate")),
            "team",
            Prefetch("change_ideas", queryset=ChangeIdea.objects.annotate(cycle_count=Count("pdsa_cycles"))),
            Prefetch("pdsa_cycles", queryset=PdsaCycle.objects.select_related("change_idea", "measure")),
            Prefetch("decisions", queryset=Decision.objects.select_related("made_by")),
            Prefetch("progress_scores", queryset=ProgressScore.objects.select_related("set_by")),
            "measures",
        )
        .get(pk=pk)
    )


HISTORY_HIDDEN = ("status", "submitted_at", "approved_on", "ended_on", "flagged_for_attention", "flag_reason")


def charter_history(initiative: Initiative, limit: int = 50) -> list[dict]:
    """Edits to the charter, newest first: who changed which fields from what to what, and when.

    Related rows are shown by name (wards, people, the priority, the directorate), looked up once per kind of row
    for the whole history; choices by their label and dates as people write them.
    """
    records = list(
        initiative.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    # The wards and team each record held, read for every record at once: diff_against reads them again for each
    # pair of records, two queries per record per list (215 queries for a page with a long history).
    m2m = _m2m_history(records)
    deltas = []
    for newer, older in pairwise(records):
        changes = newer.diff_against(older, excluded_fields=list(m2m)).changes
        for name, by_record in m2m.items():
            if by_record[older.pk] != by_record[newer.pk]:
                changes.append(ModelChange(name, by_record[older.pk], by_record[newer.pk]))
        deltas.append((newer, [c for c in changes if c.field not in HISTORY_HIDDEN]))
    names = _related_names(change for _, changes in deltas for change in changes)
    changes = []
    for newer, delta in deltas:
        fields = []
        for change in delta:
            field = Initiative._meta.get_field(change.field)
            fields.append(
                {
                    "field": field.verbose_name.capitalize(),
                    "old": _show(field, change.old, names),
                    "new": _show(field, change.new, names),
                }
            )
        if fields:
            changes.append({"at": newer.history_date, "by": newer.history_user, "fields": fields})
    if records:
        first = records[-1]
        if len(records) <= limit:
            changes.append({"at": first.history_date, "by": first.history_user, "fields": [], "created": True})
    return changes


def _m2m_history(records) -> dict[str, defaultdict]:
    """{field name: {history id: rows}} for each many-to-many field the history keeps: the rows as diff_against
    gives them (dicts of the through table's editable fields, in the related row's order), one query a field."""
    found = {}
    if not records:
        return found
    for field in records[0]._history_m2m_fields:
        through = getattr(records[0], field.name).model
        order = get_m2m_reverse_field_name(field)
        skip = ("id", "m2m_history_id", "history")
        names = [f.name for f in through._meta.fields if f.editable and f.name not in skip]
        by_record = defaultdict(list)
        rows = through.objects.filter(history_id__in=[record.pk for record in records]).order_by(order)
        for row in rows.values("history_id", *names):
            by_record[row.pop("history_id")].append(row)
        found[field.name] = by_record
    return found


def _related_ids(field, value) -> list:
    """The ids a history value holds for a relation: a foreign key's id, or a many-to-many list of through rows."""
    if value in (None, ""):
        return []
    if field.many_to_many:
        return [item for row in value for key, item in row.items() if key not in ("initiative", "id")]
    return [value]


def _related_names(changes) -> dict:
    """{(model, id): name} for every related row the changes mention: one query per kind of row."""
    wanted: dict = defaultdict(set)
    for change in changes:
        field = Initiative._meta.get_field(change.field)
        if field.is_relation:
            for value in (change.old, change.new):
                wanted[field.related_model].update(_related_ids(field, value))
    names = {}
    for model, ids in wanted.items():
        for row in model._base_manager.filter(pk__in=ids):
            names[model, row.pk] = getattr(row, "display_name", None) or str(row)
    return names


def _show(field, value, names) -> str:
    if field.is_relation:
        ids = _related_ids(field, value)
        if not ids:
            return "none"
        noun = field.related_model._meta.verbose_name
        shown = [names.get((field.related_model, pk), f"a removed {noun}") for pk in ids]
        return ", ".join(sorted(shown)) if field.many_to_many else shown[0]
    if value is None or value == "":
        return "none"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, date):
        return f"{value:%-d %B %Y}"
    return str(value)


_WORD = re.compile(r"[a-z0-9]+")
_STOP = {"the", "a", "an", "of", "on", "in", "for", "to", "and", "at", "with", "by", "improving", "improve", "project"}


def _words(title: str) -> set[str]:
    return {word for word in _WORD.findall(title.lower()) if word not in _STOP}


def similar_live_initiatives(title: str, wards, scope: str, directorate=None, exclude_pk=None) -> list[Initiative]:
    """Open initiatives on the same wards whose titles look like this one ("is this the same as …?")."""
    candidates = Initiative.objects.filter(status__in=OPEN_STATUSES)
    if scope == Scope.WARDS:
        ward_ids = [ward.pk for ward in wards]
        directorate_ids = {ward.directorate_id for ward in wards}
        candidates = candidates.filter(
            Q(wards__in=ward_ids)
            | Q(scope=Scope.DIRECTORATE, directorate_id__in=directorate_ids)
            | Q(scope=Scope.TRUST)
        )
    elif scope == Scope.DIRECTORATE and directorate is not None:
        candidates = candidates.filter(Q(directorate=directorate) | Q(wards__directorate=directorate))
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    mine = _words(title)
    matches = []
    for initiative in candidates.distinct().select_related("lead").only("pk", "title", "status", "lead"):
        theirs = _words(initiative.title)
        overlap = len(mine & theirs) / max(1, min(len(mine), len(theirs)))
        ratio = SequenceMatcher(None, title.lower(), initiative.title.lower()).ratio()
        if ratio >= 0.6 or (overlap >= 0.5 and len(mine & theirs) >= 1):
            matches.append(initiative)
    return matches[:5]


def pdsa_activity(initiative: Initiative) -> dict[str, int]:
    cycles = list(initiative.pdsa_cycles.all())
    return {
        "total": len(cycles),
        "studied": sum(1 for cycle in cycles if cycle.is_studied),
        "overdue": sum(1 for cycle in cycles if cycle.is_overdue),
    }


def decidable_on_ward(user: User, ward) -> list[Initiative]:
    """Live initiatives touching `ward` that `user` may pause or halt: the same `can_decide` as the decision pages,
    so a senior manager scoped to one directorate is not offered a trust-wide initiative sponsored by someone else."""
    live = (
        Initiative.objects.live()
        .touching_ward(ward)
        .select_related("lead")
        .prefetch_related("wards", "team")
        .order_by("title", "pk")
    )
    return [initiative for initiative in live if permissions.can_decide(user, initiative)]


# The portfolio download ----------------------------------------------------------------------------

EXPORT_HEADER = [
    "ID",
    "Title",
    "Status",
    "Strategic priority",
    "Scope",
    "Wards",
    "Directorate",
    "Lead",
    "Sponsor",
    "Planned start",
    "Planned end",
    "Next review",
    "Progress score",
    "PDSA cycles",
    "Aim",
]


def export_rows(queryset) -> tuple[list[str], Iterable[list]]:
    """The portfolio as spreadsheet rows (header, rows) for the CSV and XLSX downloads."""
    rows = (
        [
            i.pk,
            i.title,
            i.get_status_display(),
            i.priority.name,
            i.get_scope_display(),
            "; ".join(w.name for w in i.wards.all()),
            i.directorate.name if i.directorate else "Trust-wide",
            i.lead.display_name,
            i.sponsor.display_name,
            i.planned_start_on,
            i.planned_end_on,
            i.review_due_on,
            i.progress_score,
            i.cycle_count,
            i.aim,
        ]
        for i in queryset
    )
    return EXPORT_HEADER, rows
