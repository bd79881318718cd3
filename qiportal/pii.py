"""The one guard against patient-identifiable information in free text, for every field a person types.

QI Portal holds no patient-identifiable information. `find_patient_details(text)` returns the reasons a text
is refused (empty when it is fine); `no_patient_details` is the same check as a Django validator, which the
models' free-text fields and `qiportal.forms.PatientSafeFormMixin` attach to every such field.

The text is normalised before it is read, because the same identifier can be written many ways that look
alike on screen: Unicode NFKC (full-width digits become digits, no-break spaces become spaces), format and
combining characters dropped (zero-width spaces and joiners, soft hyphens), and every kind of dash read as
a hyphen. Then three things are refused:

1. A valid NHS number: any 10 digits, together or in groups split by runs of spaces, line breaks, dots,
   slashes or dashes ("943 476 5919", "943.476.5919", "94 34 76 59 19", "9 4 3 4 7 6 5 9 1 9"), whose
   check digit passes the modulus-11 test (the `nhs-number` package). Ten digits that fail the check are
   left alone: they are more likely a phone number or a reference. A date such as 12/03/2026 is never read
   as part of one, so a date followed by a time or a count is not an NHS number.
2. A hospital (local patient) number: after a cue ("MRN", "hospital number", "hosp no", "patient number",
   "unit number", "PAS number") 5 to 10 digits, with or without letters first and with spaces, slashes or
   hyphens inside ("MRN: 12-34-567", "hosp no RX/1234567"); or without a cue, 1 to 3 capital letters then
   6 to 8 digits ("RX1234567", "RX 123 4567", "AB-123456"). A financial year ("FY 2025/26") is not one.
3. A date of birth: a date (12/03/1954, 12 March 1954, 12th of March 1954, March 12, 1954 or 1954-03-12)
   after a birth cue ("DOB", "D.O.B.", "D O B", "date of birth", "born", "birth date"), or right next to a
   capitalised name, with at most a comma, colon or bracket between ("Arthur Jones 12 March 1954",
   "12/03/1954 Mrs Smith"). Dates on their own ("on 12 March 2026 the team...") and names a few words from
   a date ("Tom stayed late on 12/03/2026") are allowed: reports ask when things happened.

>>> find_patient_details("Kept the bay calm during a busy night, ext 4567")
[]
>>> find_patient_details("NHS number 943\\u200b476\\u200b5919")
['It contains what looks like an NHS number: ‘9434765919’.']
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from nhs_number import is_valid as is_valid_nhs_number

# Every dash a keyboard, a word processor or a phone produces; NFKC already maps the full-width and small ones.
DASHES = re.compile(r"[\u2010-\u2015\u2212\u2043\ufe58\ufe63\uff0d]")
# Dropped before reading: format characters (zero-width space, joiners, BOM, soft hyphen) and stray combining marks.
INVISIBLE = frozenset(("Cf", "Mn", "Me"))
SEPARATOR = r"[\s./\\-]+"
DIGIT_RUN = re.compile(rf"\d+(?:{SEPARATOR}\d+)*")

# Dates that are never part of an NHS number: day/month/year with one separator repeated, or year-month-day.
NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)")
ISO_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)([/.-])(\d{1,2})\2(\d{1,2})(?!\d)")

MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
DAY = r"\d{1,2}(?:st|nd|rd|th)?"
DATE_SEPARATOR = r"\s*[\s/.-]\s*"
# One date, any of the ways people write one: case-insensitive inside, so a capitalised name may sit beside it.
DATE = (
    r"(?i:"
    rf"(?<!\d)\d{{1,2}}{DATE_SEPARATOR}\d{{1,2}}{DATE_SEPARATOR}(?:\d{{4}}|\d{{2}})(?!\d)"
    rf"|(?<!\d)(?:19|20)\d\d{DATE_SEPARATOR}\d{{1,2}}{DATE_SEPARATOR}\d{{1,2}}(?!\d)"
    rf"|(?<!\d){DAY}(?:\s+of)?[\s-]+{MONTH}[\s,-]+\d{{4}}(?!\d)"
    rf"|\b{MONTH}\s+{DAY},?\s+\d{{4}}(?!\d)"
    r")"
)
BIRTH_CUE = r"(?i:\bd\W{0,2}o\W{0,2}b\b\.?|\bdate\s+of\s+birth\b|\bbirth\s*date\b|\bborn\b)"
DOB_LABELLED = re.compile(rf"{BIRTH_CUE}[\s:,.(-]*(?:(?i:on|is|was|of|the)\s+){{0,2}}{DATE}")

# A name right next to a date, in either order: a title and a name ("Mrs Smith"), or two or more capitalised
# words ("Arthur Jones"). One capitalised word is too often a sentence's first ("Falls 12/03/2026").
TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?"
NAME_WORD = r"[A-Z][A-Za-z'’]*[a-z]"
NAME = rf"(?:{TITLE}\s+)?{NAME_WORD}(?:[ -]{NAME_WORD})*"
NAME_THEN_DATE = re.compile(rf"\b({NAME})[,:]?\s*\(?{DATE}")
DATE_THEN_NAME = re.compile(rf"{DATE}\)?[,:]?\s+({NAME})")
# Capitalised words that are not names: sentence openers and the words around dates in ward writing.
_NOT_NAMES = """On In At By From Since Until Till To During After Before Between The This That These Those We Our Us
It He She They His Her Their Its And But Or So Then Today Yesterday Tomorrow Tonight Last Next Every Each Week Weekend
Month Year Day Night Morning Afternoon Evening Shift Date Dated Due Started Ended Began Held Audit Huddle Meeting
Board Review Cycle Ward Unit Bay Bed Team Trust Hospital Clinic Theatre Directorate Site Service Session Training
Teaching Launch Rota Event Christmas Easter New Bank Holiday Monday Tuesday Wednesday Thursday Friday Saturday Sunday
January February March April May June July August September October November December Jan Feb Mar Apr Jun Jul Aug
Sep Sept Oct Nov Dec"""
NOT_NAMES = frozenset(_NOT_NAMES.split())

HOSPITAL_CUE = (
    r"(?i:\bmrn\b|\bhospital\s+(?:no|number|num)\b|\bhosp\.?\s*(?:no|number|num)\b"
    r"|\bpatient\s+(?:no|number|num|id)\b|\bunit\s+(?:no|number)\b|\bpas\s+(?:no|number)\b)"
)
HOSPITAL_NUMBER_CUED = re.compile(
    rf"{HOSPITAL_CUE}\.?\s*[:#.]?\s*(?:[A-Za-z]{{1,3}}[\s/.-]?)?(\d+(?:[\s/-]\d+)*)(?!\d)",
)
HOSPITAL_NUMBER_SHAPE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,3}[\s/-]?(\d{3,}(?:[\s/-]\d+)*)(?![\d])")
FINANCIAL_YEAR = re.compile(r"^(?:19|20)\d\d[/-](?:\d\d|(?:19|20)\d\d)$")


def normalise(text: str) -> str:
    """The text as it is read: NFKC, without invisible characters, every dash a hyphen."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) not in INVISIBLE)
    return DASHES.sub("-", text)


