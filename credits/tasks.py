"""Background work of the credits app: thin tasks that load ids and call a service."""

from __future__ import annotations

from celery import shared_task

from credits.models import ImportJob, ReviewJob
from credits.services.entry import import_job_process
from credits.services.reviews import review_job_process
from credits.services.validation import summaries_refresh


@shared_task
def review_job_run(job_id: int) -> None:
    """Run (or continue) a batch review; safe to run twice (``acks_late``)."""
    job = ReviewJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    review_job_process(job=job)


@shared_task
def import_job_run(job_id: int) -> None:
    """Check and import an employer's sheet; safe to run twice (``acks_late``)."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    import_job_process(job=job)


@shared_task
def summaries_refresh_task(pairs: list[list[int]]) -> None:
    """Recompute the given [person_id, year] summaries (idempotent: it recomputes from rows)."""
    by_year: dict[int, list[int]] = {}
    for person_id, year in pairs:
        by_year.setdefault(year, []).append(person_id)
    for year, person_ids in by_year.items():
        summaries_refresh(year=year, person_ids=person_ids)
