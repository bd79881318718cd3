"""The anonymised CSV export for QI analysis (seed 000, step 6: "take care to anonymise data").

No names, emails or usernames of anyone: people appear as their job title (or role). Staff names typed
into free text, in any case, are replaced by that person's job title; a first or last name shared by several people
becomes "a colleague". Names and usernames that are also words of ward names, job titles or roles ("Ward",
"staff") are left alone: there they are not a person. Dates are reduced to the Monday of their week. A cell
a spreadsheet would run as a formula (starting = + - @, tab or carriage return) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Prefetch
from django.utils import timezone

from excellence.models import Conversation, ExcellenceReport
from excellence.tallies import week_start
from qiportal.exports import safe_cell
from qiportal.models import Role, User, Ward

HEADER = [
    "report",
    "week reported",
    "week it happened",
    "ward",
    "directorate",
    "team praised",
    "reporter role",
    "recipient roles",
    "values and themes",
    "follow-up state",
    "on the wall",
    "what happened",
    "why it was excellent",
    "the difference it made",
    "what the organisation could learn",
    "week of the conversation",
    "strengths",
    "opportunities",
    "aspirations",
    "results",
    "what could we spread",
]


def role_of(user: User | None) -> str:
    if user is None:
        return ""
    return user.job_title or user.primary_role_label


class NameScrubber:
    """Replaces staff names in free text with job titles, longest names first, in one pass.

    Names are matched in any case on word boundaries ("megan", "MEGAN CLARKE", "Clarke's"), as are usernames
    and email addresses: people do not type colleagues' names in title case. A first or last name that is
    also a word of a ward name, a job title or a role ("Ward", "staff") is left alone on its own, since there
    it is rarely a person; the full name is still replaced.
    """

    def __init__(self, users: Iterable[User], protected_words: Iterable[str] = ()):
        protected = {word.lower() for word in protected_words}
        replacements: dict[str, str] = {}
        single: dict[str, set[int]] = defaultdict(set)
        roles: dict[int, str] = {}
        for user in users:
            roles[user.pk] = role_of(user) or "a colleague"
            full = f"{user.first_name} {user.last_name}".strip()
            if user.first_name and user.last_name:
                replacements[full.lower()] = roles[user.pk]
            for part in (user.first_name, user.last_name):
                if len(part) > 1 and part.lower() not in protected:
                    single[part.lower()].add(user.pk)
            # A username that is also an everyday word of job titles ("staff", "coach") says nothing of who.
            if user.username.lower() not in protected:
                replacements.setdefault(user.username.lower(), roles[user.pk])
            if user.email:
                replacements[user.email.lower()] = roles[user.pk]
        for part, owners in single.items():
            if part not in replacements:
                replacements[part] = roles[next(iter(owners))] if len(owners) == 1 else "a colleague"
        self.replacements = replacements
        names = sorted(replacements, key=len, reverse=True)
        self.pattern = (
            re.compile(r"(?<![\w@.])(" + "|".join(re.escape(n) for n in names) + r")(?![\w@])", re.IGNORECASE)
            if names
            else None
        )

    def __call__(self, text: str) -> str:
        if not text or self.pattern is None:
            return text or ""
        return self.pattern.sub(lambda match: self.replacements.get(match.group(1).lower(), "a colleague"), text)


def _protected_words() -> set[str]:
    words = set()
    for name in Ward.objects.values_list("name", flat=True):
        words.update(name.split())
    for title in User.objects.exclude(job_title="").values_list("job_title", flat=True):
        words.update(w.strip(",()") for w in title.split())
    for label in Role.labels:
        words.update(w.strip("()") for w in label.split())
    return words


def anonymised_rows(reports) -> Iterable[list[str]]:
    users = list(User.objects.only("pk", "username", "first_name", "last_name", "email", "job_title"))
    scrub = NameScrubber(users, _protected_words())
    reports = (
        reports.select_related("reporter", "ward__directorate", "team_ward")
        .prefetch_related(
            Prefetch("recipients", queryset=User.objects.only("pk", "job_title", "username", "is_superuser")),
            "tags",
            Prefetch("conversation", queryset=Conversation.objects.all()),
        )
        .order_by("created_at", "pk")
    )
    for number, report in enumerate(reports, start=1):
        try:
            conversation = report.conversation
        except ExcellenceReport.conversation.RelatedObjectDoesNotExist:
            conversation = None
        row = [
            number,  # a sequence, not the database id, so rows cannot be joined back to the live report
            week_start(timezone.localtime(report.created_at).date()).isoformat(),
            week_start(report.happened_on).isoformat(),
            report.ward.name,
            report.ward.directorate.name,
            report.team_ward.name if report.team_ward else "",
            scrub(role_of(report.reporter)),
            "; ".join(sorted(scrub(role_of(user)) for user in report.recipients.all())),
            "; ".join(tag.name for tag in report.tags.all()),
            report.get_state_display(),
            "yes" if report.is_shared else "no",
            scrub(report.what_happened),
            scrub(report.why_excellent),
            scrub(report.difference_made),
            scrub(report.organisation_learning),
            week_start(conversation.held_on).isoformat() if conversation else "",
        ]
        for field in ("strengths", "opportunities", "aspirations", "results", "what_to_spread"):
            row.append(scrub(getattr(conversation, field)) if conversation else "")
        yield [safe_cell(cell) for cell in row]


def anonymised_csv(reports) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(anonymised_rows(reports))
    return buffer.getvalue()
