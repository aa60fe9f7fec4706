"""Validators for the national identifiers the portal accepts.

- ID number (公民身份号码): GB 11643-1999, 18 characters, ISO 7064 MOD 11-2 check character,
  birth date at positions 7-14 that must be a real date between 1900-01-01 and today.
- USCC (统一社会信用代码): GB 32100-2015, 18 characters from a 31-character alphabet,
  a six-digit administrative division code at positions 3-8, and a MOD 31 check character.
- Mobile phone numbers: mainland 11-digit numbers starting 13-19.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_USCC_RE = re.compile(rf"^[{USCC_ALPHABET}]{{2}}\d{{6}}[{USCC_ALPHABET}]{{10}}$")

_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


def id_number_check_char(first17: str) -> str:
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def validate_id_number(value: str, *, today: dt.date | None = None) -> None:
    value = normalise_id_number(value)
    if not _ID_RE.match(value):
        raise ValidationError(
            _("An ID number has 17 digits followed by a digit or X."), code="id_format"
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date inside this ID number is not a real date."), code="id_birth"
        ) from None
    today = today or timezone.localdate()
    if not dt.date(1900, 1, 1) <= birth <= today:
        raise ValidationError(
            _("The birth date inside this ID number is not plausible."), code="id_birth"
        )
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character of this ID number is wrong; please check for typos."),
            code="id_check",
        )


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalise_uscc(value: str) -> str:
    return value.strip().upper()


def validate_uscc(value: str) -> None:
    value = normalise_uscc(value)
    if not _USCC_RE.match(value):
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters: digits and capital letters "
                "except I, O, Z, S and V."
            ),
            code="uscc_format",
        )
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong."),
            code="uscc_check",
        )


def validate_phone(value: str) -> None:
    if not _PHONE_RE.match(value.strip()):
        raise ValidationError(
            _("Enter an 11-digit mobile number starting with 13 to 19."), code="phone"
        )


def mask_id_number(value: str) -> str:
    """An ID number for exports and other copies that leave the portal: the region (first 6)
    and the last 4 characters stay, the birth date and sequence between are hidden.

    ``440106199001011234`` → ``440106********1234``; values too short to keep both ends
    show only their last 2 characters.
    """
    value = value or ""
    if len(value) >= 12:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if len(value) > 2:
        return "*" * (len(value) - 2) + value[-2:]
    return "*" * len(value)
