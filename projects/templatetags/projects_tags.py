from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join

from projects.models import STATUS_TAG_CLASS, Status

register = template.Library()


@register.simple_tag
def status_tag(status: str, label: str | None = None) -> str:
    """An initiative's status as an NHS.UK tag: the words carry the meaning, the colour repeats it. Written in
    Python rather than an included template: lists show one per row (issue 15)."""
    if label is None:
        label = Status(status).label if status in Status.values else status
    colour = STATUS_TAG_CLASS.get(status, "nhsuk-tag--red")
    return format_html('<strong class="nhsuk-tag {}">{}</strong>', colour, label)


@register.simple_tag
def queue_row(initiative) -> str:
    """An initiative's row in the review queue, rendered once per request however many of the queue's groups list
    it (an overdue review that is also flagged appears in both)."""
    html = getattr(initiative, "_queue_row_html", None)
    if html is None:
        html = initiative._queue_row_html = render_to_string("projects/_queue_row.html", {"initiative": initiative})
    return html


@register.simple_tag
def overloaded_wards(wards, shown: int | None = None, more_url: str = "") -> str:
    """The wards over their threshold an initiative adds to, in words: "<a>Oak Ward</a> and <a>Elm Ward</a>, over
    their initiative threshold". With `shown`, the first few and a link to `more_url` for the rest ("and 2 more
    wards"), as the review queue's rows give them; the review page names them all."""
    named = [format_html('<a href="{}">{}</a>', ward.get_absolute_url(), ward.name) for ward in wards[:shown]]
    rest = len(wards) - len(named)
    if rest:
        named.append(format_html('<a href="{}">{} more ward{}</a>', more_url, rest, "s" if rest != 1 else ""))
    listed = named[-1]
    if len(named) > 1:
        listed = format_html("{} and {}", format_html_join(", ", "{}", ((n,) for n in named[:-1])), listed)
    return format_html("{}, over {} initiative threshold", listed, "its" if len(wards) == 1 else "their")
