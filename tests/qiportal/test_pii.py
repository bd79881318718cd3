"""The patient-details guard (qiportal.pii): every way of writing an identifier an outside probe tried, and the
ordinary ward writing that must still pass."""

import pytest
from django.core.exceptions import ValidationError
from nhs_number import generate

from qiportal.pii import find_patient_details, no_patient_details

VALID = "9434765919"  # a published test number whose check digit passes modulus 11


def _kinds(text: str) -> set[str]:
    reasons = " ".join(find_patient_details(text))
    return {kind for kind in ("NHS number", "hospital number", "date of birth") if kind in reasons}


@pytest.mark.parametrize(
    "text",
    [
        f"NHS number {VALID}",
        "NHS no. 943 476 5919 was on the wristband",
        "943-476-5919",
        # The variants that got through before (issue 16, item 2).
        "943.476.5919",
        "943 4765 919",
        "94 34 76 59 19",
        "943\u200b476\u200b5919",  # zero-width spaces: looks like 9434765919 on screen
        "943\u200c476\u2060591\u00ad9",  # other invisible joiners and a soft hyphen
        "943\u00a0476\u00a05919",  # no-break spaces
        "943\u202f476\u20075919",  # narrow no-break and figure spaces
        "943  476  5919",
        "943 476\n5919",
        "943\r\n476\r\n5919",
        "943\u2013476\u20135919",  # en dashes
        "943 \u2014 476 \u2014 5919",  # em dashes with spaces
        "943\u2212476\u22125919",  # minus signs
        "943/476/5919",
        "9 4 3 4 7 6 5 9 1 9",
        "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",  # full-width digits
        "Patient (NHS 943 476 5919) was anxious",
        *(f"number {n[:3]} {n[3:6]} {n[6:]}" for n in generate(quantity=3)),
    ],
)
def test_a_valid_nhs_number_is_refused_however_it_is_written(text):
    assert "NHS number" in _kinds(text)


@pytest.mark.parametrize(
    "text",
    ["943 476 5918", "9434765910", "ring 0123456789 for the bleep holder", "94347659", "19434765919"],
)
def test_ten_digits_that_fail_the_check_digit_are_allowed(text):
    assert "NHS number" not in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "patient RX1234567 in bay 2",
        "MRN 1234567",
        "hospital number: 12345678",
        "AB-123456",
        "RX 123 4567",
        "MRN: 12-34-567",
        "hosp no RX/1234567",
        "Hosp. No. 123 4567",
        "patient number 12/34/567",
        "mrn\u00a01234567",
    ],
)
def test_hospital_numbers_are_refused(text):
    assert "hospital number" in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "DOB 12/03/1954",
        "born 12.03.1954 and lives alone",
        "Mrs Smith 12/03/1954 was anxious",
        "Arthur Jones, 12-03-1954",
        "DOB: 12 March 1954",
        "born on 12th March 1954",
        "date of birth 1954-03-12",
        "Arthur Jones 12 March 1954",
        "D O B 12/03/1954",
        "D.O.B. 12/03/1954",
        "dob 12th of March 1954",
        "Date of birth: March 12, 1954",
        "birth date 12-Mar-1954",
        "12/03/1954 Mrs Smith",
        "The patient, Arthur Jones (12 March 1954), was frightened",
    ],
)
def test_a_date_of_birth_after_a_cue_or_next_to_a_name_is_refused(text):
    assert "date of birth" in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "On 12/03/2026 the team stayed late",
        "Tom stayed late on 12/03/2026 to finish the discharge",
        "Oak Ward 12/03/2026 was very busy",
        "Bed 12 at 10.30 needed help",
        "Kept the bay calm during a busy night",
        # A ward phone extension, a ward number, plain counts and bed numbers.
        "Ring the ward on ext 4567 or bleep 1234",
        "Ward phone 01632 960 123",
        "12 patients were seen, 3 fell and 1 was harmed",
        "Bed 14 in bay 3, then bed 22",
        "We saw 1,234 patients in Q1 2026",
        # Ordinary dates of events, with times, ranges and ordinals.
        "The audit ran from 2 March 2026 to 9 March 2026",
        "Since 1st April 2025 falls fell by a third",
        "12/03/2026 10.30 handover went well",
        "From 02/03/2026-09/03/2026 the huddle moved",
        "2026-03-02 to 2026-03-09",
        "Week starting 2 March 2026: 14 falls",
        "Falls 12/03/2026",
        "Monday 2 March 2026",
        "Priya Shah ran the huddle on 12 March 2026",
        "FY 2025/26 budget",
        "Scores went from 3.5 to 4.2",
    ],
)
def test_ordinary_ward_writing_is_allowed(text):
    assert find_patient_details(text) == []


def test_the_validator_says_what_to_remove_and_what_it_found():
    with pytest.raises(ValidationError) as refused:
        no_patient_details("Helped the patient with NHS number 943\u200b476\u200b5919 to eat.")
    message = refused.value.messages[0]
    assert message.startswith("Remove the patient details.")
    assert "NHS number: ‘9434765919’" in message
    no_patient_details("Kept the bay calm")  # nothing raised
