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
    refused(post(signed_in, measure, "values.csv", body.encode()), "Upload at most 1000 rows at a time")


def test_a_100000_row_workbook_is_refused_by_what_it_unpacks_to(signed_in, measure):
    rows = [("week_start", "value")] + [(f"2026-02-{k % 28 + 1:02d}", k) for k in range(100_000)]
    refused(post(signed_in, measure, "values.xlsx", xlsx(rows)), "the most it may unpack to is 10 MB")


def test_a_1500_row_workbook_is_refused(signed_in, measure):
    rows = [("week_start", "value")] + [(f"2026-02-{k % 28 + 1:02d}", k) for k in range(1_500)]
    refused(post(signed_in, measure, "values.xlsx", xlsx(rows)), "Upload at most 1000 rows at a time")


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


# Workbooks that look small but are not (issue 16, item 4). Each is built by hand, as an attacker would, so the
# test controls every byte; each must be refused with a clear message before it costs the worker anything.

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def hand_made(sheet: str | bytes, strings: str | bytes | None = None, *, level: int = 6) -> bytes:
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
            '<sheet name="Weekly values" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


def sheet_xml(rows: str, dimension: str = "") -> str:
    ref = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0"?><worksheet xmlns="{MAIN}">{ref}<sheetData>{rows}</sheetData></worksheet>'


HEADER = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
STRINGS = f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si><t>week_start</t></si><si><t>value</t></si></sst>'


def test_a_hand_made_workbook_is_read(signed_in, measure):
    """The control: the reader reads what these tests build, so each refusal below is the check's doing."""
    week = '<row r="2"><c r="A2" t="inlineStr"><is><t>2026-02-23</t></is></c><c r="B2"><v>40</v></c></row>'
    response = post(signed_in, measure, "values.xlsx", hand_made(sheet_xml(HEADER + week, "A1:B2"), STRINGS))
    assert response.status_code == 302
    assert not DataPoint.objects.exists()  # previewed, not yet saved


def test_one_huge_shared_string_is_refused_before_it_is_unpacked(signed_in, measure):
    huge = (
        f'<?xml version="1.0"?><sst xmlns="{MAIN}"><si><t>week_start</t></si><si><t>{"A" * 12_000_000}</t></si></sst>'
    )
    data = hand_made(sheet_xml(HEADER), huge, level=9)
    assert len(data) < 100_000  # looks small
    refused(post(signed_in, measure, "values.xlsx", data), "unpacks to 11.4 MB; the most it may unpack to is 10 MB")


def test_a_sheet_of_1000_by_4000_numbers_is_refused(signed_in, measure):
    row = "<row>" + "<c><v>1</v></c>" * 4_000 + "</row>"
    data = hand_made(sheet_xml(HEADER + row * 999, "A1:EWV1000"), STRINGS, level=9)
    assert len(data) < 2 * 1024 * 1024
    refused(post(signed_in, measure, "values.xlsx", data), "the most it may unpack to is 10 MB")


def test_a_sheet_that_declares_4000_columns_is_refused_before_it_is_read(signed_in, measure):
    refused(
        post(signed_in, measure, "values.xlsx", hand_made(sheet_xml(HEADER, "A1:EWV1000"), STRINGS)),
        "The sheet is 4,000 (A1:EWV1000) columns wide. A sheet can have at most 50 columns",
    )


def test_a_sheet_that_lies_about_its_width_is_stopped_as_it_is_read(signed_in, measure):
    row = '<row r="2">' + "<c><v>1</v></c>" * 4_000 + "</row>"
    refused(
        post(signed_in, measure, "values.xlsx", hand_made(sheet_xml(HEADER + row, "A1:B2"), STRINGS)),
        "The sheet has more than 50 columns",
    )


def test_a_sheet_that_declares_too_many_rows_is_refused(signed_in, measure):
    refused(
        post(signed_in, measure, "values.xlsx", hand_made(sheet_xml(HEADER, "A1:B1048576"), STRINGS)),
        "runs to row 1,048,576. Upload at most 1000 rows at a time",
    )


