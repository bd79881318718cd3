from django import template

from runcharts.analysis import SIGNAL_LABELS

register = template.Library()

# The words carry the meaning; the colour only repeats it.
TAG_CLASSES = {
    "improvement": "nhsuk-tag--blue",
    "concern": "nhsuk-tag--orange",
    "common_cause": "nhsuk-tag--grey",
    "not_enough_data": "nhsuk-tag--white",
}


@register.inclusion_tag("runcharts/_signal_tag.html")
def signal_tag(signal: str | None):
    signal = signal or "not_enough_data"
    return {"label": SIGNAL_LABELS.get(signal, "Not enough data"), "css": TAG_CLASSES.get(signal, "nhsuk-tag--white")}


@register.filter
def signal_of(signals: dict, measure) -> str:
    return (signals or {}).get(measure.pk, "not_enough_data")
