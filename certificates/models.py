"""Yearly CE certificates (继续教育证书), their number series and the verification log.

A certificate is issued for one person and year once the year is compliant
(``certificates.services.issuing``); a person-year has at most one *valid* certificate at
any time, which the database enforces (a partial unique constraint), so retries, two
workers or duplicated events cannot produce a second one.  Reissuing supersedes the old
certificate (``superseded_by`` points at the new one); revoking keeps the row with its
reason.  Nothing is ever deleted: every number stays verifiable with its state.

Number format (docs/decisions/0010-certificates.md): ``<year>-<region code>-<serial>``,
e.g. ``2024-440100-000123``; the serial comes from ``CertificateSeries`` and is never
reused.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CertificateSeries(models.Model):
    """The last serial used for one year and region (证书编号序列); numbers only go up."""

    year = models.PositiveSmallIntegerField(_("year"))
    region_code = models.CharField(_("region code"), max_length=6)
    last_serial = models.PositiveIntegerField(_("last serial"), default=0)

    class Meta:
        ordering = ["year", "region_code"]
        verbose_name = _("certificate number series")
        verbose_name_plural = _("certificate number series")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "region_code"], name="certificates_series_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}-{self.region_code}: {self.last_serial}"


def certificate_upload_to(instance: Certificate, filename: str) -> str:
    return f"certificates/{instance.year}/{instance.number}.pdf"


class Certificate(models.Model):
    """继续教育证书: one person's certificate for one CE year."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        SUPERSEDED = "superseded", _("Superseded")
        REVOKED = "revoked", _("Revoked")

    STATUSES_CLOSED: ClassVar[tuple[str, ...]] = (Status.SUPERSEDED, Status.REVOKED)

    number = models.CharField(_("certificate number"), max_length=32, unique=True)
    # Short, random (secrets), not derivable from the number; printed on the certificate.
    check_code = models.CharField(_("check code"), max_length=12)
    person = models.ForeignKey(
        "accounts.Person",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("person"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    # The person's confirmed employer when the certificate was issued (none: unbound).
    employer = models.ForeignKey(
        "accounts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("employer at issue"),
    )
    # What the certificate shows, frozen at issue (the person may change name or series).
    person_name = models.CharField(_("name"), max_length=50)
    masked_id_number = models.CharField(_("ID number (masked)"), max_length=18)
    employer_name = models.CharField(_("employer"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALID
    )
    superseded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    reissue_reason = models.TextField(_("reason for reissuing"), blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.TextField(_("reason for revocation"), blank=True)
    # Revoked by HRSS (not because the year stopped being compliant): the person-year gets
    # no automatic certificate until someone issues one explicitly (decision 0010).
    revoked_manually = models.BooleanField(_("revoked by HRSS"), default=False)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    pdf = models.FileField(_("PDF"), upload_to=certificate_upload_to, blank=True)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True, db_index=True)
    # {"public": {"required": "12.0", "earned": "14.0"}, "elective": {...},
    #  "professional": {...}, "series": [{"code", "name", "required", "earned"}, ...]}
    hours = models.JSONField(_("hours"), default=dict)
    # [{"id", "title", "category", "series", "hours", "start_date", "end_date",
    #   "institution"}, ...]: the approved records the year counted.
    records = models.JSONField(_("counted records"), default=list)

    class Meta:
        ordering = ["-year", "-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year"],
                condition=Q(status="valid"),
                name="certificates_one_valid_per_person_year",
                violation_error_message=_("This person already has a valid certificate."),
            ),
            models.CheckConstraint(
                condition=~Q(status="revoked") | Q(revoked_at__isnull=False),
                name="certificates_revoked_has_time",
            ),
        ]
        indexes = [models.Index(fields=["person", "year"], name="certificates_person_year")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.VALID


class VerificationLookup(models.Model):
    """Every public verification attempt (form, API or uploaded file), found or not."""

    class Channel(models.TextChoices):
        FORM = "form", _("Form")
        API = "api", _("API")
        FILE = "file", _("Uploaded file")

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    number = models.CharField(_("number asked"), max_length=64, blank=True)
    certificate = models.ForeignKey(
        Certificate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lookups",
        verbose_name=_("certificate"),
    )
    outcome = models.CharField(_("outcome"), max_length=20)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("verification lookup")
        verbose_name_plural = _("verification lookups")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.channel} {self.number} {self.outcome}"


# Bulk printing and the pre-2019 history live in modules of their own (decision 0013).
from certificates.models_bulk import BulkPrintJob, BulkPrintPart  # noqa: E402
from certificates.models_history import HistoricCertificate, HistoricRecord  # noqa: E402

__all__ = [
    "BulkPrintJob",
    "BulkPrintPart",
    "Certificate",
    "CertificateSeries",
    "HistoricCertificate",
    "HistoricRecord",
    "VerificationLookup",
]
