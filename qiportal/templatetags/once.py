"""`{% form_token %}`: the one-time token (qiportal/once.py) for a form written by hand rather than by crispy."""

from django import template
from django.utils.html import format_html

from qiportal.once import FIELD, new_token

register = template.Library()


@register.simple_tag
def form_token():
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
