"""Bulk printing: a year's certificates of an employer's staff as one merged PDF or a ZIP of
the signed PDFs, built by Celery in chunks on the ``certificates`` queue (decision 0013).

``bulk_print_start`` fixes the list and queues one task per chunk after commit; chunks run
in parallel on as many workers as there are.  ``bulk_print_chunk`` stores its output as a
``BulkPrintPart`` (unique per job and index, written under the job's row lock, so a chunk
run twice is stored and counted once); the chunk that completes the set queues
``bulk_print_finish``, which joins the parts in order, once, and sets the link's expiry.
A PDF chunk is a section of numbered objects (``certificates.merge``), so joining is a
copy of bytes, not a second merge.
"""

from __future__ import annotations

import logging
import zipfile
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.api import Organisation, User, audit_log
from certificates.merge import OBJECTS_PER_CERTIFICATE, PdfSection, pdf_section, pdf_sections_join
from certificates.models import BulkPrintJob, BulkPrintPart, Certificate
from certificates.selectors.certificates import employer_certificates

logger = logging.getLogger(__name__)


def bulk_print_certificate_ids(*, organisation: Organisation, year: int) -> list[int]:
    """The valid certificates of ``year`` of the persons ``organisation`` employs now, in
    print order (name, then number)."""
    return list(
        employer_certificates(organisation)
        .filter(year=year, status=Certificate.Status.VALID)
        .exclude(pdf="")
        .order_by("person_name", "number")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def bulk_print_start(
    *, actor: User, organisation: Organisation, year: int, format: str
) -> BulkPrintJob:
    """Ask for a bulk print; the chunks are queued once this transaction commits."""
    from certificates.tasks import bulk_print_chunk_task  # the task module imports this one

    if format not in BulkPrintJob.Format.values:
        raise ValidationError({"format": _("Choose a format.")})
    ids = bulk_print_certificate_ids(organisation=organisation, year=year)
    if not ids:
        raise ValidationError({"year": _("No valid certificates of that year to print.")})
    job = BulkPrintJob.objects.create(
        organisation=organisation,
        year=year,
        format=format,
        requested_by=actor,
        certificate_ids=ids,
        chunk_size=settings.CERTIFICATE_BULK_CHUNK,
        total=len(ids),
    )
    audit_log(
        actor=actor,
        action="certificate_print.request",
        target=job,
        to_state=BulkPrintJob.Status.QUEUED,
        organisation=organisation,
    )
    job_id, chunks = job.pk, job.chunks
    transaction.on_commit(
        lambda: [bulk_print_chunk_task.delay(job_id, index) for index in range(chunks)]
    )
    return job


def _entry_name(certificate: Certificate) -> str:
    return f"{certificate.year}-{certificate.number}-{certificate.person_name}.pdf"


def _object_range(job: BulkPrintJob, index: int) -> tuple[int, int]:
    """Object numbers of chunk ``index`` in the joined PDF (1 and 2: page tree, catalogue)."""
    span = job.chunk_size * OBJECTS_PER_CERTIFICATE
    return 3 + index * span, 3 + (index + 1) * span


def _chunk_output(job: BulkPrintJob, index: int, ids: list[int]) -> tuple[bytes, dict[str, Any]]:
    certificates = Certificate.objects.in_bulk(ids)
    ordered = [certificates[pk] for pk in ids if pk in certificates]
    pdfs = []
    for certificate in ordered:
        with certificate.pdf.open("rb") as handle:
            pdfs.append(handle.read())
    if job.format == BulkPrintJob.Format.PDF:
        first_id, max_id = _object_range(job, index)
        section = pdf_section(pdfs, first_id=first_id, max_id=max_id)
        return section.body, {"offsets": section.offsets, "pages": section.pages}
    out = BytesIO()
    # The PDFs are compressed already: stored as they are, byte for byte (still signed).
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for certificate, data in zip(ordered, pdfs, strict=True):
            archive.writestr(_entry_name(certificate), data)
    return out.getvalue(), {}


def bulk_print_chunk(*, job_id: int, index: int) -> bool:
    """Build chunk ``index`` of the job and count it; False when it was there already (a
    redelivered or duplicated task) or the job is gone, finished or failed."""
    job = BulkPrintJob.objects.filter(pk=job_id).first()
    if job is None or job.status in (BulkPrintJob.Status.FINISHED, BulkPrintJob.Status.FAILED):
        return False
    if BulkPrintPart.objects.filter(job_id=job_id, index=index).exists():
        return False
    ids = job.certificate_ids[index * job.chunk_size : (index + 1) * job.chunk_size]
    try:
        data, layout = _chunk_output(job, index, ids)
    except Exception as exc:
        logger.exception("bulk print %s chunk %s failed", job_id, index)
        BulkPrintJob.objects.filter(pk=job_id).exclude(status=BulkPrintJob.Status.FINISHED).update(
            status=BulkPrintJob.Status.FAILED, error=str(exc)[:2000]
        )
        raise
    return _part_store(job_id=job_id, index=index, count=len(ids), data=data, layout=layout)


@transaction.atomic
def _part_store(
    *, job_id: int, index: int, count: int, data: bytes, layout: dict[str, Any]
) -> bool:
    from certificates.tasks import bulk_print_finish_task

    job = BulkPrintJob.objects.select_for_update().get(pk=job_id)
    if job.parts.filter(index=index).exists():
        return False  # another run of the same chunk stored it while we built ours
    part = BulkPrintPart(job=job, index=index, count=count, layout=layout)
    part.file.save(f"{job.pk}-{index:05d}.{job.format}", ContentFile(data), save=False)
    part.save()
    job.done += count
    if job.status == BulkPrintJob.Status.QUEUED:
        job.status = BulkPrintJob.Status.RUNNING
    job.save(update_fields=["done", "status"])
    if job.parts.count() == job.chunks:
        transaction.on_commit(lambda: bulk_print_finish_task.delay(job_id))
    return True


def _join(job: BulkPrintJob, parts: list[BulkPrintPart]) -> bytes:
    blobs = []
    for part in parts:
        with part.file.open("rb") as handle:
            blobs.append(handle.read())
    if job.format == BulkPrintJob.Format.PDF:
        return pdf_sections_join(
            PdfSection(
                body=blob,
                offsets={int(k): v for k, v in part.layout["offsets"].items()},
                pages=part.layout["pages"],
            )
            for part, blob in zip(parts, blobs, strict=True)
        )
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for blob in blobs:
            with zipfile.ZipFile(BytesIO(blob)) as chunk:
                for info in chunk.infolist():
                    archive.writestr(info.filename, chunk.read(info))
    return out.getvalue()


def bulk_print_finish(*, job_id: int) -> bool:
    """Join the parts into the downloadable file (once) and start the link's clock."""
    job = BulkPrintJob.objects.filter(pk=job_id).first()
    if job is None or job.status != BulkPrintJob.Status.RUNNING or job.file:
        return False
    parts = list(job.parts.order_by("index"))
    if len(parts) != job.chunks:
        return False
    data = _join(job, parts)
    return _job_finish(job_id=job_id, data=data)


@transaction.atomic
def _job_finish(*, job_id: int, data: bytes) -> bool:
    job = BulkPrintJob.objects.select_for_update().get(pk=job_id)
    if job.file or job.status != BulkPrintJob.Status.RUNNING:
        return False
    now = timezone.now()
    job.file.save(f"certificates-{job.year}-{job.pk}.{job.format}", ContentFile(data), save=False)
    job.status = BulkPrintJob.Status.FINISHED
    job.finished_at = now
    job.expires_at = now + timedelta(hours=settings.CERTIFICATE_BULK_LINK_HOURS)
    job.save(update_fields=["file", "status", "finished_at", "expires_at"])
    for part in job.parts.all():
        part.file.delete(save=False)
    audit_log(
        actor=None,
        action="certificate_print.finish",
        target=job,
        from_state=BulkPrintJob.Status.RUNNING,
        to_state=BulkPrintJob.Status.FINISHED,
        organisation=job.organisation,
    )
    return True


@transaction.atomic
def bulk_print_download_log(*, actor: User, job: BulkPrintJob) -> None:
    """Who downloaded the file (certificates carry ID numbers, even masked)."""
    audit_log(
        actor=actor,
        action="certificate_print.download",
        target=job,
        organisation=job.organisation,
    )


def bulk_print_cleanup(*, now: datetime | None = None) -> int:
    """Delete the files of the bulk prints whose link has expired (the job rows stay, with
    their audit trail; the page says the link expired).  Idempotent: a job whose file is
    gone is not looked at again; two runs at once skip each other's locked rows.  Returns
    how many files were deleted."""
    moment = now or timezone.now()
    expired = (
        BulkPrintJob.objects.filter(expires_at__lte=moment)
        .exclude(file="")
        .values_list("pk", flat=True)
    )
    return sum(_job_file_delete(job_id=job_id, now=moment) for job_id in list(expired))


@transaction.atomic
def _job_file_delete(*, job_id: int, now: datetime) -> bool:
    job = (
        BulkPrintJob.objects.select_for_update(skip_locked=True)
        .select_related("organisation")
        .filter(pk=job_id, expires_at__lte=now)
        .exclude(file="")
        .first()
    )
    if job is None:
        return False
    name, storage = str(job.file.name), job.file.storage
    job.file = ""
    job.save(update_fields=["file"])
    audit_log(
        actor=None,
        action="certificate_print.expire",
        target=job,
        organisation=job.organisation,
    )
    # The row says "no file" once this commits; only then is the file removed.
    transaction.on_commit(lambda: storage.delete(name))
    return True
