"""The portfolio dashboard: the golden thread from strategy to ward, for a trust or its directorates.

Senior managers review continually and shield wards (seed 001); leaders link improvement to a few strategic
priorities (seed 002, Q5). Everything here is read in a fixed number of queries however many wards and
initiatives there are; charts are drawn by matplotlib's object API and cached under a hash of their data.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.utils import timezone

from excellence.models import ExcellenceReport
from excellence.selectors import weekly_chart as excellence_chart
from ffit import selectors as ffit_selectors
from projects.models import Decision, Initiative, OverloadFlag, Status
from projects.overload import WardLoad, ward_live_loads
from qiportal import permissions
from qiportal.models import Directorate, Role, StrategicPriority, User, Ward
from runcharts.models import Measure

CHART_CACHE_SECONDS = 60 * 60 * 24
CHART_KINDS = ("status", "priority", "progress")
DECISION_DAYS = 90
EXCELLENCE_WEEKS = 4
LIST_LIMIT = 20
WARD_PAGE_SIZE = 25  # the ward table is paged: a trust has 150 wards
PROGRESS_SCORES = [Decimal(n) / 2 for n in range(1, 11)]  # the IHI scale 0.5 to 5 in halves

# The ward table's sortable columns: ?sort=<name>, or ?sort=-<name> for descending.
SORTS = {
    "name": ("Ward", lambda row: row.ward.name.lower()),
    "load": ("Load", lambda row: row.load.load if row.load else Decimal(-1)),
    "ffit": ("Latest FFIT", lambda row: -1 if row.ffit_percent is None else row.ffit_percent),
    "excellence": ("Excellence reports", lambda row: row.excellence_count),
    "concern": ("Measures with concern", lambda row: row.concern_count),
    "flags": ("Open flags", lambda row: 1 if row.load and row.load.open_flag else 0),
}


# Scope ---------------------------------------------------------------------------------------------------


def sees_whole_trust(user: User) -> bool:
    """QI leads, coaches, admins and trust-wide senior managers see the trust; others their directorates."""
    return (
        permissions.is_admin(user)
        or user.has_role(Role.QI_LEAD, Role.QI_COACH)
        or user.overseen_directorate_ids is None
    )


@dataclass(frozen=True)
class DashboardScope:
    """Which directorates the page covers: None is the whole trust."""

    directorate_ids: frozenset[int] | None
    choices: list[Directorate]
    selected: Directorate | None
    trust_wide: bool

    @property
    def label(self) -> str:
        if self.selected is not None:
            return self.selected.name
        if self.directorate_ids is None:
            return "the whole trust"
        return ", ".join(d.name for d in self.choices)

    @property
    def param(self) -> str:
        return f"?directorate={self.selected.slug}" if self.selected else ""


def dashboard_scope(user: User, directorate_slug: str | None = None) -> DashboardScope:
    """The directorates this user may filter to and the one chosen; an out-of-scope choice is a 404."""
    trust_wide = sees_whole_trust(user)
    directorates = Directorate.objects.order_by("name")
    if not trust_wide:
        directorates = directorates.filter(pk__in=user.overseen_directorate_ids or [])
    choices = list(directorates)
    selected = None
    if directorate_slug:
        selected = next((d for d in choices if d.slug == directorate_slug), None)
        if selected is None:
            raise Http404("No such directorate in your view")
    ids = None if trust_wide else frozenset(d.pk for d in choices)
    if selected is not None:
        ids = frozenset([selected.pk])
    return DashboardScope(directorate_ids=ids, choices=choices, selected=selected, trust_wide=trust_wide)


def scoped_wards(scope: DashboardScope):
    wards = Ward.objects.filter(is_active=True).select_related("directorate").order_by("name")
    if scope.directorate_ids is not None:
        wards = wards.filter(directorate_id__in=scope.directorate_ids)
    return wards


def scoped_initiatives(scope: DashboardScope):
    """Every initiative past draft that belongs to, or touches a ward in, the scope (drafts are private)."""
    initiatives = Initiative.objects.exclude(status=Status.DRAFT)
    if scope.directorate_ids is not None:
        ids = Initiative.objects.for_directorates(scope.directorate_ids).values("pk")
        initiatives = initiatives.filter(pk__in=ids)
    return initiatives


# Counts and lists ------------------------------------------------------------------------------------------


def _counts_by_priority_and_status(initiatives) -> dict[int, dict[str, int]]:
    """{priority id: {status: count}}: one grouped query, read by both the status and the priority rows."""
    grouped: dict[int, dict[str, int]] = {}
    for priority_id, status, n in (
        initiatives.order_by()
        .values("priority_id", "status")
        .annotate(n=Count("pk"))
        .values_list("priority_id", "status", "n")
    ):
        grouped.setdefault(priority_id, {})[status] = n
    return grouped


def status_rows(initiatives, grouped: dict[int, dict[str, int]] | None = None) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status past draft, from one grouped query (or `grouped`, already read)."""
    if grouped is None:
        grouped = _counts_by_priority_and_status(initiatives)
    values = [s for s in Status if s != Status.DRAFT]
    return [(s.value, s.label, sum(counts.get(s.value, 0) for counts in grouped.values())) for s in values]


