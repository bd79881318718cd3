"""Reads for Learning from Excellence pages and, through the home selectors, for the role home pages."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from excellence import charts, tallies
from excellence.models import ExcellenceReport, RecipientResponse, Theme
from excellence.tallies import week_start
from qiportal.models import User, Ward


def _shaped(queryset: QuerySet[ExcellenceReport]) -> QuerySet[ExcellenceReport]:
    # Only what a report's card shows: each further join (the wards' directorates) cost PostgreSQL more time to
    # plan than to run the query (2.6 ms of planning for 0.6 ms of work on a ward's wall; issue 15).
    return queryset.select_related("reporter", "ward", "team_ward").prefetch_related(
        Prefetch("recipients", queryset=User.objects.only("pk", "first_name", "last_name", "username", "line_manager")),
        Prefetch("tags", queryset=Theme.objects.all()),
    )


def report_list(user: User) -> QuerySet[ExcellenceReport]:
    return _shaped(ExcellenceReport.objects.visible_to(user)).order_by("-created_at", "-pk")


def wall(ward: Ward | None = None) -> QuerySet[ExcellenceReport]:
    reports = ExcellenceReport.objects.shared()
    if ward is not None:
        reports = reports.about_ward(ward)
    return _shaped(reports).order_by("-created_at", "-pk")


def report_detail(user: User, pk: int) -> ExcellenceReport:
    """One report the user may see, with what its page shows; raises DoesNotExist otherwise."""
    return (
        _shaped(ExcellenceReport.objects.visible_to(user))
        .select_related("initiative")
        .prefetch_related(
            Prefetch("responses", queryset=RecipientResponse.objects.select_related("recipient")),
            "conversation__participants",
        )
        .get(pk=pk)
    )


def conversation_of(report: ExcellenceReport):
    try:
        return report.conversation
    except ExcellenceReport.conversation.RelatedObjectDoesNotExist:
        return None


def reports_managed_by(manager: User) -> QuerySet[ExcellenceReport]:
    condition = Q(recipients__line_manager=manager)
    if manager.managed_ward_ids:
        condition |= Q(team_ward_id__in=manager.managed_ward_ids)
    return ExcellenceReport.objects.filter(pk__in=ExcellenceReport.objects.filter(condition).values("pk"))


def conversations_due(manager: User) -> QuerySet[ExcellenceReport]:
    """Reports about people this manager manages (or their wards) whose AI conversation is overdue."""
    return _shaped(reports_managed_by(manager).overdue()).order_by("created_at", "pk")


def reports_sent(user: User) -> QuerySet[ExcellenceReport]:
    return _shaped(ExcellenceReport.objects.filter(reporter=user)).order_by("-created_at", "-pk")


def reports_received(user: User) -> QuerySet[ExcellenceReport]:
    """Reports about this person, or about a team whose ward manager answers for it."""
    return _shaped(
        ExcellenceReport.objects.filter(
            pk__in=ExcellenceReport.objects.filter(Q(recipients=user) | Q(responses__recipient=user)).values("pk")
        )
    ).order_by("-created_at", "-pk")


def weekly_counts(ward: Ward | None = None, weeks: int = 52, *, today: date | None = None) -> list[tuple[date, int]]:
    """Reports made in each of the last `weeks` weeks (Monday starts), oldest first, with zero weeks kept.

    The count of reports is the measure (step 6); counts hold no names, so they cover every report.
    """
    this_week = week_start(today or timezone.localdate())
    # One aggregate of per-week range tests over a year of reports (see _weekly_counts).
    return _weekly_counts(ward, weeks, this_week)


def _weekly_counts(ward: Ward | None, weeks: int, this_week: date) -> list[tuple[date, int]]:
    # The whole trust's weeks are stored (excellence.tallies). A ward's are counted by local day in the database
    # over a range its and its team's (ward, created_at) indexes serve: at most 7 × `weeks` small rows come back,
    # summed here into weeks. One filtered count per week made the query itself the page's largest cost (issue 15).
    mondays = [this_week - timedelta(weeks=weeks - 1 - i) for i in range(weeks + 1)]
    if ward is None:  # the whole trust: its stored weekly counts
        stored = tallies.week_counts(mondays[0], mondays[-2])
        return [(monday, stored.get(monday, 0)) for monday in mondays[:-1]]
    start = timezone.make_aware(datetime.combine(mondays[0], time.min))
    end = timezone.make_aware(datetime.combine(mondays[-1], time.min))
    reports = ExcellenceReport.objects.filter(created_at__gte=start, created_at__lt=end).about_ward(ward)
    by_week = [0] * weeks
    for day, n in (
        reports.order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    ):
        index = (day - mondays[0]).days // 7
        if 0 <= index < weeks:
            by_week[index] += n
    return [(mondays[i], by_week[i]) for i in range(weeks)]


def theme_counts(reports: QuerySet[ExcellenceReport]) -> list[Theme]:
    """Every active value and theme with how many of these reports carry it, most used first.

    Counted on the tag table grouped by theme (each report carries a theme at most once), which reads far
    fewer rows than a filtered count over every theme's joined reports.
    """
    if reports.query.where:  # some reports: their tags
        tagged = ExcellenceReport.tags.through.objects.filter(excellencereport_id__in=reports.order_by().values("pk"))
        counts = dict(tagged.order_by().values_list("theme_id").annotate(n=Count("pk")))
    else:  # every report (an admin's unfiltered list): the stored counts
        counts = tallies.theme_counts()
    themes = list(Theme.objects.filter(is_active=True))
    for theme in themes:
        theme.n = counts.get(theme.pk, 0)
    return sorted(themes, key=lambda theme: (-theme.n, theme.name))


def state_counts(reports: QuerySet[ExcellenceReport]) -> dict[str, int]:
    """How many of these reports there are ("total") and how many in each follow-up state (by the state's value)."""
    if reports.query.where:  # some reports: counted
        states = ExcellenceReport.State.values
        by_state = reports.order_by().aggregate(**{state: Count("pk", filter=Q(state=state)) for state in states})
    else:  # every report (an admin's unfiltered list): the stored counts
        by_state = tallies.state_counts()
    return {"total": sum(by_state.values()), **by_state}


def weekly_chart(ward: Ward | None) -> dict:
    """The weekly count run chart of reports for a ward, or the trust when `ward` is None: its analysis, place,
    description (alt text) and image address."""
    analysis = charts.analyse(weekly_counts(ward))
    place = ward.name if ward else "the trust"
    url = reverse("excellence:ward_weekly_chart", args=[ward.slug]) if ward else reverse("excellence:weekly_chart")
    return {"analysis": analysis, "place": place, "description": analysis.description(place), "url": url}


def reports_behind(initiative, user: User) -> list[ExcellenceReport]:
    """The excellence reports this initiative was started from that this person may open (for its page's links)."""
    return list(
        ExcellenceReport.objects.visible_to(user).filter(initiative=initiative).select_related("ward").order_by("pk")
    )
