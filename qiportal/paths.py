"""The address of one object's page, for lists that link every row.

`reverse()` resolves a route name afresh each time (about 30 µs): a review queue or a board links a few hundred
wards, initiatives and measures per page, and reversing each one was a measurable part of drawing it (issue 15).
`path_for` reverses each route once per script prefix, with a marker in place of the object's key, and then only
swaps the key in. The routes it serves take one int or slug argument; tests/qiportal/test_paths.py checks it
against `reverse()` for each of them.
"""

import functools
from urllib.parse import quote

from django.urls import get_script_prefix, reverse

_MARK = "918273645546372819"  # digits, so it fits both <int:…> and <slug:…> routes; found nowhere else in a path


@functools.lru_cache(maxsize=64)
def _pattern(name: str, prefix: str) -> str:
    return reverse(name, args=[_MARK])  # reverse() applies the current script prefix (part of the cache key)


def path_for(name: str, key) -> str:
    """reverse(name, args=[key]) for a route with one int or slug argument."""
    return _pattern(name, get_script_prefix()).replace(_MARK, quote(str(key), safe=""))