@dataclass(frozen=True)
class PriorityRow:
    priority: StrategicPriority
    live: int
    open: int  # submitted, live or paused
    completed: int
    total: int

    @property
    def is_frayed(self) -> bool:
        """A priority nothing live works towards: the thread from strategy to ward is cut."""
        return self.live == 0


def priority_rows(initiatives, grouped: dict[int, dict[str, int]] | None = None) -> list[PriorityRow]:
    """Each active strategic priority (and any inactive one still carrying initiatives) with its counts.

    The initiatives are counted once, grouped by priority and status, rather than joined to every priority
    (or `grouped`, the same grouping already read).
    """
    by_status = _counts_by_priority_and_status(initiatives) if grouped is None else grouped
    rows = []
    for priority in StrategicPriority.objects.order_by("order", "name"):
        counts = by_status.get(priority.pk, {})
        total = sum(counts.values())
        if not (priority.is_active or total):
            continue
        rows.append(
            PriorityRow(
                priority,
                live=counts.get(Status.LIVE, 0),
                open=sum(counts.get(s, 0) for s in (Status.SUBMITTED, Status.LIVE, Status.PAUSED)),
                completed=counts.get(Status.COMPLETED, 0),
                total=total,
            )
        )
    return rows


def progress_rows(initiatives) -> list[tuple[str, int]]:
    """Open initiatives per IHI progress score (0.5 to 5), with "Not scored" last."""
    counts = dict(
        initiatives.filter(status__in=(Status.LIVE, Status.PAUSED))
        .order_by()
        .values("progress_score")
        .annotate(n=Count("pk"))
        .values_list("progress_score", "n")
    )
    rows = [(f"{score:g}", counts.get(score, 0)) for score in PROGRESS_SCORES]
    rows.append(("Not scored", counts.get(None, 0)))
    return rows


def _listed(initiatives):
    wards = Prefetch("wards", queryset=Ward.objects.only("pk", "name", "slug", "directorate_id"))  # names only
    return initiatives.select_related("lead", "sponsor", "priority", "directorate").prefetch_related(wards)


def reviews(initiatives) -> dict:
    today = timezone.localdate()
    soon = today + timedelta(days=7)
    rows = list(
        _listed(initiatives.filter(status=Status.LIVE, next_review_on__lte=soon)).order_by("next_review_on", "pk")[
            :LIST_LIMIT
        ]
    )
    # Counted over live initiatives reviewed by next week only (the review index's range), not every initiative.
    counts = (
        initiatives.filter(status=Status.LIVE, next_review_on__lte=soon)
        .order_by()
        .aggregate(
            overdue=Count("pk", filter=Q(next_review_on__lt=today)),
            due=Count("pk", filter=Q(next_review_on__gte=today)),
        )
    )
    return {"rows": rows, **counts}


def stalled(initiatives) -> list[Initiative]:
    return list(_listed(initiatives.stalled()).order_by("stalled_since", "pk")[:LIST_LIMIT])


def stalled_count(initiatives) -> int:
    return initiatives.stalled().count()


def recent_decisions(initiatives) -> list[Decision]:
    """Pauses and halts, with their reasons, in the last 90 days: the record of shielding wards."""
    since = timezone.now() - timedelta(days=DECISION_DAYS)
    newest = Decision.objects.filter(
        initiative__in=initiatives.values("pk"),
        kind__in=(Decision.Kind.PAUSE, Decision.Kind.HALT),
        made_at__gte=since,
    ).order_by("-made_at", "-pk")
    # The newest few chosen first, then joined to their initiatives and people: joined first, the database read
    # every initiative and every person to find twenty rows (issue 15).
    return list(
        Decision.objects.filter(pk__in=newest.values("pk")[:LIST_LIMIT])
        .select_related("initiative", "made_by")
        .order_by("-made_at", "-pk")
    )


