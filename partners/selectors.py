"""Reads of the partners app: scoped to the partner asking."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from partners.models import Partner, SyncJob, SyncReceipt


def job_for_partner(*, partner: Partner, job_id: int) -> SyncJob:
    """The partner's own job; another partner's job and a missing one are both 404."""
    job = SyncJob.objects.defer("payload").filter(pk=job_id, partner=partner).first()
    if job is None:
        raise Http404
    return job


def job_receipts(*, job: SyncJob, outcome: str | None = None) -> QuerySet[SyncReceipt]:
    """The job's receipts in record order, optionally of one outcome."""
    receipts = SyncReceipt.objects.filter(job=job).order_by("index")
    if outcome is not None:
        receipts = receipts.filter(outcome=outcome)
    return receipts
