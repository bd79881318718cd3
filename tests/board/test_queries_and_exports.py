"""The board's query count does not grow with its measures, and its downloads neutralise formulas."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from runcharts import services
from tests.board.conftest import CONCERN, STEADY, with_values
from tests.factories import InitiativeFactory, MeasureFactory, WardFactory
from tests.queries import cold_queries

pytestmark = pytest.mark.django_db

FIELDS = {"definition": "Counted weekly.", "data_type": "single", "frequency": "weekly", "unit": "count"}


def add_measures(count, directorate, lead, today_ward=None):
    for k in range(count):
        ward = WardFactory(directorate=directorate)
        standing = services.create_standing_measure(
            by=lead, ward=ward, name=f"Falls {k}", improvement="decrease", target=20.0, **FIELDS
        )
        with_values(standing, CONCERN if k % 2 else STEADY, lead)
        initiative = InitiativeFactory(lead=lead, wards=[ward], directorate=directorate, status="live")
        with_values(MeasureFactory(initiative=initiative, unit="count", chart="xmr"), STEADY, lead)


def count(client, url) -> int:
    with cold_queries() as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("board", ["trust", "directorate", "ward"])
def test_the_query_count_stays_flat_as_measures_grow(client, qi_lead, directorate, ward, board, today):
    urls = {
        "trust": reverse("board"),
        "directorate": reverse("board_directorate", args=[directorate.slug]),
        "ward": reverse("board_ward", args=[ward.slug]),
    }
    client.force_login(qi_lead)
    add_measures(2, directorate, qi_lead)
    MeasureFactory(initiative=InitiativeFactory(lead=qi_lead, wards=[ward], status="live"), unit="count")
    small = count(client, urls[board])
    add_measures(8, directorate, qi_lead)
    for _ in range(4):
        MeasureFactory(initiative=InitiativeFactory(lead=qi_lead, wards=[ward], status="live"), unit="count")
    assert count(client, urls[board]) == small


@pytest.fixture
def hostile(ward, ward_manager, today):
    measure = services.create_standing_measure(
        by=ward_manager, ward=ward, name='=HYPERLINK("http://x","Falls")', improvement="decrease", **FIELDS
    )
    return with_values(measure, CONCERN, ward_manager)


def test_the_csv_has_icon_names_and_words_and_no_formulas(client, staff, hostile):
    client.force_login(staff)
    response = client.get(reverse("board"), {"export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Measure", "Owner", "Owned by"]
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Measure"].startswith("'=HYPERLINK")
    assert row["Variation icon"] == "Special cause concern (high)"
    assert row["Variation in words"].startswith("Special cause variation of a concerning nature")
    assert row["Assurance icon"] == "No assurance"
    assert row["Rule"] == "8 weeks above the mean since 24 November 2025"
    assert row["Last three values"] == "11, 12, 11"
    assert row["Chart link"].endswith(hostile.get_absolute_url())


def test_the_xlsx_keeps_formulas_as_text(client, staff, hostile):
    client.force_login(staff)
    response = client.get(reverse("board_ward", args=[hostile.ward.slug]), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    values = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert values["Measure"].startswith("'=HYPERLINK") and sheet.cell(2, 1).data_type == "s"
    assert values["Variation icon"] == "Special cause concern (high)"
