"""Joining words in templates without template whitespace: no stray space before a comma ("Megan Clarke , and")."""

from django import template

register = template.Library()


def and_list(words) -> str:
    """'A', 'A and B', 'A, B and C': plain English, no Oxford comma, each item as given."""
    words = [str(word) for word in words if word not in (None, "")]
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + f" and {words[-1]}"


register.filter("and_list", and_list)