def _real_date(day: str, month: str, year: str = "2000") -> bool:
    try:
        date(int(year) if len(year) == 4 else 2000, int(month), int(day))
    except ValueError:
        return False
    return True


def _mask_dates(text: str) -> str:
    """Dates blanked out (same length, so positions still match the text) before NHS numbers are sought."""

    def blank(match: re.Match) -> str:
        return "#" * len(match.group(0))

    text = ISO_DATE.sub(lambda m: blank(m) if _real_date(m.group(4), m.group(3)) else m.group(0), text)
    return NUMERIC_DATE.sub(lambda m: blank(m) if _real_date(m.group(1), m.group(3)) else m.group(0), text)


def _nhs_number(text: str) -> str | None:
    masked = _mask_dates(text)
    for run in DIGIT_RUN.finditer(masked):
        groups = list(re.finditer(r"\d+", run.group(0)))
        for first in range(len(groups)):
            digits = ""
            for last in range(first, len(groups)):
                digits += groups[last].group(0)
                if len(digits) >= 10:
                    break
            if len(digits) == 10 and is_valid_nhs_number(digits):
                return digits
    return None


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _hospital_number(text: str) -> str | None:
    for match in HOSPITAL_NUMBER_CUED.finditer(text):
        if 5 <= _digits(match.group(1)) <= 10:
            return match.group(0)
    for match in HOSPITAL_NUMBER_SHAPE.finditer(text):
        digits = match.group(1)
        if 6 <= _digits(digits) <= 8 and not FINANCIAL_YEAR.match(digits):
            return match.group(0)
    return None


def _is_a_name(words: list[str]) -> bool:
    """A title and a name, or two or more name words, once sentence words in front are set aside."""
    while words and words[0] in NOT_NAMES:
        words = words[1:]
    if not words or NOT_NAMES.intersection(words):
        return False  # "Oak Ward 12/03/2026" is a place, "On 12 March 2026" a sentence
    return len(words) >= 2


def _date_of_birth(text: str) -> str | None:
    match = DOB_LABELLED.search(text)
    if match:
        return match.group(0)
    for pattern in (NAME_THEN_DATE, DATE_THEN_NAME):
        for match in pattern.finditer(text):
            if _is_a_name(re.split(r"[\s-]+", match.group(1).replace(".", ""))):
                return match.group(0)
    return None


def find_patient_details(text: str) -> list[str]:
    """Why `text` looks like it holds patient details: one reason per kind found, or an empty list."""
    if not text:
        return []
    text = normalise(text)
    reasons = []
    found = _nhs_number(text)
    if found:
        reasons.append(f"It contains what looks like an NHS number: ‘{found}’.")
    found = _hospital_number(text)
    if found:
        reasons.append(f"It contains what looks like a hospital number: ‘{' '.join(found.split())}’.")
    found = _date_of_birth(text)
    if found:
        reasons.append(f"It contains what looks like a date of birth: ‘{' '.join(found.split())}’.")
    return reasons


def contains_patient_details(text: str) -> bool:
    return bool(find_patient_details(text))


def patient_details_message(reasons: list[str]) -> str:
    """The one message every free-text field shows: what to do, then what was found."""
    return "Remove the patient details. " + " ".join(reasons) + " Describe what happened without them."


def no_patient_details(value) -> None:
    """Django validator for every free-text field a person types (models and forms)."""
    reasons = find_patient_details(value if isinstance(value, str) else "")
    if reasons:
        raise ValidationError(patient_details_message(reasons), code="patient_details")
