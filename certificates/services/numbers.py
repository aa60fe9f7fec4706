"""Certificate numbers (``<year>-<region>-<serial>``) and check codes (decision 0010)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import F

from certificates.models import CertificateSeries

PROVINCE_REGION = "440000"  # Guangdong: persons without a confirmed employer
CHECK_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I/L look-alikes
CHECK_LENGTH = 8


def check_code_new() -> str:
    """Eight random characters (40 bits), unrelated to the number."""
    return "".join(secrets.choice(CHECK_ALPHABET) for _ in range(CHECK_LENGTH))


def number_format(year: int, region_code: str, serial: int) -> str:
    return f"{year}-{region_code}-{serial:06d}"


@transaction.atomic
def number_allocate(*, year: int, region_code: str) -> str:
    """The next number of the year and region; the series row is locked until the caller's
    transaction ends, so two issuers never get the same serial and none is reused."""
    CertificateSeries.objects.bulk_create(
        [CertificateSeries(year=year, region_code=region_code)], ignore_conflicts=True
    )
    CertificateSeries.objects.filter(year=year, region_code=region_code).update(
        last_serial=F("last_serial") + 1
    )
    serial = CertificateSeries.objects.values_list("last_serial", flat=True).get(
        year=year, region_code=region_code
    )
    return number_format(year, region_code, serial)
