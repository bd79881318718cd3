"""The measure board of the trust, a directorate or a ward (issue 19): every measure's variation and assurance at a
glance, beside each ward's FFIT readiness and initiativitis load.

It composes three apps, so it lives in hub: measures and their stored latest analysis from runcharts (never analysed
here: `services.data_changed` keeps `Measure.latest_*`), readiness from ffit and load from projects. Reads only; a
page costs the same number of queries whatever the number of measures (tests/board/test_queries.py).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from decimal import Decimal

import django_filters
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from ffit.selectors import latest_readiness
from projects.models import Initiative, format_load
from projects.overload import ward_live_loads
from qiportal import permissions
from qiportal.models import Directorate, StrategicPriority, User, Ward
from runcharts import kinds
from runcharts.latest import ASSURANCE_ORDER, ASSURANCES, VARIATION_ORDER, VARIATIONS, period_words
from runcharts.models import Measure

PAGE_SIZE = 50


# What the board covers ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardScope:
    """The trust (neither given), one directorate, or one ward."""

    directorate: Directorate | None = None
    ward: Ward | None = None

    @property
    def kind(self) -> str:
        return "ward" if self.ward else "directorate" if self.directorate else "trust"

    @property
    def title(self) -> str:
        if self.ward:
            return f"{self.ward.name} board"
        if self.directorate:
            return f"{self.directorate.name} board"
        return "Trust board"

    @property
    def url(self) -> str:
        if self.ward:
            return reverse("board_ward", args=[self.ward.slug])
        if self.directorate:
            return reverse("board_directorate", args=[self.directorate.slug])
        return reverse("board")


def _initiatives_on_wards(ward_filter: Q) -> QuerySet:
    return Initiative.wards.through.objects.filter(ward_filter).values("initiative_id")


def _in_directorates(directorate_ids) -> Q:
    """Measures belonging to these directorates: their standing measures and their wards', and the measures of
    initiatives in them (a measure on a ward goes with its ward).

    Asked as a union of one subquery per way in, each answered from its own index: written as one OR across the
    measure, ward and initiative joins, PostgreSQL read every measure joined to every initiative of the trust for a
    directorate's board (6.9 ms, twice a page, at the scale trust; issue 19)."""
    measures = Measure.objects.order_by()
    of_initiatives = measures.filter(scope=Measure.Scope.INITIATIVE, ward__isnull=True)
    return Q(
        pk__in=measures.filter(scope=Measure.Scope.DIRECTORATE, directorate_id__in=directorate_ids)
        .values("pk")
        .union(
            measures.filter(ward__directorate_id__in=directorate_ids).values("pk"),
            of_initiatives.filter(initiative__directorate_id__in=directorate_ids).values("pk"),
            of_initiatives.filter(
                initiative__in=_initiatives_on_wards(Q(ward__directorate_id__in=directorate_ids))
            ).values("pk"),
            all=True,
        )
    )


def _on_ward(ward_id: int) -> Q:
    """Measures on a ward: its own (standing or an initiative's, kept on the ward), and those of initiatives on the
    ward that have no ward of their own; a union of two subqueries, as _in_directorates."""
    measures = Measure.objects.order_by()
    on_initiatives = measures.filter(
        scope=Measure.Scope.INITIATIVE, ward__isnull=True, initiative__in=_initiatives_on_wards(Q(ward_id=ward_id))
    )
    return Q(pk__in=measures.filter(ward_id=ward_id).values("pk").union(on_initiatives.values("pk"), all=True))


def board_measures(user: User, scope: BoardScope) -> QuerySet[Measure]:
    """The measures a board shows this person: standing measures, and those of running initiatives they may see."""
    running = Initiative.objects.visible_to(user).filter(status__in=Initiative.RUNNING).values("pk")
    standing = permissions.visible_standing_measures(user, Measure.objects.all()).values("pk")
    measures = shown_measures().filter(Q(initiative__in=running) | Q(pk__in=standing))
    if scope.ward is not None:
        measures = measures.filter(_on_ward(scope.ward.pk))
    elif scope.directorate is not None:
        measures = measures.filter(_in_directorates([scope.directorate.pk]))
    return measures.annotate(  # for the orders
        variation_rank=_rank("latest_variation", VARIATION_ORDER),
        assurance_rank=_rank("latest_assurance", ASSURANCE_ORDER),
    )


