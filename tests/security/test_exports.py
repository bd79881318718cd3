"""Every download neutralises text a spreadsheet would run as a formula, whatever field it came from."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from tests.security.test_hostile_input import fill_with
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.invalid","Open")'
DANGEROUS_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOADS = [FORMULA, "+SUM(1+1)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1+1"]


def formula_payload(field):
    index = sum(map(ord, field.name)) % len(PAYLOADS)
    value = PAYLOADS[index]
    return value if field.max_length is None or field.max_length >= len(value) + 6 else "=1+1"


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_cells(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [cell for row in rows for cell in row]


@pytest.fixture
def world(db):
    world = build_world()
    fill_with(formula_payload)
    return world


@pytest.fixture
def admin_client(world):
    client = Client()
    client.force_login(world.users["admin"])
    return client


def exports(world):
    return {
        "portfolio CSV": reverse("projects:portfolio") + "?export=csv",
        "FFIT results CSV": reverse("ffit:audit_csv", args=[world.audit.pk]),
        "measure data CSV": reverse("runcharts:data_csv", args=[world.measure.pk]),
        "excellence CSV": reverse("excellence:export"),
    }


def test_csv_exports_neutralise_formulas(world, admin_client):
    for label, url in exports(world).items():
        cells = csv_cells(admin_client.get(url))
        assert cells, label
        dangerous = [c for c in cells if c.startswith(DANGEROUS_STARTS) and not is_number(c)]
        assert not dangerous, f"{label} has formula cells: {dangerous[:5]}"


def test_the_portfolio_csv_really_carries_the_text_quoted(world, admin_client):
    cells = csv_cells(admin_client.get(reverse("projects:portfolio") + "?export=csv"))
    assert any(cell.startswith("'") and cell[1:] in [*PAYLOADS, "=1+1"] for cell in cells)


def test_the_portfolio_workbook_holds_no_formulas(world, admin_client):
    response = admin_client.get(reverse("projects:portfolio") + "?export=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert cells
    for cell in cells:
        assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            assert not cell.value.startswith(DANGEROUS_STARTS), f"{cell.coordinate}: {cell.value!r}"