# The ward table ---------------------------------------------------------------------------------------------


@dataclass
class WardRow:
    ward: Ward
    load: WardLoad | None = None
    readiness: ffit_selectors.Readiness | None = None
    excellence_count: int = 0
    concern_count: int = 0

    @property
    def ffit_percent(self) -> float | None:
        return overall_percent(self.readiness)

    @property
    def weakest_section(self):
        return self.readiness.weakest_sections[0] if self.readiness and self.readiness.weakest_sections else None

    @property
    def ffit_is_missing_or_stale(self) -> bool:
        return self.readiness is None or self.readiness.is_stale


def overall_percent(readiness) -> float | None:
    """All sections' combined points as a percentage of their maximum (unanswered sections left out)."""
    if readiness is None:
        return None
    scored = [row.score for row in readiness.sections if row.score.percent is not None]
    maximum = sum(score.maximum for score in scored)
    return 100 * sum(score.total for score in scored) / maximum if maximum else None


def excellence_counts(wards: list[Ward] | None, weeks: int = EXCELLENCE_WEEKS) -> dict[int, int]:
    """Reports made in the last `weeks` weeks on each ward, or about its team: two grouped counts, so the rows that
    come back are one per ward, however many reports there are. A report made on a ward about the same ward's team
    counts once. `wards=None` counts every ward's (the whole trust's table: no list of ids to send)."""
    since = timezone.now() - timedelta(weeks=weeks)
    recent = ExcellenceReport.objects.filter(created_at__gte=since).order_by()
    on_ward, about_team = recent.filter(ward__isnull=False), recent.filter(team_ward__isnull=False)
    if wards is not None:
        ids = [ward.pk for ward in wards]
        on_ward, about_team = on_ward.filter(ward_id__in=ids), about_team.filter(team_ward_id__in=ids)
    counts = dict(on_ward.values_list("ward_id").annotate(n=Count("pk")))
    about_team = about_team.exclude(team_ward_id=F("ward_id")).values_list("team_ward_id").annotate(n=Count("pk"))
    for ward_id, n in about_team:
        counts[ward_id] = counts.get(ward_id, 0) + n
    return counts


def concerns_by_ward(wards: list[Ward] | None) -> dict[int, int]:
    """How many live measures on each ward have 'concern' as their latest signal: two grouped counts, one row per
    ward back (a trust has thousands of measures).

    A measure counts on its own ward, or on each of its initiative's wards when it has none. Each measure's latest
    signal is the column its data's services keep (Measure.latest_signal), whatever its data type or chart, so
    nothing is analysed here. `wards=None` counts every ward's.
    """
    concern = Measure.objects.filter(initiative__status=Status.LIVE, latest_signal="concern").order_by()
    on_ward = concern.filter(ward__isnull=False)
    links = Initiative.wards.through.objects.all()
    if wards is not None:
        ids = [ward.pk for ward in wards]
        on_ward, links = on_ward.filter(ward_id__in=ids), links.filter(ward_id__in=ids)
    counts = dict(on_ward.values_list("ward_id").annotate(n=Count("pk")))
    on_initiative_wards = (
        links.filter(
            initiative__status=Status.LIVE,
            initiative__measures__ward__isnull=True,
            initiative__measures__latest_signal="concern",
        )
        .order_by()
        .values_list("ward_id")
        .annotate(n=Count("initiative__measures"))
    )
    for ward_id, n in on_initiative_wards:
        counts[ward_id] = counts.get(ward_id, 0) + n
    return counts


def ward_rows(
    wards: list[Ward], sort: str = "name", page: int | None = None, *, every_ward: bool = False
) -> list[WardRow]:
    """Every ward's row, sorted; with `page`, the readiness (the costly column: each audit's answers are scored)
    is read only for that page's wards unless the table is sorted by it. `every_ward`: `wards` are all the trust's
    active wards, so the counts are grouped over every ward rather than filtered by a list of 150 ids."""
    loads = ward_live_loads(wards)
    excellence = excellence_counts(None if every_ward else wards)
    concerns = concerns_by_ward(None if every_ward else wards)
    rows = [
        WardRow(
            ward=ward,
            load=loads.get(ward.pk),
            excellence_count=excellence.get(ward.pk, 0),
            concern_count=concerns.get(ward.pk, 0),
        )
        for ward in wards
    ]
    by_readiness = parse_sort(sort)[0] == "ffit"
    if page is None or by_readiness:
        _add_readiness(rows)
    rows = sort_rows(rows, sort)
    if page is not None and not by_readiness:
        _add_readiness(rows[(page - 1) * WARD_PAGE_SIZE : page * WARD_PAGE_SIZE])
    return rows


