"""Reads of the partners app: scoped to the partner asking."""

from __future__ import annotations

from django.db.models import QuerySet

from partners.models import SyncJob, SyncReceipt


def job_receipts(*, job: SyncJob, outcome: str | None = None) -> QuerySet[SyncReceipt]:
    """The job's receipts in record order, optionally of one outcome."""
    receipts = SyncReceipt.objects.filter(job=job).order_by("index")
    if outcome is not None:
        receipts = receipts.filter(outcome=outcome)
    return receipts
