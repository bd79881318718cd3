"""Reading a CSV or XLSX upload of weekly values (columns week_start, value) into checked rows.

Nothing here writes to the database: `parse_upload` returns the rows with an error per bad row, the view
keeps only the parsed rows (never the file) in the session for the preview, and `services.import_values`
saves them once every row is valid.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import Workbook

from qiportal import spreadsheets
from runcharts import services
from runcharts.models import Measure

COLUMNS = ("week_start", "value")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@")
MAX_ROWS = 1000


class UploadRefused(ValueError):
    """The file as a whole cannot be read: the message says why and what to do."""


@dataclass(frozen=True)
class ParsedRow:
    line: int  # the row number as a spreadsheet shows it (the header is row 1)
    week_start: date | None
    value: float | None
    error: str = ""
    action: str = ""  # "add" | "replace" | "unchanged", once valid
    current: float | None = None  # the value it replaces


@dataclass
class ParsedUpload:
    rows: list[ParsedRow]
    warnings: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.error]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.errors

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


def _day(week: date) -> str:
    return f"{week.day} {week:%B %Y}"


def max_bytes() -> int:
    return settings.QI["UPLOAD_MAX_BYTES"]


def _frame(upload, columns: int = len(COLUMNS)) -> tuple[pd.DataFrame, list[str]]:
    """The upload's first `columns` columns, read by the core's guarded reader (qiportal.spreadsheets)."""
    name = (upload.name or "").lower()
    if upload.size > max_bytes():
        raise UploadRefused(
            f"The file is {upload.size / 1_048_576:.1f} MB. The largest file you can upload is "
            f"{max_bytes() / 1_048_576:g} MB: split it into smaller files."
        )
    data = upload.read()
    if not data.strip():
        raise UploadRefused("The selected file is empty")
    try:
        if name.endswith(".csv"):
            return _csv_frame(data, columns), []
        if name.endswith(".xlsx"):
            return _xlsx_frame(data, columns)
    except spreadsheets.SpreadsheetRefused as refused:
        raise UploadRefused(str(refused)) from None
    raise UploadRefused("The selected file must be a CSV or an Excel workbook (.xlsx)")


def _csv_frame(data: bytes, columns: int = len(COLUMNS)) -> pd.DataFrame:
    if b"\x00" in data or data[:4] == b"PK\x03\x04":
        raise UploadRefused("The selected file is not a CSV file. Save it as 'CSV UTF-8' and upload it again")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadRefused(
            "The file's characters could not be read. Save it as 'CSV UTF-8 (comma delimited)' and upload it again"
        ) from None
    table = spreadsheets.read_csv(text, columns=columns, max_rows=MAX_ROWS, row_name="weeks")
    return pd.DataFrame(table.rows, columns=table.header, dtype=object)


def _xlsx_frame(data: bytes, columns: int = len(COLUMNS)) -> tuple[pd.DataFrame, list[str]]:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UploadRefused("The selected file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again")
    table = spreadsheets.read_xlsx(data, columns=columns, max_rows=MAX_ROWS, row_name="weeks")
    warnings = []
    if table.has_formulas:
        warnings.append(
            "Some cells contain formulas. They were read as the values Excel last calculated: check them below."
        )
    return pd.DataFrame(table.rows, columns=table.header, dtype=object), warnings


def _parse_week(raw) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, pd.Timestamp):
        return raw.date()
    text = str(raw).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(f"‘{text}’ is not a date. Enter the week start as 2026-03-02 or 02/03/2026")


def _parse_value(raw) -> float:
    if isinstance(raw, bool):
        raise ValidationError("Enter the value as a number")
    if isinstance(raw, (int, float)):
        return float(raw)
    text = str(raw).strip()
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        # A number is a number ("-2", "+5"); only text that is not one can be a formula (neutralised on export).
        if text.startswith(FORMULA_STARTS):
            raise ValidationError(
                f"‘{text[:20]}’ starts with {text[0]} and would be read as a formula. Enter a plain number"
            ) from None
        raise ValidationError(f"‘{text[:20]}’ is not a number. Enter the value as a number") from None
    if not math.isfinite(value):
        raise ValidationError("Enter the value as a number")
    return value


def _is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, float) and math.isnan(raw)) or (isinstance(raw, str) and not raw.strip())


def parse_upload(upload, *, measure: Measure, today: date | None = None) -> ParsedUpload:
    """Read and check every row. Raises UploadRefused when the file as a whole is unusable."""
    today = today or timezone.localdate()
    frame, warnings = _frame(upload)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if list(frame.columns[:2]) != list(COLUMNS):
        raise UploadRefused("The first row must name the two columns: week_start and value (download the template)")
    if len(frame) > MAX_ROWS:
        raise UploadRefused(f"The file has {len(frame)} rows. Upload at most {MAX_ROWS} weeks at a time")
    existing = dict(measure.points.values_list("week_start", "value"))
    seen: dict[date, int] = {}
    rows = []
    for offset, (raw_week, raw_value) in enumerate(zip(frame["week_start"], frame["value"], strict=True)):
        line = offset + 2
        if _is_blank(raw_week) and _is_blank(raw_value):
            continue
        week = value = None
        try:
            if _is_blank(raw_week):
                raise ValidationError("Enter the week start date")
            if isinstance(raw_week, str) and raw_week.strip().startswith(FORMULA_STARTS):
                raise ValidationError(f"‘{raw_week.strip()[:20]}’ would be read as a formula. Enter a date")
            week = _parse_week(raw_week)
            services.check_week(week, today=today)
            if week in seen:
                raise ValidationError(f"The week starting {_day(week)} is also in row {seen[week]}")
            seen[week] = line
            if _is_blank(raw_value):
                raise ValidationError(f"Enter a value for the week starting {_day(week)}, or delete the row")
            value = _parse_value(raw_value)
            services.check_value(measure, value)
        except ValidationError as error:
            rows.append(ParsedRow(line, week, value, error=" ".join(error.messages)))
            continue
        current = existing.get(week)
        action = "add" if current is None else ("unchanged" if current == value else "replace")
        rows.append(ParsedRow(line, week, value, action=action, current=current))
    if not rows:
        raise UploadRefused("The file has no weeks in it. Add a row for each week under the headings")
    return ParsedUpload(rows, warnings)


def template_rows(measure: Measure, weeks: list[date]) -> list[tuple[str, str]]:
    existing = dict(measure.points.filter(week_start__in=weeks).values_list("week_start", "value"))
    return [(w.isoformat(), f"{existing[w]:g}" if w in existing else "") for w in sorted(weeks)]


def template_csv(rows: list[tuple[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def template_xlsx(rows: list[tuple[str, str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Weekly values"
    sheet.append(COLUMNS)
    for week, value in rows:
        sheet.append([date.fromisoformat(week), float(value) if value else None])
    for cell in sheet["A"][1:]:
        cell.number_format = "yyyy-mm-dd"
    sheet.column_dimensions["A"].width = 14
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
