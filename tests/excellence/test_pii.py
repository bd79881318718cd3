import pytest
from nhs_number import generate

from excellence.pii import find_patient_details

VALID = "9434765919"  # a published test number whose check digit passes modulus 11


@pytest.mark.parametrize(
    "text",
    [
        f"NHS number {VALID}",
        "NHS no. 943 476 5919 was on the wristband",
        "943-476-5919",
        *(f"number {n[:3]} {n[3:6]} {n[6:]}" for n in generate(quantity=3)),
    ],
)
def test_a_valid_nhs_number_is_refused_with_or_without_spaces(text):
    reasons = find_patient_details(text)
    assert reasons and "NHS number" in reasons[0]


@pytest.mark.parametrize("text", ["943 476 5918", "9434765910", "ring 0123456789 for the bleep holder", "94347659"])
def test_ten_digits_that_fail_the_check_digit_are_allowed(text):
    assert not any("NHS number" in reason for reason in find_patient_details(text))


@pytest.mark.parametrize(
    "text", ["patient RX1234567 in bay 2", "MRN 1234567", "hospital number: 12345678", "AB-123456"]
)
def test_hospital_numbers_are_refused(text):
    assert any("hospital number" in reason for reason in find_patient_details(text))


@pytest.mark.parametrize(
    "text",
    [
        "DOB 12/03/1954",
        "born 12.03.1954 and lives alone",
        "Mrs Smith 12/03/1954 was anxious",
        "Arthur Jones, 12-03-1954",
    ],
)
def test_a_date_of_birth_next_to_a_name_is_refused(text):
    assert any("date of birth" in reason for reason in find_patient_details(text))


@pytest.mark.parametrize(
    "text",
    [
        "On 12/03/2026 the team stayed late",
        "Tom stayed late on 12/03/2026 to finish the discharge",
        "Oak Ward 12/03/2026 was very busy",
        "Bed 12 at 10.30 needed help",
        "Kept the bay calm during a busy night",
    ],
)
def test_ordinary_report_text_is_allowed(text):
    assert find_patient_details(text) == []
