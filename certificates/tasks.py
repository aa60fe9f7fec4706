"""Background work of the certificates app (queue ``certificates``, see CELERY_TASK_ROUTES):
thin, idempotent tasks, ids in, one service each: issuing after a summary change and bulk
printing in chunks."""

from __future__ import annotations

from celery import shared_task
from django.db import IntegrityError

from certificates.services import certificate_reconcile
from certificates.services.bulk_print import (
    bulk_print_chunk,
    bulk_print_cleanup,
    bulk_print_finish,
)

RECONCILE_CHUNK = 200  # person-years per task
# A change of many person-years (a whole-year validation) is sent as few messages of this
# size, each split into RECONCILE_CHUNK tasks by a worker: the validation run, which sends
# them after its commit, does not wait for hundreds of broker round trips.
FANOUT_CHUNK = 20_000


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certificates_reconcile_task(pairs: list[list[int]]) -> None:
    """Issue or revoke the certificates of the given [person_id, year] pairs as their stored
    summaries say.  Safe to run twice or on two workers at once (decision 0010)."""
    for person_id, year in pairs:
        try:
            certificate_reconcile(person_id=person_id, year=year)
        except IntegrityError:
            # Another worker issued it between our look and our insert (the one-valid index
            # refused ours): look again, which now finds the valid certificate.
            certificate_reconcile(person_id=person_id, year=year)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def certificates_reconcile_fanout_task(year: int, person_ids: list[int]) -> None:
    """Queue the reconciliation of many persons' ``year``, RECONCILE_CHUNK person-years a
    task (a retry queues them again: reconciling is idempotent)."""
    for start in range(0, len(person_ids), RECONCILE_CHUNK):
        chunk = person_ids[start : start + RECONCILE_CHUNK]
        certificates_reconcile_task.delay([[person_id, year] for person_id in chunk])


@shared_task(acks_late=True, reject_on_worker_lost=True)
def bulk_print_chunk_task(job_id: int, index: int) -> bool:
    return bulk_print_chunk(job_id=job_id, index=index)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def bulk_print_finish_task(job_id: int) -> bool:
    return bulk_print_finish(job_id=job_id)


@shared_task
def bulk_print_cleanup_task() -> int:
    """Celery beat, hourly (CELERY_BEAT_SCHEDULE): delete expired bulk print files."""
    return bulk_print_cleanup()
