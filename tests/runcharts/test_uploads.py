"""Uploading weekly values: every bad row is reported, and nothing is saved unless every row is valid."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from pytest_django.asserts import assertContains, assertNotContains

from runcharts.models import DataPoint
from tests.factories import DataPointFactory

pytestmark = pytest.mark.django_db


def csv_file(text: str, name: str = "values.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows, name: str = "values.xlsx") -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def upload(client, measure, file):
    return client.post(reverse("runcharts:upload", args=[measure.pk]), {"file": file})


@pytest.fixture
def signed_in(client, qi_lead, today):
    client.force_login(qi_lead)
    return client


GOOD = "week_start,value\n2026-02-16,40\n23/02/2026,45.5\n2026-03-02,50\n"


def test_a_valid_csv_is_previewed_then_saved_on_confirm(signed_in, measure):
    DataPointFactory(measure=measure, week_start=date(2026, 2, 16), value=30)
    response = upload(signed_in, measure, csv_file(GOOD))
    assert response.status_code == 302
    assert DataPoint.objects.filter(measure=measure).count() == 1  # nothing saved before the confirmation

    preview = signed_in.get(response.url)
    assertContains(preview, "2 weeks will be added")
    assertContains(preview, "1 week will be replaced")
    assertContains(preview, "Nothing has been saved yet")

    done = signed_in.post(response.url, {"confirm": ""}, follow=True)
    assertContains(done, "Upload saved: 2 weeks added, 1 replaced.")
    values = dict(DataPoint.objects.filter(measure=measure).values_list("week_start", "value"))
    assert values == {date(2026, 2, 16): 40.0, date(2026, 2, 23): 45.5, date(2026, 3, 2): 50.0}
    # The replaced value is kept in the history.
    assert DataPoint.history.filter(week_start=date(2026, 2, 16)).count() == 2


def test_the_session_holds_the_classified_rows_not_the_file(signed_in, measure):
    DataPointFactory(measure=measure, week_start=date(2026, 2, 16), value=30)
    upload(signed_in, measure, csv_file(GOOD))
    stored = signed_in.session[f"runcharts:upload:{measure.pk}"]
    assert [(row["period"], row["reading"][0], row["action"]) for row in stored["rows"]] == [
        ("2026-02-16", 40.0, "replace"),
        ("2026-02-23", 45.5, "add"),
        ("2026-03-02", 50.0, "add"),
    ]
    assert stored["rows"][0]["current"] == [30.0, None, None]


def test_the_preview_shows_the_upload_as_classified_without_reading_the_data_again(signed_in, measure):
    response = upload(signed_in, measure, csv_file(GOOD))
    with CaptureQueriesContext(connection) as queries:
        preview = signed_in.get(response.url)
    assertContains(preview, "3 weeks will be added")
    assert not [q for q in queries.captured_queries if "runcharts_datapoint" in q["sql"]]


def test_cancel_saves_nothing(signed_in, measure):
    response = upload(signed_in, measure, csv_file(GOOD))
    page = signed_in.post(response.url, {"cancel": ""}, follow=True)
    assertContains(page, "Nothing was saved")
    assert not DataPoint.objects.exists()


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("2026-13-45,40", "is not a date"),
        ("next week,40", "is not a date"),
        ("2026-02-17,40", "17 February 2026 is not a Monday"),
        ("2026-02-23,40\n2026-02-23,41", "is also in row 3"),
        ("2026-02-23,lots", "is not a number"),
        ("2026-02-23,101", "Enter a percentage between 0 and 100"),
        ("2026-02-23,-1", "Enter a percentage between 0 and 100"),  # a number, not a formula (issue 16)
        ("2026-03-16,40", "is in the future"),
        ("2026-02-23,", "Enter a value for the week starting 23 February 2026"),
        (",40", "Enter the week start date"),
        ("2026-02-23,=1+1", "would be read as a formula"),
        ("2026-02-23,@SUM(A1)", "would be read as a formula"),
        ("=HYPERLINK(1),40", "would be read as a formula"),
        ("2026-02-23,+SUM(A1)", "would be read as a formula"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_saved(signed_in, measure, rows, message):
    text = f"week_start,value\n2026-02-09,35\n{rows}\n"
    response = upload(signed_in, measure, csv_file(text))
    assert response.status_code == 200
    assertContains(response, "There is a problem")
    assertContains(response, "Nothing was saved")
    assertContains(response, message)
    assertContains(response, "<title>Error: Upload weekly values")
    assert not DataPoint.objects.exists()
    assert f"runcharts:upload:{measure.pk}" not in signed_in.session


def test_a_percent_value_is_not_checked_against_0_100_for_a_count(signed_in, measure):
    measure.unit = "count"
    measure.save()
    response = upload(signed_in, measure, csv_file("week_start,value\n2026-02-23,140\n"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("values.pdf", b"%PDF-1.4 ..."), "must be a CSV or an Excel workbook"),
        (SimpleUploadedFile("values.csv", b"PK\x03\x04 zipped"), "is not a CSV file"),
        (SimpleUploadedFile("values.xlsx", b"week_start,value\n"), "is not an Excel workbook"),
        (SimpleUploadedFile("values.csv", "week_start,value\n2026-02-23,4½\n".encode("utf-16")), "is not a CSV"),
        (SimpleUploadedFile("values.csv", b"week_start,value\n2026-02-23,\xff\xfe40\n"), "could not be read"),
        (SimpleUploadedFile("values.csv", b"date,amount\n2026-02-23,40\n"), "must name the two columns"),
        (SimpleUploadedFile("values.csv", b"week_start,value\n"), "has no weeks in it"),
    ],
)
def test_unusable_files_are_refused_with_a_message(signed_in, measure, file, message):
    response = upload(signed_in, measure, file)
    assertContains(response, message)
    assertContains(response, "There is a problem")
    assert not DataPoint.objects.exists()


def test_a_file_over_the_size_limit_is_refused(signed_in, measure, settings):
    settings.QI = {**settings.QI, "UPLOAD_MAX_BYTES": 100}
    text = "week_start,value\n" + "2026-02-23,40\n" * 20
    response = upload(signed_in, measure, csv_file(text))
    assertContains(response, "The largest file you can upload is")
    assert not DataPoint.objects.exists()


def test_an_xlsx_upload_with_real_dates_is_accepted(signed_in, measure):
    from datetime import datetime

    response = upload(signed_in, measure, xlsx_file([("week_start", "value"), (datetime(2026, 2, 23), 44)]))
    assert response.status_code == 302
    preview = signed_in.get(response.url)
    assertContains(preview, "1 week will be added")
    assertNotContains(preview, "formulas")


def test_xlsx_formulas_are_read_as_values_with_a_warning(signed_in, measure, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["week_start", "value"])
    sheet.append(["2026-02-23", "=20+22"])
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    # openpyxl does not calculate formulas; write the cached value Excel would have stored.
    data = path.read_bytes()
    response = upload(signed_in, measure, SimpleUploadedFile("values.xlsx", data))
    # Never calculated, the formula has no value: the row says which cell holds it and what to do.
    assertContains(
        response,
        "Cell B2 holds a formula (=20+22) but no value: the file was saved without calculating it. Type the number "
        "into the cell, or open the file in Excel and save it again",
    )
    assertNotContains(response, "Enter a value")
    assert not DataPoint.objects.exists()


def test_xlsx_bad_row_is_reported(signed_in, measure):
    response = upload(signed_in, measure, xlsx_file([("week_start", "value"), ("2026-02-24", 44)]))
    assertContains(response, "24 February 2026 is not a Monday")
    assert not DataPoint.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_downloads_with_the_recent_weeks(signed_in, measure, fmt):
    DataPointFactory(measure=measure, week_start=date(2026, 3, 2), value=55)
    response = signed_in.get(reverse("runcharts:upload_template", args=[measure.pk, fmt]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    if fmt == "csv":
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0] == "week_start,value"
        assert lines[-1] == "2026-03-02,55"
        assert lines[1] == "2026-01-12,"
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert [c.value for c in sheet[1]] == ["week_start", "value"]
        assert sheet.cell(row=9, column=2).value == 55


def test_the_downloaded_template_uploads_once_filled_in(signed_in, measure):
    text = signed_in.get(reverse("runcharts:upload_template", args=[measure.pk, "csv"])).content.decode("utf-8-sig")
    filled = "\r\n".join(line + "42" if line.endswith(",") else line for line in text.splitlines())
    response = upload(signed_in, measure, csv_file(filled))
    assert response.status_code == 302


def test_the_upload_tables_never_print_none(signed_in, measure):
    """Issue 17: "Problem: None" beside a good row, "Current: None" for a new week. The cell is blank to the eye and
    says "none" to a screen reader."""
    bad = "week_start,value\n2026-02-16,40\n2026-02-24,45\n"
    page = upload(signed_in, measure, csv_file(bad)).content.decode()
    assert ">None<" not in page
    assertContains(upload(signed_in, measure, csv_file(bad)), '<span class="nhsuk-u-visually-hidden">none</span>')
    response = upload(signed_in, measure, csv_file(GOOD))
    preview = signed_in.get(response.url)
    assert ">None<" not in preview.content.decode()
    assertContains(preview, '<span class="nhsuk-u-visually-hidden">none</span>', count=3)
