"""Reads for FFIT pages and for other apps' pages (readiness on the ward page, home page and review page).

Every function here runs a fixed number of queries whatever the number of wards, audits or respondents.
"""

import functools
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from ffit import scoring
from ffit.guidance import GUIDANCE
from ffit.models import Audit, Response
from ffit.questionnaire import ITEMS_BY_KEY, SCALE, SECTIONS
from qiportal.models import Notification, User, Ward, readiness_stale_before

# Short names for tables, charts and captions; the seed's stem question stays the section's title.
SECTION_NAMES: dict[str, str] = {
    "frontline_staff": "Front-line staff",
    "resourcing": "Resourcing",
    "managers": "Managers",
    "confidence": "Confidence in the improvement",
    "messages": "Messages",
    "learning": "Learning",
    "context": "Context",
}
SECTION_NUMBERS = {section.key: section.number for section in SECTIONS}
SCALE_LABELS = dict(SCALE)
WEAKEST_COUNT = 2  # how many of the lowest-scoring sections to name and give guidance for


def weak_percent() -> int:
    return settings.QI["FFIT_WEAK_SECTION_PERCENT"]


def answer_label(value: int | None) -> str:
    return "Not answered" if value is None else f"{value} – {SCALE_LABELS[value]}"


@dataclass(frozen=True)
class SectionRow:
    """One section's combined score, with its short name, for templates."""

    number: int
    name: str
    score: scoring.SectionScore

    @property
    def is_weak(self) -> bool:
        return self.score.percent is not None and self.score.percent < weak_percent()


def _rows(scores: list[scoring.SectionScore]) -> list[SectionRow]:
    return [SectionRow(SECTION_NUMBERS[s.key], SECTION_NAMES[s.key], s) for s in scores]


def weakest(rows: list[SectionRow], count: int = WEAKEST_COUNT) -> list[SectionRow]:
    scored = [row for row in rows if row.score.percent is not None]
    return sorted(scored, key=lambda row: (row.score.percent, row.number))[:count]


@dataclass(frozen=True)
class Readiness:
    """A ward's latest closed audit, scored: what the ward page, home page and review page show."""

    audit: Audit
    closed_on: date
    respondents: int
    sections: list[SectionRow]
    weakest_sections: list[SectionRow]
    is_stale: bool

    @property
    def date(self) -> date:
        return self.closed_on

    @property
    def weak_sections(self) -> list[SectionRow]:
        return [row for row in self.sections if row.is_weak]

    @property
    def has_weak_section(self) -> bool:
        return bool(self.weak_sections)

    @property
    def needs_warning(self) -> bool:
        return self.is_stale or self.has_weak_section

    @property
    def stale_months(self) -> int:
        return settings.QI["FFIT_STALE_MONTHS"]

    @property
    def weak_percent(self) -> int:
        return weak_percent()


def _submitted_responses() -> Prefetch:
    return Prefetch(
        "responses",
        queryset=Response.objects.filter(submitted_at__isnull=False).select_related("respondent"),
        to_attr="submitted_responses",
    )


def _stored_scores(audits: list[Audit]) -> dict[int, tuple[list[scoring.SectionScore], int]]:
    """Each audit's section scores and respondent count as ffit.services stored them. An audit without stored
    scores (rows written in bulk, outside the services) is scored from its answers, in one more query for all."""
    found = {
        audit.pk: ([scoring.SectionScore(**score) for score in audit.section_scores], audit.respondent_count)
        for audit in audits
        if audit.section_scores
    }
    missing = [audit.pk for audit in audits if audit.pk not in found]
    if missing:
        answers: dict[int, list] = {pk: [] for pk in missing}
        for audit_id, given in Response.objects.filter(audit_id__in=missing, submitted_at__isnull=False).values_list(
            "audit_id", "answers"
        ):
            answers[audit_id].append(given)
        for pk, given in answers.items():
            found[pk] = (scoring.combined_section_scores(given), len(given))
    return found


