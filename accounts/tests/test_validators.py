"""The national identifiers: ID number (GB 11643-1999), USCC (GB 32100-2015), mobile phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.demo import demo_id_number, demo_uscc
from accounts.validators import (
    id_number_check_char,
    uscc_check_char,
    validate_id_number,
    validate_phone,
    validate_uscc,
)

# Published examples, so the check-character arithmetic is not only compared with itself.
GB_11643_EXAMPLE = "11010519491231002X"  # the example in GB 11643-1999 itself
GB_32100_EXAMPLE = "91350100M000100Y43"  # a widely published valid credit code


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are matched in the source language (the site's default is Chinese)."""
    with translation.override("en"):
        yield


def _code(exc: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return exc.value.code


# --- ID number ---------------------------------------------------------------------------------


def test_id_number_check_char_matches_the_standard_example() -> None:
    assert id_number_check_char(GB_11643_EXAMPLE[:17]) == "X"


@pytest.mark.parametrize(
    "value",
    [
        GB_11643_EXAMPLE,
        GB_11643_EXAMPLE.lower(),  # a lower-case x is accepted (normalised)
        f" {GB_11643_EXAMPLE} ",  # surrounding blanks are ignored
        demo_id_number("19880312", 1),
        demo_id_number("20000229", 7),  # leap day
        demo_id_number("19000101", 3),  # earliest plausible birth date
    ],
)
def test_valid_id_numbers_are_accepted(value: str) -> None:
    validate_id_number(value)


def test_id_number_with_wrong_check_char_is_refused() -> None:
    valid = demo_id_number("19880312", 1)
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    with pytest.raises(ValidationError, match="check character") as exc:
        validate_id_number(wrong)
    assert _code(exc) == "id_check"


def test_standard_example_with_a_digit_instead_of_x_is_refused() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_id_number(GB_11643_EXAMPLE[:17] + "1")
    assert _code(exc) == "id_check"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "11010519491231002",  # 17 characters
        "11010519491231002X1",  # 19 characters
        "1101051949123100X2",  # X not at the end
        "11010519491231002Y",  # check character neither digit nor X
        "1101051949123A002X",  # letter inside
        "110105 1949123100X",
    ],
)
def test_malformed_id_numbers_are_refused(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_id_number(value)
    assert _code(exc) == "id_format"


@pytest.mark.parametrize(
    "birth",
    ["19991332", "19990230", "19000229", "19990001", "19990100"],
    ids=["month-13", "feb-30", "1900-not-leap", "month-0", "day-0"],
)
def test_id_number_with_impossible_birth_date_is_refused(birth: str) -> None:
    # The check character is right, so only the date can be what is refused.
    with pytest.raises(ValidationError, match="not a real date") as exc:
        validate_id_number(demo_id_number(birth, 1))
    assert _code(exc) == "id_birth"


def test_id_number_born_before_1900_is_refused() -> None:
    with pytest.raises(ValidationError, match="not plausible") as exc:
        validate_id_number(demo_id_number("18991231", 1))
    assert _code(exc) == "id_birth"


def test_id_number_born_in_the_future_is_refused() -> None:
    today = dt.date(2025, 6, 15)
    validate_id_number(demo_id_number("20250615", 1), today=today)  # born today: fine
    with pytest.raises(ValidationError, match="not plausible") as exc:
        validate_id_number(demo_id_number("20250616", 1), today=today)
    assert _code(exc) == "id_birth"


@time_machine.travel(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC), tick=False)
def test_id_number_future_is_judged_against_the_local_date_by_default() -> None:
    # 2030-01-01 12:00 UTC is 20:00 in Shanghai: still 1 January there.
    validate_id_number(demo_id_number("20300101", 1))
    with pytest.raises(ValidationError) as exc:
        validate_id_number(demo_id_number("20300102", 1))
    assert _code(exc) == "id_birth"


def test_far_future_birth_date_is_refused_without_freezing_time() -> None:
    with pytest.raises(ValidationError) as exc:
        validate_id_number(demo_id_number("29990101", 1))
    assert _code(exc) == "id_birth"


# --- USCC ----------------------------------------------------------------------------------------


def test_uscc_check_char_matches_a_published_code() -> None:
    assert uscc_check_char(GB_32100_EXAMPLE[:17]) == GB_32100_EXAMPLE[17]


@pytest.mark.parametrize(
    "value",
    [
        GB_32100_EXAMPLE,
        GB_32100_EXAMPLE.lower(),  # normalised to capitals
        f" {GB_32100_EXAMPLE} ",
        demo_uscc(1),
        demo_uscc(12345),
        demo_uscc(9999999),
    ],
)
def test_valid_usccs_are_accepted(value: str) -> None:
    validate_uscc(value)


def test_uscc_with_wrong_check_char_is_refused() -> None:
    valid = demo_uscc(1)
    wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
    with pytest.raises(ValidationError, match="check character") as exc:
        validate_uscc(wrong)
    assert _code(exc) == "uscc_check"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
@pytest.mark.parametrize("position", [0, 9, 17], ids=["first", "body", "check"])
def test_uscc_with_forbidden_letter_is_refused(letter: str, position: int) -> None:
    valid = demo_uscc(1)
    value = valid[:position] + letter + valid[position + 1 :]
    with pytest.raises(ValidationError, match="except I, O, Z, S and V") as exc:
        validate_uscc(value)
    assert _code(exc) == "uscc_format"


@pytest.mark.parametrize(
    "value",
    [
        "",
        demo_uscc(1)[:17],  # 17 characters
        demo_uscc(1) + "0",  # 19 characters
        "91A40101MA00000010",  # a letter in the six-digit division code
        "91440101MA-0000001",
    ],
    ids=["empty", "17-chars", "19-chars", "letter-in-division-code", "punctuation"],
)
def test_malformed_usccs_are_refused(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert _code(exc) == "uscc_format"


# --- Phone -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["13012345678", "15912345678", "19912345678", " 13812345678 "])
def test_valid_mobile_numbers_are_accepted(value: str) -> None:
    validate_phone(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "12812345678",  # second digit below 3
        "23812345678",  # not starting with 1
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "+8613812345678",
        "138-1234-5678",
        "1381234567a",
        "020-12345678",  # a landline
    ],
)
def test_invalid_mobile_numbers_are_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="11-digit mobile number") as exc:
        validate_phone(value)
    assert _code(exc) == "phone"
