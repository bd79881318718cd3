"""Paging a long list in two steps: first the page's primary keys, then only those rows with what they show.

A list page sorts what the person may see (thousands of initiatives or measures at a trust) and shows 25 or 50.
Asked in one query, the database joins every row to its related rows and works out every annotation before it
can sort and cut the page (the board's and the review queue's first pages spent 10 ms of PostgreSQL each on
this at the scale trust, issue 15). Here the sort touches only the listed table and what the order needs; the
joins, annotations and prefetches then run for the page's rows alone.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


def page_by_ids(queryset: QuerySet, per_page: int, number, *, count: int | None = None) -> Page:
    """The page `number` (as ?page= gives it: invalid or out of range falls back as Paginator.get_page does) of
    `queryset`, in its order, with its select_related, annotations and prefetches applied to the page's rows.
    `count`, when the caller has already counted the same rows, spares the paginator its COUNT query."""
    paginator = Paginator(queryset.values_list("pk", flat=True), per_page)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(number)
    ids = list(page.object_list)
    rows = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()} if ids else {}
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page
