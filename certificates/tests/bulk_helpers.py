"""Helpers of the bulk print tests: certificates with real signed PDFs, without credits."""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

from accounts.models import Organisation, Person
from certificates.models import Certificate
from certificates.services.issuing import _attach_pdf
from tests.factories import bind, person_create

YEAR = 2024


def certificate_make(
    person: Person, employer: Organisation | None, *, year: int = YEAR, status: str = "valid"
) -> Certificate:
    """A certificate of ``person`` with its rendered and signed PDF stored."""
    serial = Certificate.objects.count() + 1
    certificate = Certificate.objects.create(
        number=f"{year}-440100-{person.pk:06d}{serial:03d}",
        check_code="ABCD2345",
        person=person,
        year=year,
        employer=employer,
        person_name=person.real_name,
        masked_id_number=person.masked_id_number,
        employer_name=employer.name if employer else "",
        status=status,
        revoked_at=None,
        hours={"public": {"required": "12.0", "earned": "14.0"}},
        records=[],
    )
    _attach_pdf(certificate)
    return certificate


def staff_make(employer: Organisation, count: int) -> list[Person]:
    persons = []
    for _ in range(count):
        person = person_create()
        bind(person, employer)
        persons.append(person)
    return persons


def zip_entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def pdf_pages(data: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader: Any = PdfFileReader(BytesIO(data), strict=False)
    return int(reader.root["/Pages"]["/Count"])
