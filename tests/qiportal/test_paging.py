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