def shown_measures() -> QuerySet[Measure]:
    """What a board row shows of a measure: its owner's names. A page's rows are read by their keys from this,
    once board_measures() has chosen and ordered them (qiportal.paging.page_by_ids)."""
    return Measure.objects.select_related("initiative", "ward__directorate", "directorate")


def _rank(field: str, order: list[str]) -> Case:
    return Case(
        *[When(**{field: key}, then=Value(k)) for k, key in enumerate(order)],
        default=Value(len(order)),
        output_field=IntegerField(),
    )


# Filters and order ---------------------------------------------------------------------------------------------

VARIATION_FILTERS = {
    "concern": ("Concern", Q(latest_variation__startswith="concern")),
    "improvement": ("Improvement", Q(latest_variation__startswith="improvement")),
    "neutral": ("Special cause, neither better nor worse", Q(latest_variation__startswith="neutral")),
    "common_cause": ("Common cause", Q(latest_variation="common_cause")),
    "none": ("Not enough data", Q(latest_variation="")),
}
ASSURANCE_FILTERS = {
    "fail": ("Consistently failing the target", Q(latest_assurance="fail")),
    "hit_and_miss": ("Hit and miss", Q(latest_assurance="hit_and_miss")),
    "pass": ("Consistently passing the target", Q(latest_assurance="pass")),
    "none": ("No target or no assurance", Q(latest_assurance="")),
}
ORDERS = {
    "concerns": ("Concerns first", ("variation_rank", "assurance_rank", "name", "pk")),
    "failing": ("Failing targets first", ("assurance_rank", "variation_rank", "name", "pk")),
    "name": ("Measure name", ("name", "pk")),
    "latest": ("Most recent data first", ("-latest_period", "name", "pk")),
}


