"""Paging a long list in two steps: first the page's primary keys, then only those rows with what they show.

A list page sorts what the person may see (thousands of initiatives or measures at a trust) and shows 25 or 50.
Asked in one query, the database joins every row to its related rows and works out every annotation before it
can sort and cut the page (the board's and the review queue's first pages spent 10 ms of PostgreSQL each on
this at the scale trust, issue 15). Here the sort touches only the listed table and what the order needs; the
joins, annotations and prefetches then run for the page's rows alone.

The list's filter (who may see what, the person's choices) is not worked out again for the page's rows when the
caller says how to read them by their keys alone (`rows`), and, unless the caller has counted the list already,
the count of all rows comes beside the page's keys (a window count). A directorate's board asked its filter three
times a view, about 12 ms each at the scale trust; now once.
"""

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window


def page_by_ids(
    queryset: QuerySet, per_page: int, number, *, count: int | None = None, rows: QuerySet | None = None
) -> Page:
    """The page `number` (as ?page= gives it: invalid or out of range falls back as Paginator.get_page does) of
    `queryset`, in its order.

    `count`, when the caller has already counted the same rows, spares the count. `rows` reads the page's rows
    with what they show (select_related, annotations, prefetches) by their keys alone, read only for the keys
    `queryset` gave; without it the page's rows come from `queryset` itself, which applies its filter again."""
    paginator = Paginator(queryset.values_list("pk", flat=True), per_page)
    ids, read_for = None, None
    if count is None:
        count, ids, read_for = _count_and_page(queryset, per_page, number)
    paginator.count = count
    page = paginator.get_page(number)
    if page.number != read_for:
        ids = list(page.object_list)
    source = queryset if rows is None else rows
    found = {row.pk: row for row in source.filter(pk__in=ids).order_by()} if ids else {}
    page.object_list = [found[pk] for pk in ids if pk in found]
    return page


def _count_and_page(queryset: QuerySet, per_page: int, number) -> tuple[int, list | None, int | None]:
    """(count of all rows, the keys on page `number`, that number) in one query: each key comes with the count of
    every row the filter keeps. A plain count when that page has no rows (past the end, or none at all), for a
    number Paginator would not read as one, and for a distinct() list."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1
    if wanted >= 1 and not queryset.query.distinct:  # SQL counts the window before DISTINCT drops repeats
        start = (wanted - 1) * per_page
        keyed = queryset.annotate(listed_in_all=Window(Count("pk"))).values_list("pk", "listed_in_all")
        found = list(keyed[start : start + per_page])
        if found:
            return found[0][1], [pk for pk, _ in found], wanted
    return queryset.count(), None, None
