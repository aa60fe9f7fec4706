"""Background work of the partners app (the ``sync`` queue): thin tasks that call a service."""

from __future__ import annotations

from celery import shared_task

from partners.services.idempotency import idempotency_purge
from partners.services.sync import job_chunk_process


@shared_task
def sync_chunk_run(job_id: int, chunk: int) -> None:
    """Process one chunk of a big push; safe to run twice (``acks_late``)."""
    job_chunk_process(job_id=job_id, chunk=chunk)


@shared_task
def idempotency_purge_task() -> int:
    """Delete idempotency keys older than ``PARTNER_IDEMPOTENCY_TTL`` hours."""
    return idempotency_purge()
