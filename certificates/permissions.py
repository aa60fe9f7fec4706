"""Fetching a certificate or a bulk print job for a user: someone else's, or a missing one,
is a 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.api import Organisation, Person
from certificates.models import BulkPrintJob, Certificate
from certificates.selectors.certificates import employer_certificates, office_certificates


def get_own_certificate(person: Person, certificate_id: int) -> Certificate:
    return get_object_or_404(Certificate.objects.all(), pk=certificate_id, person=person)


def org_certificates(organisation: Organisation):
    """The certificates an employer (its staff's now) or an HRSS office (its region's) sees."""
    if organisation.kind == Organisation.Kind.HRSS:
        return office_certificates(organisation)
    return employer_certificates(organisation)


def get_certificate_for_org(organisation: Organisation, certificate_id: int) -> Certificate:
    return get_object_or_404(
        org_certificates(organisation).select_related("person"), pk=certificate_id
    )


def get_print_job_for_org(organisation: Organisation, job_id: int) -> BulkPrintJob:
    return get_object_or_404(
        BulkPrintJob.objects.select_related("organisation"), pk=job_id, organisation=organisation
    )
