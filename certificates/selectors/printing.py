"""Reads for bulk printing and the pre-2019 history: scoped QuerySets."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.api import Organisation, Person, bound_now
from certificates.models import BulkPrintJob, HistoricCertificate, HistoricRecord


def organisation_print_jobs(organisation: Organisation) -> QuerySet[BulkPrintJob]:
    """The organisation's bulk print jobs, newest first (without their id lists)."""
    return (
        BulkPrintJob.objects.filter(organisation=organisation)
        .select_related("requested_by")
        .defer("certificate_ids")
    )


def _staff_id_numbers(employer: Organisation) -> QuerySet[Person, Any]:
    return Person.objects.filter(bound_now(employer.pk, person_ref="pk")).values("id_number")


def person_historic_certificates(person: Person) -> QuerySet[HistoricCertificate]:
    return HistoricCertificate.objects.filter(id_number=person.id_number)


def person_historic_records(person: Person) -> QuerySet[HistoricRecord]:
    return HistoricRecord.objects.filter(id_number=person.id_number)


def employer_historic_certificates(employer: Organisation) -> QuerySet[HistoricCertificate]:
    """Old-system certificates of the persons ``employer`` employs now."""
    return HistoricCertificate.objects.filter(id_number__in=_staff_id_numbers(employer)).order_by(
        "person_name", "id_number", "-year"
    )


def employer_historic_records(employer: Organisation) -> QuerySet[HistoricRecord]:
    """Old-system CE records of the persons ``employer`` employs now."""
    return HistoricRecord.objects.filter(id_number__in=_staff_id_numbers(employer)).order_by(
        "person_name", "id_number", "-year", "-start_date"
    )
