"""Hostile uploads to the run-chart upload page, beyond the everyday cases in tests/runcharts/test_uploads.py.

Each is refused, or its bad rows reported, with a message the user can act on, and nothing is saved.
"""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from pytest_django.asserts import assertContains, assertNotContains

from runcharts.models import DataPoint, Measure
from tests.factories import InitiativeFactory, MeasureFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 11)


@pytest.fixture
def measure(qi_lead, time_machine) -> Measure:
    time_machine.move_to(TODAY)
    return MeasureFactory(initiative=InitiativeFactory(lead=qi_lead), unit="count")


@pytest.fixture
def signed_in(client, qi_lead):
    client.force_login(qi_lead)
    return client


def post(client, measure, name: str, data: bytes):
    return client.post(reverse("runcharts:upload", args=[measure.pk]), {"file": SimpleUploadedFile(name, data)})


def refused(response, message: str):
    assert response.status_code == 200
    assertContains(response, "There is a problem")
    assertContains(response, message)
    assert not DataPoint.objects.exists()
    stored = list(response.wsgi_request.session.keys())  # a session is not iterable like a dict
    assert not any(key.startswith("runcharts:upload") for key in stored)


def xlsx(rows) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_100000_row_csv_is_refused(signed_in, measure):
    start = date(1800, 1, 6)
    body = "week_start,value\n" + "".join(f"{start + timedelta(weeks=k)},{k % 50}\n" for k in range(100_000))
    refused(post(signed_in, measure, "values.csv", body.encode()), "Upload at most 1000 weeks at a time")


def test_a_100000_row_workbook_is_refused(signed_in, measure):
    rows = [("week_start", "value")] + [(f"2026-02-{k % 28 + 1:02d}", k) for k in range(100_000)]
    refused(post(signed_in, measure, "values.xlsx", xlsx(rows)), "Upload at most 1000 weeks at a time")


def test_a_file_far_over_the_limit_is_refused_before_it_is_read(signed_in, measure):
    body = b"week_start,value\n" + b"2026-02-23,40\n" * 600_000  # about 8 MB
    refused(post(signed_in, measure, "values.csv", body), "The largest file you can upload is 2 MB")


@pytest.mark.parametrize(
    ("cell", "column"),
    [
        ('=HYPERLINK("http://evil.invalid","Click")', "value"),
        ("+cmd|' /C calc'!A0", "value"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "value"),
        ("-2+3+cmd|' /C calc'!A0", "value"),
        ('=HYPERLINK("http://evil.invalid")', "week"),
    ],
)
def test_a_formula_injection_cell_in_a_csv_is_reported_and_nothing_saved(signed_in, measure, cell, column):
    quoted = '"' + cell.replace('"', '""') + '"'
    row = f"2026-02-23,{quoted}" if column == "value" else f"{quoted},40"
    response = post(signed_in, measure, "values.csv", f"week_start,value\n2026-02-16,12\n{row}\n".encode())
    assertContains(response, "would be read as a formula")
    assertContains(response, "There is a problem")
    assert not DataPoint.objects.exists()


def test_an_xlsx_formula_with_no_value_is_reported_and_nothing_saved(signed_in, measure):
    data = xlsx([("week_start", "value"), ("2026-02-16", 12), ("2026-02-23", '=1/0+WEBSERVICE("http://x")')])
    response = post(signed_in, measure, "values.xlsx", data)
    assertContains(response, "There is a problem")
    assert not DataPoint.objects.exists()


def test_markup_in_a_csv_is_shown_escaped(signed_in, measure):
    response = post(signed_in, measure, "values.csv", b"week_start,value\n<script>alert(1)</script>,40\n")
    assertNotContains(response, "<script>alert(1)")
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assert not DataPoint.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("values.xlsx", b"MZ\x90\x00\x03" + b"\x00" * 200, "is not an Excel workbook"),
        ("values.exe", b"MZ\x90\x00\x03", "must be a CSV or an Excel workbook"),
        ("values.html", b"<html><script>alert(1)</script></html>", "must be a CSV or an Excel workbook"),
        ("values.csv.exe", b"week_start,value\n2026-02-23,40\n", "must be a CSV or an Excel workbook"),
        ("values.csv", "week_start,value\n2026-02-23,£40\n".encode("latin-1"), "could not be read"),
        ("values.csv", "week_start,value\n2026-02-23,40\n".encode("utf-32"), "is not a CSV"),
        ("values.csv", b"\xef\xbb\xbf\xff\xfe\xfd", "could not be read"),
        ("values.csv", b"", "empty"),
    ],
)
def test_wrong_types_and_broken_encodings_are_refused(signed_in, measure, name, data, message):
    refused(post(signed_in, measure, name, data), message)


def test_a_zip_that_is_not_a_workbook_is_refused(signed_in, measure):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    refused(post(signed_in, measure, "values.xlsx", out.getvalue()), "could not be read")
