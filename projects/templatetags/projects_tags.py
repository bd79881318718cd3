from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html

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
