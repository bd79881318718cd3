"""page_by_ids: a page read as its primary keys first, then those rows with their related rows."""

import pytest
from django.db import connection
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test.utils import CaptureQueriesContext

from qiportal.models import User
from qiportal.paging import page_by_ids
from tests.factories import DirectorateFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    directorate = DirectorateFactory()
    return [UserFactory(username=f"p{n:02}", directorate=directorate) for n in range(7)]


def listed():
    return (
        User.objects.filter(username__startswith="p")
        .select_related("directorate")
        .annotate(shown=Concat(F("username"), Value("!")))
        .order_by("-username")
    )


def test_a_page_keeps_the_lists_order_and_brings_its_related_rows_and_annotations(people):
    page = page_by_ids(listed(), 3, "2")
    assert [person.username for person in page] == ["p03", "p02", "p01"]
    assert [person.shown for person in page] == ["p03!", "p02!", "p01!"]
    with CaptureQueriesContext(connection) as queries:
        names = [person.directorate.name for person in page]
    assert len(queries) == 0 and len(set(names)) == 1  # the related rows came with the page
    assert (page.number, page.paginator.num_pages, page.paginator.count) == (2, 3, 7)


@pytest.mark.parametrize(("asked", "shown"), [("", 1), ("nonsense", 1), ("99", 3), (None, 1)])
def test_a_page_number_that_is_not_a_page_falls_back_as_paginators_do(people, asked, shown):
    assert page_by_ids(listed(), 3, asked).number == shown


def test_a_count_the_caller_already_has_spares_the_count_query(people):
    with CaptureQueriesContext(connection) as queries:
        page = page_by_ids(listed(), 3, "1", count=7)
        rows = list(page)
    assert len(rows) == 3
    assert not any("COUNT(" in query["sql"] for query in queries)
    assert len(queries) == 2  # the page's keys, then its rows


def test_an_empty_list_gives_an_empty_first_page(db):
    page = page_by_ids(listed(), 3, "4")
    assert list(page) == [] and page.number == 1


def test_the_count_comes_with_the_pages_keys_so_the_filter_is_asked_once(people):
    with CaptureQueriesContext(connection) as queries:
        page = page_by_ids(listed(), 3, "3")
        rows = list(page)
    assert [person.username for person in rows] == ["p00"]
    assert (page.number, page.paginator.num_pages, page.paginator.count) == (3, 3, 7)
    assert len(queries) == 2  # the keys with the count of all, then the rows
    assert not any("COUNT(*)" in query["sql"] for query in queries)


def test_rows_read_by_their_keys_alone_bring_what_they_show(people):
    shown = User.objects.select_related("directorate").annotate(shown=Concat(F("username"), Value("?")))
    with CaptureQueriesContext(connection) as queries:
        page = page_by_ids(listed(), 3, "1", rows=shown)
        rows = list(page)
    assert [person.shown for person in rows] == ["p06?", "p05?", "p04?"]  # the list's order, the rows' annotation
    assert "LIKE" in queries[0]["sql"] and "LIKE" not in queries[-1]["sql"]  # the filter asked once, for the keys
    assert len({person.directorate.name for person in rows}) == 1


def test_rows_outside_the_list_are_never_read_however_wide_the_rows_queryset(people):
    outsider = UserFactory(username="zz-outsider")
    page = page_by_ids(listed(), 10, "1", rows=User.objects.all())
    assert outsider not in list(page) and page.paginator.count == 7


def test_a_distinct_list_is_counted_without_its_repeats(people):
    for person in people[:2]:
        person.groups.create(name=f"group of {person.username}")
        person.groups.create(name=f"second group of {person.username}")
    repeated = User.objects.filter(username__startswith="p", groups__name__contains="group").order_by("username")
    page = page_by_ids(repeated.distinct(), 10, "1")
    assert page.paginator.count == 2 and [person.username for person in page] == ["p00", "p01"]