class BoardFilter(django_filters.FilterSet):
    directorate = django_filters.MultipleChoiceFilter(
        label="Directorate", method="in_directorates", widget=django_filters.widgets.forms.CheckboxSelectMultiple
    )
    ward = django_filters.ChoiceFilter(label="Ward", method="on_ward", empty_label="Any ward")
    priority = django_filters.ChoiceFilter(label="Strategic priority", method="with_priority", empty_label="Any")
    kind = django_filters.ChoiceFilter(label="Type of measure", choices=Measure.Kind.choices, empty_label="Any type")
    variation = django_filters.ChoiceFilter(
        label="Variation",
        choices=[(key, label) for key, (label, _) in VARIATION_FILTERS.items()],
        method="with_variation",
        empty_label="Any variation",
    )
    assurance = django_filters.ChoiceFilter(
        label="Assurance",
        choices=[(key, label) for key, (label, _) in ASSURANCE_FILTERS.items()],
        method="with_assurance",
        empty_label="Any assurance",
    )
    order = django_filters.ChoiceFilter(
        label="Order",
        choices=[(key, label) for key, (label, _) in ORDERS.items()],
        method="ordered",
        empty_label=None,
    )

    class Meta:
        model = Measure
        fields = []

    def __init__(self, *args, scope: BoardScope, directorates, wards, priorities, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self._ids = {
            "directorate": {d.slug: d.pk for d in directorates},
            "ward": {w.slug: w.pk for w in wards},
            "priority": {p.slug: p.pk for p in priorities},
        }
        self.filters["directorate"].extra["choices"] = [(d.slug, d.name) for d in directorates]
        self.filters["ward"].extra["choices"] = [(w.slug, w.name) for w in wards]
        self.filters["priority"].extra["choices"] = [(p.slug, p.name) for p in priorities]
        if scope.kind != "trust":
            del self.filters["directorate"]
        if scope.kind == "ward":
            del self.filters["ward"]

    def in_directorates(self, queryset, name, value):
        ids = [self._ids["directorate"][slug] for slug in value if slug in self._ids["directorate"]]
        return queryset.filter(_in_directorates(ids)) if ids else queryset

    def on_ward(self, queryset, name, value):
        return queryset.filter(_on_ward(self._ids["ward"][value]))

    def with_priority(self, queryset, name, value):
        return queryset.filter(initiative__priority_id=self._ids["priority"][value])

    def with_variation(self, queryset, name, value):
        return queryset.filter(VARIATION_FILTERS[value][1])

    def with_assurance(self, queryset, name, value):
        return queryset.filter(ASSURANCE_FILTERS[value][1])

    def ordered(self, queryset, name, value):
        return queryset  # applied by board_page after filtering, so the default order holds too


def default_params(user: User, scope: BoardScope, params) -> dict:
    """What the board shows before anyone chooses: a sponsor over some directorates sees theirs, concerns first."""
    chosen = {key: params.getlist(key) if key == "directorate" else params.get(key) for key in params}
    if not params and scope.kind == "trust":
        overseen = user.overseen_directorate_ids if user.is_authenticated else None
        if overseen:
            slugs = Directorate.objects.filter(pk__in=overseen).order_by("name").values_list("slug", flat=True)
            chosen["directorate"] = list(slugs)
    chosen.setdefault("order", "concerns")
    return chosen


# One row per measure -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    measure: Measure

    @property
    def owner(self) -> str:
        measure = self.measure
        if measure.scope == Measure.Scope.INITIATIVE and measure.ward_id:
            return f"{measure.initiative.title} ({measure.ward.name})"
        return measure.owner_label

    @property
    def owner_kind(self) -> str:
        return "Initiative" if self.measure.scope == Measure.Scope.INITIATIVE else "Standing measure"

    @property
    def chart(self) -> str:
        return kinds.SHORT_NAMES.get(self.measure.latest_chart, "No chart yet")

    @property
    def period(self) -> str:
        return period_words(self.measure.frequency, self.measure.latest_period)

    @property
    def value(self) -> str:
        return number(self.measure.latest_value)

    @property
    def target(self) -> str:
        return number(self.measure.target) if self.measure.target is not None else "No target"

    @property
    def variation_label(self) -> str:
        return VARIATIONS[self.measure.latest_variation][0]

    @property
    def variation_words(self) -> str:
        return VARIATIONS[self.measure.latest_variation][1]

    @property
    def assurance_label(self) -> str:
        return ASSURANCES[self.measure.latest_assurance][0]

    @property
    def assurance_words(self) -> str:
        return ASSURANCES[self.measure.latest_assurance][1]

    @property
    def last_values(self) -> str:
        return ", ".join(number(value) for _, value in self.measure.latest_values) or "None yet"

    @property
    def variation_icon(self) -> SafeString:
        return variation_icon(self.measure.latest_variation)

    @property
    def assurance_icon(self) -> SafeString:
        return assurance_icon(self.measure.latest_assurance)

    @property
    def sparkline(self) -> SafeString:
        return sparkline(self.measure.sparkline)


def number(value) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:,.4g}" if abs(value) < 10_000 else f"{value:,.0f}"


# Icons: our own shapes, each with a letter or mark as well as a colour, and always the words beside them.

_BLUE, _ORANGE, _PURPLE, _GREY = "#005eb8", "#b04a00", "#330072", "#425563"


def _svg(body: SafeString, title: str) -> SafeString:
    return format_html(
        '<svg class="app-board-icon" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" '
        'focusable="false"><title>{}</title>{}</svg>',
        title,
        body,
    )


# Shapes, each filled with a colour; the letter on top says the same for anyone who cannot tell the colours apart.
_CIRCLE = '<circle cx="16" cy="16" r="15" fill="{}"/>'
_TRIANGLE = '<path d="M16 1 L31 30 L1 30 Z" fill="{}"/>'
_SQUARE = '<rect x="2" y="2" width="28" height="28" fill="{}"/>'
_DASHED = '<circle cx="16" cy="16" r="14" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="4 3"/>'
_WAVE = '<path d="M6 17 Q11 9 16 17 T26 17" stroke="{}" stroke-width="3" fill="none"/>'
# Where the letter sits in each shape (lower in the triangle, whose middle is low).
_LETTER_AT = {_CIRCLE: 21, _TRIANGLE: 27, _SQUARE: 21}


def _icon(shape: str, colour: str, letter: str, title: str) -> SafeString:
    mark = (
        format_html(
            '<text x="16" y="{}" text-anchor="middle" font-size="14" font-weight="700" fill="#fff" '
            'font-family="Arial, sans-serif">{}</text>',
            _LETTER_AT.get(shape, 21),
            letter,
        )
        if letter
        else ""
    )
    return _svg(format_html("{}{}", format_html(shape, colour), mark), title)