def latest_readiness(ward_ids) -> dict[int, Readiness]:
    """The latest closed audit with at least one submitted response for each ward; wards without one are left out.

    Two queries whatever the number of wards.
    """
    ward_ids = sorted(set(ward_ids))
    if not ward_ids:
        return {}
    return _latest_readiness(ward_ids)


def _latest_readiness(ward_ids: list[int]) -> dict[int, Readiness]:
    latest = (
        Audit.objects.filter(ward=OuterRef("pk"), status=Audit.Status.CLOSED, responses__submitted_at__isnull=False)
        .order_by("-closed_at", "-pk")
        .values("pk")[:1]
    )
    latest_ids = Ward.objects.filter(pk__in=ward_ids).annotate(latest=Subquery(latest)).values("latest")
    audits = list(Audit.objects.filter(pk__in=latest_ids))
    scored = _stored_scores(audits)
    cutoff = readiness_stale_before()
    found = {}
    for audit in audits:
        scores, respondents = scored[audit.pk]
        rows = _rows(scores)
        closed_on = timezone.localdate(audit.closed_at)
        found[audit.ward_id] = Readiness(
            audit=audit,
            closed_on=closed_on,
            respondents=respondents,
            sections=rows,
            weakest_sections=weakest(rows),
            is_stale=closed_on < cutoff,
        )
    return found


def readiness_items(wards) -> list[tuple[Ward, Readiness | None]]:
    """(ward, readiness or None) pairs in the wards' order, for templates/ffit/_readiness.html."""
    wards = list(wards)
    found = latest_readiness(ward.pk for ward in wards)
    return [(ward, found.get(ward.pk)) for ward in wards]


def audits_to_complete(user: User) -> QuerySet[Response]:
    """This person's unsubmitted responses to open audits: what the home page asks them to finish."""
    return (
        Response.objects.filter(respondent=user, submitted_at__isnull=True, audit__status=Audit.Status.OPEN)
        .select_related("audit__ward", "audit__owner", "audit__initiative")
        .order_by("audit__opened_at", "pk")
    )


def _with_counts(queryset: QuerySet[Audit]) -> QuerySet[Audit]:
    return queryset.select_related("ward", "owner", "initiative").annotate(
        invited_count=Count("responses", distinct=True),
        submitted_count=Count("responses", filter=Q(responses__submitted_at__isnull=False), distinct=True),
    )


def audit_list(user: User, limit: int = 50) -> dict:
    visible = Audit.objects.visible_to(user)
    return {
        "to_complete": list(audits_to_complete(user)),
        "owned": list(_with_counts(visible.filter(owner=user)).order_by("-opened_at", "-pk")[:limit]),
        "others": list(_with_counts(visible.exclude(owner=user)).order_by("-opened_at", "-pk")[:limit]),
    }


@dataclass(frozen=True)
class Disagreement:
    key: str
    section_number: int
    section_name: str
    text: str
    lowest: int
    highest: int
    answers: list[tuple[str, str]]  # (respondent, answer label)


@dataclass(frozen=True)
class Results:
    audit: Audit
    responses: list[Response]
    sections: list[SectionRow]  # combined
    by_respondent: list[tuple[Response, list[SectionRow]]]
    table: list[tuple[SectionRow, list[SectionRow]]]  # combined row, then each respondent's row, per section
    disagreements: list[Disagreement]
    weakest_sections: list[SectionRow]
    guidance: list[tuple[SectionRow, tuple[tuple[str, str], ...]]]

    @property
    def disagreements_by_section(self) -> list[tuple[int, str, list[Disagreement]]]:
        """The disagreements grouped under their section, in tool order: (number, name, questions)."""
        groups: dict[int, tuple[int, str, list[Disagreement]]] = {}
        for item in self.disagreements:
            groups.setdefault(item.section_number, (item.section_number, item.section_name, []))[2].append(item)
        return [groups[number] for number in sorted(groups)]

    @property
    def chart_alt(self) -> str:
        parts = [
            f"{row.name} {row.score.percent:.0f}%" if row.score.percent is not None else f"{row.name} not answered"
            for row in self.sections
        ]
        return "Bar chart of the combined percentage score for each FFIT section: " + "; ".join(parts) + "."


