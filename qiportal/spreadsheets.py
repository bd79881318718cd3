"""Reading an uploaded CSV or XLSX file without letting it take the server with it.

A small file is not a small workbook: an XLSX is a zip of XML, and 200 KB can unpack to gigabytes (one huge shared
string), declare a sheet of millions of cells, or carry XML entities that expand without end ("billion laughs") or
read files from the server (external entities). So, before anything is parsed:

- the archive's declared sizes are checked (Python's zipfile never returns more than a member declares, and a
  member that lies fails its CRC check), against `QI_UPLOAD_MAX_UNPACKED_BYTES` for the whole archive;
- the sheet's declared dimension is checked against the rows and columns the caller allows;

then the workbook's XML is streamed with `defusedxml` (no DTD, no entities, no external references), cell by cell:
only the first `columns` columns are decoded, a row wider than `MAX_COLUMNS` or more than `max_rows` rows of data
stop the reading at once, and memory holds one row at a time. Every way a file can fail is a `SpreadsheetRefused`
with a message the person can act on; nothing here writes anything.

`read_csv` and `read_xlsx` return a `Table`: the header row's cells as text, then one list per later row (blank rows
kept, so a row's position is its row number in the spreadsheet less 2) holding the first `columns` cells as Python
values (str, int, float, bool, datetime or None).
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError  # nosec B405  # types only; defusedxml parses

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.cell import column_index_from_string, get_column_letter, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

MAX_COLUMNS = 50  # columns a sheet may have: a weekly-values sheet needs a handful
MAX_PARTS = 1_000  # files inside an XLSX archive; Excel writes about a dozen
CELL = re.compile(r"^([A-Z]{1,3})(\d+)$")
INTEGER = re.compile(r"^-?\d+$")

BROKEN = "The Excel workbook could not be read. Save it again as .xlsx and upload it again"
UNSAFE = (
    "The Excel workbook could not be read safely: it holds XML that Excel does not write (a DTD or entities). "
    "Save it again as .xlsx from Excel and upload it again"
)


class SpreadsheetRefused(ValueError):
    """The file as a whole cannot be read: the message says why and what to do."""


@dataclass(frozen=True)
class FormulaCell:
    """A cell holding a formula whose value the file does not keep (a program that cannot calculate wrote it)."""

    ref: str  # where it is, as Excel names it: "B3"
    formula: str

    def __str__(self) -> str:
        return f"={self.formula}" if self.formula else "a formula"

    @property
    def problem(self) -> str:
        return (
            f"Cell {self.ref} holds a formula ({str(self)[:30]}) but no value: the file was saved without "
            "calculating it. Type the number into the cell, or open the file in Excel and save it again"
        )


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list]
    has_formulas: bool = False


def max_unpacked_bytes() -> int:
    return settings.QI["UPLOAD_MAX_UNPACKED_BYTES"]


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.1f}".removesuffix(".0") + " MB"


def _too_many_rows(max_rows: int, row_name: str) -> SpreadsheetRefused:
    return SpreadsheetRefused(f"The file has more than {max_rows} rows. Upload at most {max_rows} {row_name} at a time")


def _too_wide(declared: str = "") -> SpreadsheetRefused:
    width = f"is {declared} columns wide" if declared else f"has more than {MAX_COLUMNS} columns"
    return SpreadsheetRefused(
        f"The sheet {width}. A sheet can have at most {MAX_COLUMNS} columns: copy the columns you need into a new "
        "workbook and upload that"
    )


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# CSV -------------------------------------------------------------------------------------------------------------


def read_csv(text: str, *, columns: int, max_rows: int, row_name: str = "rows") -> Table:
    """The first `columns` columns of a decoded CSV text; more than `max_rows` rows of data are refused."""
    reader = csv.reader(io.StringIO(text, newline=""), skipinitialspace=True)
    try:
        header = next(reader, [])
        rows = []
        for row in reader:
            cells = (row + [""] * columns)[:columns]
            rows.append(cells)
            if len(rows) > max_rows and not all(_is_blank(cell) for cell in cells):
                raise _too_many_rows(max_rows, row_name)
    except csv.Error as error:
        raise SpreadsheetRefused(
            f"The file could not be read as a CSV file (row {reader.line_num}: {error}). Save it as "
            "'CSV UTF-8 (comma delimited)' and upload it again"
        ) from None
    while rows and all(_is_blank(cell) for cell in rows[-1]):
        rows.pop()
    return Table([str(cell).strip() for cell in (header + [""] * columns)[:columns]], rows)


# XLSX ------------------------------------------------------------------------------------------------------------


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _attribute(element: Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (r:id, or id in strict OOXML)."""
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _events(archive: zipfile.ZipFile, name: str, events=("end",)) -> Iterator[tuple[str, Element]]:
    with archive.open(name) as stream:
        yield from iterparse(stream, events=events, forbid_dtd=True)


