"""Reading a CSV or XLSX upload of a measure's data into checked, classified rows.

The columns follow the measure: the period (week_start, month_start or event_date), then value, or numerator and
denominator for proportions and rates (`columns`). Nothing here writes to the database: `parse_upload` reads the
file once, checks every row (an error per bad row, in words a person can act on) and classifies each valid one as
added, replaced or unchanged. The view keeps that result (never the file) in the session, the preview shows it as
it is, and `services.import_values` saves the rows once every one is valid, checking them again as it does.
"""

from __future__ import annotations

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
from runcharts import kinds, services
from runcharts.analysis import Reading
from runcharts.models import Measure

COLUMNS = ("week_start", "value")  # a weekly single-value measure's; see columns()
PERIOD_COLUMNS = {kinds.WEEKLY: "week_start", kinds.MONTHLY: "month_start", kinds.EVENT: "event_date"}
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
MONTH_FORMATS = ("%Y-%m", "%m/%Y", "%B %Y", "%b %Y")
COUNT_WORDS = {2: "two", 3: "three"}
# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@")
MAX_ROWS = 1000


class UploadRefused(ValueError):
    """The file as a whole cannot be read: the message says why and what to do."""


@dataclass(frozen=True)
class ParsedRow:
    line: int  # the row number as a spreadsheet shows it (the header is row 1)
    period_start: date | None
    reading: Reading | None
    error: str = ""
    action: str = ""  # "add" | "replace" | "unchanged", once valid
    current: Reading | None = None  # the data it replaces

    @property
    def value(self) -> float | None:
        return self.reading.value if self.reading else None

    @property
    def numerator(self) -> float | None:
        return self.reading.numerator if self.reading else None

    @property
    def denominator(self) -> float | None:
        return self.reading.denominator if self.reading else None


@dataclass
class ParsedUpload:
    rows: list[ParsedRow]
    warnings: list[str] = field(default_factory=list)
    columns: tuple[str, ...] = COLUMNS
    name: str = ""

    def to_session(self) -> dict:
        """The classified rows as plain JSON, for the preview to show and the confirmation to save."""
        return {
            "name": self.name[:100],
            "columns": list(self.columns),
            "warnings": self.warnings,
            "rows": [
                {
                    "period": row.period_start.isoformat(),
                    "reading": _plain(row.reading),
                    "action": row.action,
                    "current": _plain(row.current),
                }
                for row in self.rows
            ],
        }

    @classmethod
    def from_session(cls, stored: dict) -> ParsedUpload:
        rows = [
            ParsedRow(
                k + 2,
                date.fromisoformat(row["period"]),
                Reading(*row["reading"]),
                action=row["action"],
                current=Reading(*row["current"]) if row["current"] else None,
            )
            for k, row in enumerate(stored["rows"])
        ]
        return cls(rows, list(stored["warnings"]), tuple(stored["columns"]), stored["name"])

    @property
    def errors(self) -> list[ParsedRow]:
        return [row for row in self.rows if row.error]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.errors

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


def _plain(reading: Reading | None) -> list | None:
    return None if reading is None else [reading.value, reading.numerator, reading.denominator]


def columns(measure: Measure) -> tuple[str, ...]:
    """The columns an upload of this measure has, and its template and data download start with."""
    values = ("numerator", "denominator") if measure.has_ratio else ("value",)
    return (PERIOD_COLUMNS[measure.frequency], *values)


def _and(words) -> str:
    words = list(words)
    return ", ".join(words[:-1]) + f" and {words[-1]}" if len(words) > 1 else words[0]


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
    table = spreadsheets.read_csv(text, columns=columns, max_rows=MAX_ROWS, row_name="rows")
    return pd.DataFrame(table.rows, columns=table.header, dtype=object)


def _xlsx_frame(data: bytes, columns: int = len(COLUMNS)) -> tuple[pd.DataFrame, list[str]]:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UploadRefused("The selected file is not an Excel workbook (.xlsx). Save it as .xlsx and upload it again")
    table = spreadsheets.read_xlsx(data, columns=columns, max_rows=MAX_ROWS, row_name="rows")
    warnings = []
    if table.has_formulas:
        warnings.append(
            "Some cells contain formulas. They were read as the values Excel last calculated: check them below."
        )
    return pd.DataFrame(table.rows, columns=table.header, dtype=object), warnings


def _parse_date(raw, frequency: str) -> date:
    if isinstance(raw, spreadsheets.FormulaCell):
        raise ValidationError(raw.problem)
    if isinstance(raw, datetime):
        day = raw.date()
    elif isinstance(raw, date):
        day = raw
    elif isinstance(raw, pd.Timestamp):
        day = raw.date()
    else:
        text = str(raw).strip()
        day = _parse_text_date(text, frequency)
    # A month may be given by any of its days: it means the month.
    return kinds.period_start(kinds.MONTHLY, day) if frequency == kinds.MONTHLY else day


def _parse_text_date(text: str, frequency: str) -> date:
    formats = DATE_FORMATS + (MONTH_FORMATS if frequency == kinds.MONTHLY else ())
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if frequency == kinds.MONTHLY:
        raise ValidationError(f"‘{text}’ is not a month. Enter the month as 2026-03 or March 2026")
    what = "the week start" if frequency == kinds.WEEKLY else "the date of the event"
    raise ValidationError(f"‘{text}’ is not a date. Enter {what} as 2026-03-02 or 02/03/2026")