def _add_readiness(rows: list[WardRow]) -> None:
    readiness = ffit_selectors.latest_readiness(row.ward.pk for row in rows)
    for row in rows:
        row.readiness = readiness.get(row.ward.pk)


def parse_sort(value: str | None) -> tuple[str, bool]:
    """ "-load" -> ("load", True). Unknown columns sort by ward name."""
    value = (value or "name").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    return (key, descending) if key in SORTS else ("name", False)


def sort_rows(rows: list[WardRow], sort: str) -> list[WardRow]:
    key, descending = parse_sort(sort)
    by_name = sorted(rows, key=SORTS["name"][1])
    return sorted(by_name, key=SORTS[key][1], reverse=descending)


def sort_links(current: str, scope: DashboardScope) -> list[dict]:
    """For each sortable column: its link (toggling direction when it is the current one) and aria-sort."""
    key, descending = parse_sort(current)
    links = []
    for name, (label, _) in SORTS.items():
        is_current = name == key
        next_sort = f"-{name}" if is_current and not descending else name
        if not is_current and name != "name":
            next_sort = f"-{name}"  # numbers read biggest first on a first click
        query = f"?sort={next_sort}" + (f"&directorate={scope.selected.slug}" if scope.selected else "")
        aria = ("descending" if descending else "ascending") if is_current else "none"
        links.append({"key": name, "label": label, "url": query, "aria_sort": aria, "is_current": is_current})
    return links


# The page -------------------------------------------------------------------------------------------------


def _capped(name: str, items: list) -> dict:
    """A list the page shows up to LIST_LIMIT rows of, and how many more there are (`<name>_more`)."""
    return {name: items[:LIST_LIMIT], f"{name}_more": max(0, len(items) - LIST_LIMIT)}


def log_filter(scope: DashboardScope) -> str | None:
    """The initiative log's query for the dashboard's scope, to add to a link to the rest of a capped list: "" for
    the whole trust, "&directorate=<id>" for one directorate, None for several (the log filters by one at a time)."""
    if scope.directorate_ids is None:
        return ""
    if len(scope.directorate_ids) == 1:
        return f"&directorate={next(iter(scope.directorate_ids))}"
    return None


def open_flags(rows: list[WardRow]) -> list[tuple[Ward, OverloadFlag]]:
    """(ward, open flag) for each ward in the table with one, newest first: read with the wards' loads."""
    pairs = [(row.ward, row.load.open_flag) for row in rows if row.load and row.load.open_flag]
    return sorted(pairs, key=lambda pair: (pair[1].opened_at, pair[1].pk), reverse=True)


