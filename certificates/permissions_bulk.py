"""Fetching a bulk print job for an organisation: another organisation's is a 404."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.api import Organisation
from certificates.models import BulkPrintJob


def get_print_job_for_org(organisation: Organisation, job_id: int) -> BulkPrintJob:
    return get_object_or_404(
        BulkPrintJob.objects.select_related("organisation"), pk=job_id, organisation=organisation
    )
