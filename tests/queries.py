"""Counting a page's queries on the path that could grow with the data: the one with nothing cached."""

from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def cold_queries():
    """Capture queries after emptying the cache, so cached counts and fragments cannot hide a growing query."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        yield captured