def test_rows_beyond_the_limit_are_stopped_as_they_are_read(signed_in, measure):
    late = '<row r="5000"><c r="A5000" t="inlineStr"><is><t>2026-02-23</t></is></c><c r="B5000"><v>1</v></c></row>'
    refused(
        post(signed_in, measure, "values.xlsx", hand_made(sheet_xml(HEADER + late), STRINGS)),
        "Upload at most 1000 rows at a time",
    )


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10))
    + f']><sst xmlns="{MAIN}"><si><t>week_start</t></si><si><t>&lol9;</t></si></sst>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f'<sst xmlns="{MAIN}"><si><t>week_start</t></si><si><t>&xxe;</t></si></sst>'
)


@pytest.mark.parametrize("strings", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_xml_entities_are_refused_not_expanded(signed_in, measure, strings):
    response = post(signed_in, measure, "values.xlsx", hand_made(sheet_xml(HEADER), strings))
    refused(response, "could not be read safely")
    assertNotContains(response, "root:")


@pytest.mark.parametrize(
    "breakage",
    ["truncated", "corrupt member", "member lies about its size", "malformed xml", "missing sheet", "bad cell"],
)
def test_broken_workbooks_are_refused_with_a_message(signed_in, measure, breakage):
    message = "Excel workbook could not be read"
    good = hand_made(sheet_xml(HEADER), STRINGS, level=0)
    if breakage == "truncated":
        data, message = good[: len(good) // 2], "is not an Excel workbook"
    elif breakage == "corrupt member":
        data = good.replace(b"week_start", b"weak_start")  # stored, so the CRC no longer matches
    elif breakage == "member lies about its size":
        big = "<row>" + "<c><v>1</v></c>" * 40 + "</row>"
        data = bytearray(hand_made(sheet_xml(HEADER + big * 10_000), STRINGS))
        # Shrink the sheet's declared size in its local header and the central directory: zipfile reads no more.
        name = b"xl/worksheets/sheet1.xml"
        central = data.rfind(name) - 46
        local = data.find(name) - 30
        data[central + 24 : central + 28] = (1_000).to_bytes(4, "little")
        data[local + 22 : local + 26] = (1_000).to_bytes(4, "little")
        data = bytes(data)
    elif breakage == "malformed xml":
        data = hand_made(sheet_xml(HEADER + "<row><c><v>1</c></row>"), STRINGS)
    elif breakage == "missing sheet":
        data = hand_made(sheet_xml(HEADER), STRINGS).replace(b"worksheets/sheet1.xml", b"worksheets/sheet9.xml", 1)
    else:
        data = hand_made(sheet_xml('<row r="1"><c r="A1" t="s"><v>99</v></c></row>'), STRINGS)
    refused(post(signed_in, measure, "values.xlsx", data), message)


# A negative number is a number (issue 16, item 7): only text that is not a number can be a formula, formulas are
# neutralised on export, and the sign is checked against what the measure counts.


def test_a_negative_value_for_a_count_is_refused_as_negative_not_as_a_formula(signed_in, measure):
    response = post(signed_in, measure, "values.csv", b"week_start,value\n2026-02-23,-3\n")
    assertContains(response, "Enter 0 or more: a count cannot be negative")
    assertNotContains(response, "formula")
    assert not DataPoint.objects.exists()


def test_a_negative_value_for_a_score_is_saved_and_exported_as_a_number(signed_in, measure):
    measure.unit = Measure.Unit.SCORE
    measure.save()
    preview = post(signed_in, measure, "values.csv", b"week_start,value\n2026-02-16,2\n2026-02-23,-3.5\n")
    assert preview.status_code == 302
    signed_in.post(reverse("runcharts:upload_preview", args=[measure.pk]), {"confirm": "yes"})
    assert sorted(DataPoint.objects.values_list("value", flat=True)) == [-3.5, 2.0]
    signed_in.post(reverse("runcharts:annotation_add", args=[measure.pk]), {"on": "2026-02-23", "text": "=1+1"})
    exported = signed_in.get(reverse("runcharts:data_csv", args=[measure.pk])).content.decode()
    assert "2026-02-23,-3.5," in exported  # a number stays a number
    assert exported.rstrip().endswith("'=1+1")  # text that a spreadsheet would run is neutralised


def test_a_negative_count_is_refused_in_the_weekly_grid_too(signed_in, measure):
    week = date(2026, 3, 2)
    response = signed_in.post(reverse("runcharts:data_entry", args=[measure.pk]), {f"week_{week}": "-1"})
    assertContains(response, "a count cannot be negative")
    assert not DataPoint.objects.exists()
