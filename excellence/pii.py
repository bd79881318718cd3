"""A guard against patient-identifiable information in free text. Pure Python: no Django.

QI Portal holds no patient-identifiable information, so excellence reports and AI conversations are
checked before they are saved. `find_patient_details(text)` returns the reasons a text is refused
(empty when it is fine). Three things are refused:

1. A valid NHS number: 10 digits, written together or as 3-3-4 with spaces or hyphens, whose check
   digit passes the modulus-11 test (checked by the `nhs-number` package, not by hand). Ten digits
   that fail the check are left alone: they are more likely a phone number or a reference.
2. Something that looks like a hospital (local patient) number: 1 to 3 letters followed by 6 to 8
   digits, with an optional space or hyphen between ("RX1234567", "AB 123456"), or the words
   "MRN", "hospital number", "hosp no" or "patient number" followed by 6 to 10 digits ("MRN 1234567").
3. A date of birth: "DOB", "D.O.B." or "born" followed by a date ("DOB 12/03/1954",
   "born 12.03.1954"), or a day/month/year date right next to a capitalised name, with at most a
   comma, colon or bracket between ("Mrs Smith 12/03/1954", "Arthur Jones, 12-03-1954",
   "12/03/1954 Mrs Smith"). Dates on their own ("on 12/03/2026 the team...") and names a few words
   from a date ("Tom stayed late on 12/03/2026") are allowed: the report asks when it happened.

>>> find_patient_details("Kept the bay calm during a busy night")
[]
>>> find_patient_details("NHS number 943 476 5919")
['It contains what looks like an NHS number (943 476 5919)']
"""

from __future__ import annotations

import re

from nhs_number import is_valid as is_valid_nhs_number

NHS_NUMBER_CANDIDATE = re.compile(r"(?<![\d-])(\d{3}([ -]?)\d{3}\2\d{4})(?![\d-])")
HOSPITAL_NUMBER = re.compile(
    r"\b(?:[A-Z]{1,3}[ -]?\d{6,8}|(?:MRN|hospital\s+(?:no|number)|hosp\.?\s+no|patient\s+(?:no|number))"
    r"\.?:?\s*#?\s*\d{6,10})\b",
    re.IGNORECASE,
)
DATE = r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
DOB_LABELLED = re.compile(rf"\b(?:d\.?o\.?b\.?|date\s+of\s+birth|born)\b[\s:,-]*(?:on\s+)?{DATE}", re.IGNORECASE)
# A capitalised name (optionally with a title) right next to a date, in either order.
NAME = r"(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+)?[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*"
NAME_THEN_DATE = re.compile(rf"\b({NAME})[,:]?\s*\(?{DATE}\b")
DATE_THEN_NAME = re.compile(rf"\b{DATE}\)?[,:]?\s+({NAME})")
# Capitalised words that are not names: sentence openers and the words around dates in ward writing.
_NOT_NAMES = """On In At By From Since Until During After Before The This That We Our Ward Unit Night Day Shift Team
It He She They Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
August September October November December"""
NOT_NAMES = frozenset(_NOT_NAMES.split())


def find_patient_details(text: str) -> list[str]:
    """Why `text` looks like it holds patient details: one reason per kind found, or an empty list."""
    if not text:
        return []
    reasons = []
    for match in NHS_NUMBER_CANDIDATE.finditer(text):
        if is_valid_nhs_number(re.sub(r"[ -]", "", match.group(1))):
            reasons.append(f"It contains what looks like an NHS number ({match.group(1)})")
            break
    match = HOSPITAL_NUMBER.search(text)
    if match:
        reasons.append(f"It contains what looks like a hospital number ({match.group(0)})")
    match = DOB_LABELLED.search(text) or _name_next_to_date(text)
    if match:
        reasons.append(f"It contains what looks like a date of birth next to a name ({match.group(0).strip()})")
    return reasons


def _name_next_to_date(text: str) -> re.Match | None:
    for pattern in (NAME_THEN_DATE, DATE_THEN_NAME):
        for match in pattern.finditer(text):
            # "Oak Ward 12/03/2026" or "On 12/03/2026" is a place or a sentence, not a person.
            if not NOT_NAMES.intersection(re.split(r"[ -]", match.group(1))):
                return match
    return None


def contains_patient_details(text: str) -> bool:
    return bool(find_patient_details(text))