def _parse_number(raw, name: str) -> float:
    if isinstance(raw, spreadsheets.FormulaCell):
        raise ValidationError(raw.problem)
    if isinstance(raw, bool):
        raise ValidationError(f"Enter the {name} as a number")
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):
            raise ValidationError(f"Enter the {name} as a number")
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
        raise ValidationError(f"‘{text[:20]}’ is not a number. Enter the {name} as a number") from None
    if not math.isfinite(value):
        raise ValidationError(f"Enter the {name} as a number")
    return value


def _is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, float) and math.isnan(raw)) or (isinstance(raw, str) and not raw.strip())


def _missing_period(frequency: str) -> str:
    return {kinds.WEEKLY: "Enter the week start date", kinds.MONTHLY: "Enter the month"}.get(
        frequency, "Enter the date of the event"
    )


def _reading(measure: Measure, raw_values: list, label: str) -> Reading:
    names = ("numerator", "denominator") if measure.has_ratio else ("value",)
    if all(_is_blank(raw) for raw in raw_values):
        what = "the numerator and the denominator" if measure.has_ratio else "a value"
        raise ValidationError(f"Enter {what} for {label}, or delete the row")
    numbers = [
        None if _is_blank(raw) else _parse_number(raw, name) for raw, name in zip(raw_values, names, strict=True)
    ]
    return Reading(numerator=numbers[0], denominator=numbers[1]) if measure.has_ratio else Reading(value=numbers[0])


def parse_upload(upload, *, measure: Measure, today: date | None = None) -> ParsedUpload:
    """Read, check and classify every row, once. Raises UploadRefused when the file as a whole is unusable."""
    today = today or timezone.localdate()
    frequency = measure.frequency
    one, many = kinds.NOUNS[frequency]
    wanted = columns(measure)
    frame, warnings = _frame(upload, len(wanted))
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if list(frame.columns[: len(wanted)]) != list(wanted):
        raise UploadRefused(
            f"The first row must name the {COUNT_WORDS.get(len(wanted), len(wanted))} columns: {_and(wanted)} "
            "(download the template)"
        )
    if len(frame) > MAX_ROWS:
        raise UploadRefused(f"The file has {len(frame)} rows. Upload at most {MAX_ROWS} {many} at a time")
    existing = _existing(measure)
    seen: dict[date, int] = {}
    rows = []
    for offset, raw in enumerate(zip(*(frame[name] for name in wanted), strict=True)):
        line = offset + 2
        raw_period, raw_values = raw[0], list(raw[1:])
        if _is_blank(raw_period) and all(_is_blank(value) for value in raw_values):
            continue
        period = reading = None
        try:
            if _is_blank(raw_period):
                raise ValidationError(_missing_period(frequency))
            if isinstance(raw_period, str) and raw_period.strip().startswith(FORMULA_STARTS):
                raise ValidationError(f"‘{raw_period.strip()[:20]}’ would be read as a formula. Enter a date")
            period = _parse_date(raw_period, frequency)
            services.check_period(measure, period, today=today)
            label = kinds.period_label(frequency, period)
            if period in seen:
                raise ValidationError(f"{label[0].upper()}{label[1:]} is also in row {seen[period]}")
            seen[period] = line
            reading = _reading(measure, raw_values, label)
            services.check_reading(measure, period, reading)
        except ValidationError as error:
            rows.append(ParsedRow(line, period, reading, error=" ".join(error.messages)))
            continue
        current = existing.get(period)
        action = "add" if current is None else ("unchanged" if current == reading else "replace")
        rows.append(ParsedRow(line, period, reading, action=action, current=current))
    if not rows:
        raise UploadRefused(f"The file has no {many} in it. Add a row for each {one} under the headings")
    return ParsedUpload(rows, warnings, wanted, getattr(upload, "name", "") or "")


def _existing(measure: Measure) -> dict[date, Reading]:
    points = measure.points.values_list("week_start", "value", "numerator", "denominator")
    return {period: Reading(value, numerator, denominator) for period, value, numerator, denominator in points}


def template_periods(measure: Measure, as_of: date, count: int) -> list[date]:
    """The periods a downloaded template lists: the last complete weeks or months, or the latest events."""
    if measure.frequency == kinds.EVENT:
        return sorted(measure.points.order_by("-week_start").values_list("week_start", flat=True)[:count])
    return sorted(kinds.recent_periods(measure.frequency, as_of, count + 1)[1:])


def template_rows(measure: Measure, periods: list[date]) -> list[list[str]]:
    """One row per period, filled in where the measure already has data, as text for the CSV template."""
    existing = {p: r for p, r in _existing(measure).items() if p in set(periods)}
    rows = []
    for period in sorted(periods):
        reading = existing.get(period)
        if measure.has_ratio:
            cells = [reading.numerator, reading.denominator] if reading else [None, None]
        else:
            cells = [reading.value if reading else None]
        rows.append([period.isoformat(), *("" if cell is None else f"{cell:g}" for cell in cells)])
    return rows


def template_xlsx(measure: Measure, rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{measure.period_noun.capitalize()} data"
    sheet.append(list(columns(measure)))
    for period, *cells in rows:
        sheet.append([date.fromisoformat(period), *(float(cell) if cell else None for cell in cells)])
    for cell in sheet["A"][1:]:
        cell.number_format = "yyyy-mm-dd"
    sheet.column_dimensions["A"].width = 14
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