@functools.cache  # a handful of kinds, each always the same markup: drawn once per process, not once per row
def variation_icon(variation: str) -> SafeString:
    """Improvement: a blue circle; concern: an orange triangle; a neutral change: a purple square; each with H or L
    for higher or lower. Common cause: a grey circle with a wave. Not enough data: a dashed outline."""
    label = VARIATIONS.get(variation, VARIATIONS[""])[0]
    kind, _, side = variation.partition("_")
    letter = {"high": "H", "low": "L"}.get(side, "")
    if kind == "improvement":
        return _icon(_CIRCLE, _BLUE, letter, label)
    if kind == "concern":
        return _icon(_TRIANGLE, _ORANGE, letter, label)
    if kind == "neutral":
        return _icon(_SQUARE, _PURPLE, letter, label)
    if variation == "common_cause":
        return _svg(format_html("{}{}", format_html(_CIRCLE, _GREY), format_html(_WAVE, "#fff")), label)
    return _icon(_DASHED, _GREY, "", label)


@functools.cache
def assurance_icon(assurance: str) -> SafeString:
    """Passing: a blue circle with P; failing: an orange triangle with F; hit and miss: a grey square with ?."""
    label = ASSURANCES.get(assurance, ASSURANCES[""])[0]
    shapes = {"pass": (_CIRCLE, _BLUE, "P"), "fail": (_TRIANGLE, _ORANGE, "F"), "hit_and_miss": (_SQUARE, _GREY, "?")}
    shape, colour, letter = shapes.get(assurance, (_DASHED, _GREY, ""))
    return _icon(shape, colour, letter, label)


SPARK_WIDTH, SPARK_HEIGHT = 120, 28


def sparkline(values: list) -> SafeString:
    """A small line of the latest values (gaps break it), with its range in words for screen readers."""
    shown = [v for v in values if v is not None]
    if len(shown) < 2:
        return format_html('<span class="nhsuk-body-s">{}</span>', "Too few values to draw")
    low, high = min(shown), max(shown)
    span = (high - low) or 1
    step = (SPARK_WIDTH - 4) / max(len(values) - 1, 1)
    lines, current = [], []
    for k, value in enumerate(values):
        if value is None:
            if current:
                lines.append(current)
            current = []
            continue
        y = SPARK_HEIGHT - 3 - (value - low) / span * (SPARK_HEIGHT - 6)
        current.append((2 + k * step, y))
    if current:
        lines.append(current)
    polylines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="' + _BLUE + '" stroke-width="1.5"/>',
        ((" ".join(f"{x:.1f},{y:.1f}" for x, y in line),) for line in lines),
    )
    x, y = lines[-1][-1]
    words = f"Sparkline of the last {len(shown)} values, from {number(shown[0])} to {number(shown[-1])}"
    return format_html(
        '<svg class="app-board-sparkline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{words}">{lines}<circle cx="{x}" cy="{y}" r="2.5" fill="{colour}"/></svg>',
        w=SPARK_WIDTH,
        h=SPARK_HEIGHT,
        words=words,
        lines=polylines,
        x=f"{x:.1f}",
        y=f"{y:.1f}",
        colour=_BLUE,
    )


# Wards above the rows: readiness and load -------------------------------------------------------------------------


@dataclass(frozen=True)
class WardPanel:
    ward: Ward
    load: object  # projects.overload.WardLoad
    weakest: list  # ffit SectionRow, weakest first; empty when not read (the trust board) or none scored

    @property
    def readiness_state(self) -> str:
        if self.ward.readiness_closed_on is None:
            return "missing"
        return "stale" if self.ward.readiness_is_stale() else "current"

    @property
    def readiness_words(self) -> str:
        ward = self.ward
        if ward.readiness_closed_on is None:
            return "Missing: no FFIT audit closed yet"
        closed = f"{ward.readiness_closed_on.day} {ward.readiness_closed_on:%B %Y}"
        stale = "Stale: " if self.readiness_state == "stale" else ""
        return f"{stale}latest audit closed {closed}"

    @property
    def weakest_words(self) -> str:
        if self.weakest:
            return ", ".join(f"{row.name} ({row.score.percent:.0f}%)" for row in self.weakest)
        if self.ward.readiness_lowest_percent is not None:
            return f"Weakest section {Decimal(self.ward.readiness_lowest_percent):.0f}%"
        return "None scored"

    @property
    def load_words(self) -> str:
        return self.load.summary if self.load else "No load recorded"

    @property
    def flag_words(self) -> str:
        flag = self.load.open_flag if self.load else None
        if flag is None:
            return "No open flag"
        return f"Open overload flag since {flag.opened_at:%-d %B %Y} (load {format_load(flag.load_at_open)})"