def dashboard_context(
    user: User, *, directorate: str | None = None, sort: str | None = None, page: str | int | None = None
) -> dict:
    scope = dashboard_scope(user, directorate)
    initiatives = scoped_initiatives(scope)
    wards = list(scoped_wards(scope))
    paginator = Paginator(wards, WARD_PAGE_SIZE)
    ward_page = paginator.get_page(page)
    rows = ward_rows(wards, sort or "name", page=ward_page.number, every_ward=scope.directorate_ids is None)
    ward_page.object_list = rows[ward_page.start_index() - 1 : ward_page.end_index()] if rows else []
    grouped = _counts_by_priority_and_status(initiatives)
    statuses = status_rows(initiatives, grouped)
    priorities = priority_rows(initiatives, grouped)
    progress = progress_rows(initiatives)
    stale = [ward for ward in wards if ward.readiness_is_stale()]  # stored by ffit.services: no answers read
    review_counts = reviews(initiatives)
    flags = open_flags(rows)
    stalled_rows = stalled(initiatives)
    summary = {
        "over_threshold": sum(1 for row in rows if row.load and row.load.is_over),
        "open_flags": len(flags),
        "wards_with_concern": sum(1 for row in rows if row.concern_count),
        "measures_with_concern": sum(row.concern_count for row in rows),
        "overdue_reviews": review_counts["overdue"],
        "stalled": stalled_count(initiatives),
        "stale_readiness": len(stale),
        "wards": len(rows),
    }
    query = "&".join(f"{name}={value}" for name, value in (("directorate", directorate), ("sort", sort)) if value)
    return {
        "scope": scope,
        "summary": summary,
        "ward_page": ward_page,
        "page": ward_page,
        "query": query,
        "status_rows": statuses,
        "status_total": sum(count for _, _, count in statuses),
        "priority_rows": priorities,
        "progress_rows": progress,
        "charts": bar_charts(scope.label, statuses, priorities, progress),
        "excellence_chart": excellence_chart(None),
        "stalled_weeks": settings.QI["STALLED_WEEKS"],
        "reviews": review_counts,
        "stalled": stalled_rows,
        "log_filter": log_filter(scope),
        "decisions": recent_decisions(initiatives),
        # Newest first; the ward table, sorted by open flags or by latest FFIT, shows the rest.
        **_capped("flags", flags),
        "ward_rows": ward_page.object_list,
        **_capped("stale_wards", stale),
        "sort_links": sort_links(sort or "name", scope),
        "stale_months": settings.QI["FFIT_STALE_MONTHS"],
        "excellence_weeks": EXCELLENCE_WEEKS,
        "decision_days": DECISION_DAYS,
    }


# Charts ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BarChart:
    kind: str
    title: str
    axis_label: str
    bars: list[tuple[str, int]]

    @property
    def description(self) -> str:
        total = sum(n for _, n in self.bars)
        parts = "; ".join(f"{label}: {n}" for label, n in self.bars)
        return f"Bar chart of {self.title.lower()} ({total} in all). {parts}."

    def cache_key(self) -> str:
        data = json.dumps([self.kind, self.title, self.axis_label, self.bars])
        return "dashboard-chart:" + hashlib.sha256(data.encode()).hexdigest()


def bar_charts(place: str, statuses, priorities, progress) -> dict[str, BarChart]:
    """The dashboard's three charts from rows already read for its tables: no more queries."""
    return {
        "status": BarChart(
            "status", f"Initiatives by status, {place}", "Initiatives", [(label, n) for _, label, n in statuses]
        ),
        "priority": BarChart(
            "priority",
            f"Live initiatives by strategic priority, {place}",
            "Live initiatives",
            [(row.priority.name, row.live) for row in priorities],
        ),
        "progress": BarChart("progress", f"Open initiatives by progress score, {place}", "Initiatives", progress),
    }


def chart_data(kind: str, user: User, directorate: str | None = None) -> BarChart:
    if kind not in CHART_KINDS:
        raise Http404("No such chart")
    scope = dashboard_scope(user, directorate)
    initiatives = scoped_initiatives(scope)
    grouped = _counts_by_priority_and_status(initiatives) if kind in ("status", "priority") else None
    statuses = status_rows(initiatives, grouped) if kind == "status" else []
    priorities = priority_rows(initiatives, grouped) if kind == "priority" else []
    progress = progress_rows(initiatives) if kind == "progress" else []
    return bar_charts(scope.label, statuses, priorities, progress)[kind]


def render_svg(chart: BarChart) -> bytes:
    key = chart.cache_key()
    svg = cache.get(key)
    if svg is None:
        svg = _draw(chart)
        cache.set(key, svg, CHART_CACHE_SECONDS)
    return svg


def _draw(chart: BarChart) -> bytes:
    from matplotlib.figure import Figure  # the object API with its own canvas: no pyplot, no global state

    labels = [label for label, _ in chart.bars]
    values = [n for _, n in chart.bars]
    height = max(2.4, 0.42 * len(labels) + 1.2)
    figure = Figure(figsize=(8, height), layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    bars = axes.barh(positions, values, color="#005eb8")
    axes.bar_label(bars, labels=[str(v) for v in values], padding=3, fontsize=9)  # numbers, not colour, tell
    axes.set_yticks(positions, labels=labels, fontsize=9)
    axes.invert_yaxis()
    axes.set_xlabel(chart.axis_label)
    axes.set_title(chart.title, loc="left", fontsize=11)
    axes.set_xlim(0, max([*values, 1]) * 1.15)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.grid(axis="x", color="#d8dde0", linewidth=0.5)
    axes.spines[["top", "right"]].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
