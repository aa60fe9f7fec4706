"""Bulk printing (批量打印): one employer's certificates of a year as one merged PDF or a ZIP
of the signed PDFs, built in the background in chunks (``certificates.services.bulk_print``).

A job keeps its progress (``done`` of ``total``) for the page that polls it; every chunk is a
``BulkPrintPart`` row, unique per job and index, so a chunk run twice (``acks_late``
redelivery, two workers) is stored once and counted once.  The finished file can be
downloaded by the organisation's members until ``expires_at``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def bulk_upload_to(instance: BulkPrintJob, filename: str) -> str:
    return f"certificate-prints/{instance.organisation_id}/{filename}"


def part_upload_to(instance: BulkPrintPart, filename: str) -> str:
    return f"certificate-prints/{instance.job.organisation_id}/parts/{filename}"


class BulkPrintJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    class Format(models.TextChoices):
        PDF = "pdf", _("One merged PDF (for printing)")
        ZIP = "zip", _("ZIP of the signed PDFs")

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="certificate_print_jobs",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    format = models.CharField(_("format"), max_length=3, choices=Format.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    # The certificates to print, fixed when the job was asked for (in print order).
    certificate_ids = models.JSONField(_("certificate ids"), default=list)
    chunk_size = models.PositiveIntegerField(_("chunk size"))
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("processed"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(_("error"), blank=True)
    file = models.FileField(_("file"), upload_to=bulk_upload_to, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("bulk print job")
        verbose_name_plural = _("bulk print jobs")
        indexes = [
            models.Index(fields=["organisation", "-created_at"], name="certificates_print_org")
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}/{self.format} #{self.pk}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)

    @property
    def chunks(self) -> int:
        return -(-self.total // self.chunk_size) if self.total else 0

    def is_expired(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.expires_at is not None and self.expires_at <= moment  # type: ignore[operator]


class BulkPrintPart(models.Model):
    """One chunk's output: the chunk's certificates merged (PDF) or zipped (ZIP)."""

    job = models.ForeignKey(
        BulkPrintJob, on_delete=models.CASCADE, related_name="parts", verbose_name=_("job")
    )
    index = models.PositiveIntegerField(_("chunk"))
    count = models.PositiveIntegerField(_("certificates"))
    file = models.FileField(_("file"), upload_to=part_upload_to)
    # PDF chunks: {"offsets": {object number: offset in file}, "pages": [object numbers]}
    # (certificates.merge.PdfSection), so the last step joins the chunks without parsing.
    layout = models.JSONField(_("layout"), default=dict, blank=True)

    class Meta:
        ordering = ["job", "index"]
        verbose_name = _("bulk print chunk")
        verbose_name_plural = _("bulk print chunks")
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="certificates_print_part_once")
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.index}"