def ward_panels(wards: list[Ward], *, with_sections: bool) -> list[WardPanel]:
    loads = ward_live_loads(wards)
    readiness = latest_readiness(ward.pk for ward in wards) if with_sections else {}
    return [
        WardPanel(ward, loads.get(ward.pk), readiness[ward.pk].weakest_sections if ward.pk in readiness else [])
        for ward in wards
    ]


def _wards_of(measures) -> Q:
    """The wards the given measures belong to: a measure's own ward, or else its initiative's wards (a directorate's
    or the trust's standing measures belong to no ward)."""
    ward_ids = {measure.ward_id for measure in measures if measure.ward_id}
    initiative_ids = {
        measure.initiative_id
        for measure in measures
        if measure.ward_id is None and measure.scope == Measure.Scope.INITIATIVE and measure.initiative_id
    }
    return Q(pk__in=ward_ids) | Q(
        pk__in=Initiative.wards.through.objects.filter(initiative_id__in=initiative_ids).values("ward_id")
    )


def scope_wards(
    user: User, scope: BoardScope, directorate_slugs=(), ward_slug: str | None = None, *, measures=None
) -> list[Ward]:
    """The wards shown above the rows: the board's ward, or the wards of the given measures (the rows on the page)
    among a directorate's wards or the trust's (narrowed by the directorate and ward filters). Without measures,
    every such ward."""
    if scope.ward is not None:
        return [scope.ward]
    wards = permissions.visible_board_wards(user, Ward.objects.filter(is_active=True)).select_related("directorate")
    if measures is not None:
        wards = wards.filter(_wards_of(measures))
    if scope.directorate is not None:
        wards = wards.filter(directorate=scope.directorate)
    elif directorate_slugs:
        wards = wards.filter(directorate__slug__in=list(directorate_slugs))
    if ward_slug:
        wards = wards.filter(slug=ward_slug)
    return list(wards.order_by("directorate__name", "name"))


def filtered_board(user: User, scope: BoardScope, params) -> tuple[BoardFilter, QuerySet[Measure], dict]:
    chosen = default_params(user, scope, params)
    directorates = list(Directorate.objects.order_by("name"))
    ward_choices = Ward.objects.filter(is_active=True).only("pk", "slug", "name").order_by("name")  # the filter's list
    if scope.directorate is not None:
        ward_choices = ward_choices.filter(directorate=scope.directorate)
    priorities = list(StrategicPriority.objects.order_by("name"))
    data = _as_querydict(chosen)
    filterset = BoardFilter(
        data,
        queryset=board_measures(user, scope),
        scope=scope,
        directorates=directorates,
        wards=list(ward_choices),
        priorities=priorities,
    )
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset
    order = chosen.get("order") if chosen.get("order") in ORDERS else "concerns"
    return filterset, queryset.order_by(*ORDERS[order][1]), chosen


def _as_querydict(chosen: dict):
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    for key, value in chosen.items():
        if isinstance(value, list):
            data.setlist(key, value)
        elif value is not None:
            data[key] = value
    return data


# Export -------------------------------------------------------------------------------------------------------

EXPORT_HEADER = [
    "Measure",
    "Owner",
    "Owned by",
    "Type",
    "Chart",
    "Latest period",
    "Latest value",
    "Target",
    "Variation icon",
    "Variation in words",
    "Assurance icon",
    "Assurance in words",
    "Rule",
    "Last three values",
    "Chart link",
]


def export_rows(queryset: QuerySet[Measure], base_url: str = ""):
    """One row per measure with each icon's name and its words, for board papers."""
    for measure in queryset.iterator(chunk_size=500):
        row = BoardRow(measure)
        yield [
            measure.name,
            row.owner,
            row.owner_kind,
            measure.get_kind_display(),
            row.chart,
            row.period,
            measure.latest_value,
            measure.target,
            row.variation_label,
            row.variation_words,
            row.assurance_label,
            row.assurance_words,
            measure.latest_rule,
            row.last_values,
            base_url + measure.get_absolute_url(),
        ]
