from django import template
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
