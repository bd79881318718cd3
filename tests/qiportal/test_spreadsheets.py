"""The core's guarded CSV/XLSX reader (qiportal.spreadsheets): what it returns for ordinary files. The hostile
files are in tests/security/test_uploads.py."""

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from qiportal.spreadsheets import SpreadsheetRefused, read_csv, read_xlsx


def _workbook(rows, *, date1904=False) -> bytes:
    workbook = Workbook()
    if date1904:
        workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cell in sheet["A"][1:]:
        cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("date1904", [False, True])
def test_an_xlsx_gives_dates_numbers_and_text_of_the_columns_asked_for(date1904):
    data = _workbook(
        [
            ("week_start", "value", "notes"),
            (date(2026, 3, 2), 12, "busy"),
            (None, None, None),
            (date(2026, 3, 16), 4.5, "=1+1"),
        ],
        date1904=date1904,
    )
    table = read_xlsx(data, columns=2, max_rows=10)
    assert table.header == ["week_start", "value"]
    assert table.rows == [[datetime(2026, 3, 2), 12], [None, None], [datetime(2026, 3, 16), 4.5]]
    assert not table.has_formulas  # the formula is in a column not read


def test_a_formula_in_a_column_read_is_flagged():
    assert read_xlsx(_workbook([("a", "b"), (1, "=A2*2")]), columns=2, max_rows=10).has_formulas


def test_a_csv_keeps_row_positions_and_only_the_columns_asked_for():
    table = read_csv("week_start, value ,notes\n2026-03-02, 12,x\n\n2026-03-16,4\n\n", columns=2, max_rows=10)
    assert table.header == ["week_start", "value"]
    assert table.rows == [["2026-03-02", "12"], ["", ""], ["2026-03-16", "4"]]


def test_too_many_rows_name_the_limit_in_the_callers_words():
    with pytest.raises(SpreadsheetRefused, match="Upload at most 3 weeks at a time"):
        read_csv("a,b\n" + "1,2\n" * 4, columns=2, max_rows=3, row_name="weeks")