@dataclass(frozen=True)
class _Parts:
    sheet: str
    strings: str | None
    styles: str | None
    epoch: object


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """id -> (type, resolved path) for a part's relationships."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels not in archive.NameToInfo:
        return {}
    found = {}
    for _, element in _events(archive, rels):
        if _local(element.tag) == "Relationship" and element.get("TargetMode") != "External":
            target = element.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            found[element.get("Id")] = (element.get("Type", ""), posixpath.normpath(path))
    return found


def _parts(archive: zipfile.ZipFile) -> _Parts:
    workbook = next(
        (path for kind, path in _relationships(archive, "").values() if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    relationships = _relationships(archive, workbook)
    sheet_ids, epoch = [], CALENDAR_WINDOWS_1900
    for _, element in _events(archive, workbook):
        name = _local(element.tag)
        if name == "sheet":
            sheet_ids.append(_attribute(element, "id"))
        elif name == "workbookPr" and element.get("date1904") in ("1", "true"):
            epoch = CALENDAR_MAC_1904
    sheets = [
        relationships[i][1] for i in sheet_ids if i in relationships and relationships[i][0].endswith("/worksheet")
    ]
    if not sheets:
        raise SpreadsheetRefused("The Excel workbook has no sheet. Save the weekly values in a workbook and try again")
    by_kind = {kind.rsplit("/", 1)[-1]: path for kind, path in relationships.values()}
    strings, styles = by_kind.get("sharedStrings"), by_kind.get("styles")
    return _Parts(
        sheets[0],
        strings if strings in archive.NameToInfo else None,
        styles if styles in archive.NameToInfo else None,
        epoch,
    )


def _shared_strings(archive: zipfile.ZipFile, name: str | None) -> list[str]:
    strings: list[str] = []
    if name is None:
        return strings
    parent = None
    for event, element in _events(archive, name, ("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "sst":
                parent = element
            continue
        if tag == "si":
            # The text runs, not the phonetic guides (rPh) some East Asian workbooks add.
            texts = [child.text or "" for child in element if _local(child.tag) == "t"]
            for run in (child for child in element if _local(child.tag) == "r"):
                texts += [t.text or "" for t in run if _local(t.tag) == "t"]
            strings.append("".join(texts))
            if parent is not None:
                parent.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile, name: str | None) -> set[int]:
    """The indexes of cell styles that show a number as a date (Excel keeps dates as day counts)."""
    if name is None:
        return set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_cell_xfs = False
    for event, element in _events(archive, name, ("start", "end")):
        tag = _local(element.tag)
        if tag == "cellXfs":
            in_cell_xfs = event == "start"
        elif event == "end" and tag == "numFmt":
            custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
        elif event == "end" and tag == "xf" and in_cell_xfs:
            formats.append(int(element.get("numFmtId", "0")))
    return {
        index
        for index, fmt in enumerate(formats)
        if is_date_format(custom.get(fmt) or BUILTIN_FORMATS.get(fmt) or "") or 14 <= fmt <= 22 or 45 <= fmt <= 47
    }


def _check_dimension(ref: str | None, max_rows: int, row_name: str) -> None:
    if not ref:
        return
    try:
        _, _, max_col, max_row = range_boundaries(ref.upper())
    except (ValueError, TypeError):
        return  # optional and only a hint: the streaming checks still hold
    if (max_col or 0) > MAX_COLUMNS:
        raise _too_wide(f"{max_col:,} ({ref})")
    if (max_row or 0) > max_rows + 1:
        raise SpreadsheetRefused(
            f"The sheet's used area ({ref}) runs to row {max_row:,}. Upload at most {max_rows} {row_name} at a time: "
            "copy them into a new workbook, or delete the empty rows below them, and upload it again"
        )


def _cell_value(cell: Element, strings: list[str], date_styles: set[int], epoch):
    kind = cell.get("t", "n")
    children = {_local(child.tag): child for child in cell}
    raw = children["v"].text if "v" in children else None
    if kind == "inlineStr":
        inline = children.get("is")
        return "".join(t.text or "" for t in inline.iter() if _local(t.tag) == "t") if inline is not None else None
    if raw is None:
        return None
    if kind == "s":
        return strings[int(raw)]
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw.strip() == "1"
    if kind == "d":
        return raw
    number = int(raw) if INTEGER.match(raw.strip()) else float(raw)
    if int(cell.get("s", "0")) in date_styles:
        try:
            return from_excel(number, epoch)
        except (ValueError, OverflowError, TypeError):
            return number
    return number


def _read_sheet(archive, parts: _Parts, *, columns: int, max_rows: int, row_name: str) -> Table:
    strings = _shared_strings(archive, parts.strings)
    date_styles = _date_styles(archive, parts.styles)
    rows: dict[int, list] = {}
    has_formulas = False
    sheet_data = row = None
    row_number = column = cells_in_row = 0
    for event, element in _events(archive, parts.sheet, ("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "dimension":
                _check_dimension(element.get("ref"), max_rows, row_name)
            elif tag == "sheetData":
                sheet_data = element
            elif tag == "row":
                row_number = int(element.get("r") or row_number + 1)
                row, column, cells_in_row = [None] * columns, 0, 0
            continue
        if tag == "c" and row is not None:
            reference = CELL.match(element.get("r") or "")
            column = column_index_from_string(reference.group(1)) if reference else column + 1
            cells_in_row += 1
            if column > MAX_COLUMNS or cells_in_row > MAX_COLUMNS:
                raise _too_wide()
            if column <= columns:
                formula = next((child for child in element if _local(child.tag) == "f"), None)
                has_formulas = has_formulas or formula is not None
                value = _cell_value(element, strings, date_styles, parts.epoch)
                if value is None and formula is not None:
                    ref = reference.group(0) if reference else f"{get_column_letter(column)}{row_number}"
                    value = FormulaCell(ref, (formula.text or "").strip())
                row[column - 1] = value
            element.clear()
        elif tag == "row" and row is not None:
            if not all(_is_blank(value) for value in row):
                if row_number > max_rows + 1:
                    raise _too_many_rows(max_rows, row_name)
                rows[row_number] = row
            row = None
            if sheet_data is not None:
                sheet_data.clear()  # one row in memory at a time
    header = rows.pop(1, [None] * columns)
    last = max(rows, default=1)
    body = [rows.get(number, [None] * columns) for number in range(2, last + 1)]
    return Table(["" if cell is None else str(cell).strip() for cell in header], body, has_formulas)


def read_xlsx(data: bytes, *, columns: int, max_rows: int, row_name: str = "rows") -> Table:
    """The first sheet's first `columns` columns; see the module's docstring for every check made first."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS:
                raise SpreadsheetRefused(f"The Excel workbook holds {len(infos):,} files. {BROKEN}")
            unpacked = sum(info.file_size for info in infos)
            if unpacked > max_unpacked_bytes():
                raise SpreadsheetRefused(
                    f"The Excel workbook unpacks to {_mb(unpacked)}; the most it may unpack to is "
                    f"{_mb(max_unpacked_bytes())}. Copy the {row_name} into a new workbook and upload that"
                )
            return _read_sheet(archive, _parts(archive), columns=columns, max_rows=max_rows, row_name=row_name)
    except SpreadsheetRefused:
        raise
    except DefusedXmlException:
        raise SpreadsheetRefused(UNSAFE) from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        ParseError,
        KeyError,
        IndexError,
        ValueError,
        EOFError,
        OSError,
        RuntimeError,  # an encrypted member
        NotImplementedError,  # a compression method zipfile cannot read
        UnicodeDecodeError,
    ):
        raise SpreadsheetRefused(BROKEN) from None
