"""The header's count of reviews, on every reviewer's page, is answered from the review index alone on PostgreSQL:
the index carries every column the queue's rule reads (status, review date and the three flags), so the count
never reads the initiatives' rows (at the scale trust 2.5–3 ms a page before, 0.3–1 ms after)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from projects import selectors
from projects.models import Status
from tests.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


def test_the_review_count_reads_the_review_index_alone(admin_user, ward):
    if connection.vendor != "postgresql":
        pytest.skip("covering indexes are PostgreSQL's; CI runs this test there")
    soon = timezone.localdate() + timedelta(days=3)
    InitiativeFactory(status=Status.SUBMITTED, wards=[ward])
    InitiativeFactory(status=Status.LIVE, next_review_on=soon, wards=[ward])
    InitiativeFactory(status=Status.LIVE, is_stalled=True, wards=[ward])
    InitiativeFactory(status=Status.COMPLETED, wards=[ward])
    with CaptureQueriesContext(connection) as queries:
        assert selectors.review_total(admin_user) == 3
    (count,) = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]
    with connection.cursor() as cursor:
        # A table this small is read whole; forbid that, and the bitmap scan that always reads rows, to see
        # whether the index can answer by itself.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {count}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using initiative_review" in plan, plan
