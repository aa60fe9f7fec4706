"""Bulk print tasks (queue ``certificates``, see CELERY_TASK_ROUTES): ids in, one service."""

from __future__ import annotations

from celery import shared_task

from certificates.services.bulk_print import bulk_print_chunk, bulk_print_finish


@shared_task(acks_late=True, reject_on_worker_lost=True)
def bulk_print_chunk_task(job_id: int, index: int) -> bool:
    return bulk_print_chunk(job_id=job_id, index=index)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def bulk_print_finish_task(job_id: int) -> bool:
    return bulk_print_finish(job_id=job_id)