def submitted_responses(audit: Audit) -> list[Response]:
    return list(audit.responses.filter(submitted_at__isnull=False).select_related("respondent").order_by("pk"))


def audit_results(audit: Audit) -> Results:
    responses = submitted_responses(audit)
    answers = [response.answers for response in responses]
    combined = _rows(scoring.combined_section_scores(answers))
    by_respondent = [(response, _rows(scoring.section_scores(response.answers))) for response in responses]
    table = [(row, [rows[index] for _, rows in by_respondent]) for index, row in enumerate(combined)]
    disagreements = []
    for key, lowest, highest in scoring.disagreements(answers):
        section = SECTIONS[int(key[1]) - 1]
        disagreements.append(
            Disagreement(
                key=key,
                section_number=section.number,
                section_name=SECTION_NAMES[section.key],
                text=ITEMS_BY_KEY[key].text,
                lowest=lowest,
                highest=highest,
                answers=[(r.respondent.display_name, answer_label(r.answers.get(key))) for r in responses],
            )
        )
    low = weakest(combined)
    return Results(
        audit=audit,
        responses=responses,
        sections=combined,
        by_respondent=by_respondent,
        table=table,
        disagreements=disagreements,
        weakest_sections=low,
        guidance=[(row, GUIDANCE[row.score.key]) for row in low],
    )


@dataclass(frozen=True)
class HistoryRow:
    audit: Audit
    closed_on: date
    respondents: int
    sections: list[SectionRow]
    is_stale: bool


def ward_history(ward: Ward) -> list[HistoryRow]:
    """Closed audits of a ward, newest first, each scored section by section. Two queries."""
    audits = list(
        Audit.objects.filter(ward=ward, status=Audit.Status.CLOSED)
        .select_related("owner", "initiative")
        .order_by("-closed_at", "-pk")
    )
    scored = _stored_scores(audits)
    cutoff = readiness_stale_before()
    rows = []
    for audit in audits:
        scores, respondents = scored[audit.pk]
        if not respondents:
            continue
        closed_on = timezone.localdate(audit.closed_at)
        rows.append(HistoryRow(audit, closed_on, respondents, _rows(scores), closed_on < cutoff))
    return rows


def header_counts(user: User) -> dict[str, int]:
    """The header's counts that are this person's own: audits invited to, audits waiting for their answers, and
    unread notifications (qiportal.notifications.unread_count's rule), in one query. Written as SQL: the database
    answers it in a tenth of a millisecond, while building it through the ORM's annotations took two, on every page
    (issue 15). It reads only this person's own rows, so no permission rule is involved."""
    with connection.cursor() as cursor:
        cursor.execute(_header_counts_sql(), [user.pk, user.pk, user.pk, Audit.Status.OPEN])
        unread, invited, to_complete = cursor.fetchone()
    return {"unread": unread, "invited": invited, "to_complete": to_complete}


@functools.cache
def _header_counts_sql() -> str:
    """Table and column names from the models' metadata; every value is a parameter."""
    notification, response, audit = (model._meta for model in (Notification, Response, Audit))
    return (
        f"SELECT (SELECT COUNT(*) FROM {notification.db_table} WHERE {_column(notification, 'recipient')} = %s"  # noqa: S608  # nosec B608
        f" AND {_column(notification, 'read_at')} IS NULL),"
        f" (SELECT COUNT(*) FROM {response.db_table} WHERE {_column(response, 'respondent')} = %s),"
        f" (SELECT COUNT(*) FROM {response.db_table} r JOIN {audit.db_table} a ON a.{_column(audit, 'id')} ="
        f" r.{_column(response, 'audit')} WHERE r.{_column(response, 'respondent')} = %s"
        f" AND r.{_column(response, 'submitted_at')} IS NULL AND a.{_column(audit, 'status')} = %s)"
    )


def _column(meta, field: str) -> str:
    return connection.ops.quote_name(meta.get_field(field).column)
