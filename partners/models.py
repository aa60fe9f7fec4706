"""Sync partners (platforms that certify CE hours and push them in), their API keys, the log
of every key use, idempotency records, bulk sync jobs and their per-record receipts.

Records themselves are ``credits.Record`` rows written through ``credits.api``; a partner's
records carry ``external_source = Partner.sync_source`` and the partner's ``external_id``.
See docs/decisions/0016-partner-sync.md.
"""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Partner(models.Model):
    """A platform registered by HRSS that may push records of some series and categories."""

    class Kind(models.TextChoices):
        EDUCATION = "education", _("Education platform")
        HEALTH = "health", _("Health platform")
        ACCOUNTING = "accounting", _("Accounting platform")
        KNOWLEDGE_UPDATE = "knowledge_update", _("Knowledge-update project")

    name = models.CharField(_("name"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    series = models.ManyToManyField(
        "accounts.ProfessionalSeries",
        blank=True,
        related_name="+",
        verbose_name=_("series it may push"),
    )
    # Record category values (credits.Record.Category) it may push; a JSON list so the app
    # also runs on SQLite.
    categories = models.JSONField(_("categories it may push"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("sync partner")
        verbose_name_plural = _("sync partners")

    def __str__(self) -> str:
        return self.name

    @property
    def sync_source(self) -> str:
        """The ``external_source`` of this partner's records in credits."""
        return f"partner:{self.pk}"


class PartnerKey(models.Model):
    """An API key: only its prefix (shown) and the SHA-256 of the whole key are stored.

    Rotating a key sets ``expires_at`` on the old one (``PARTNER_KEY_ROTATION_GRACE``
    seconds later); revoking sets ``revoked_at`` and ends it at once.
    """

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="keys", verbose_name=_("partner")
    )
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    hashed = models.CharField(_("SHA-256 of the key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["partner", "-created_at", "-pk"]
        verbose_name = _("partner key")
        verbose_name_plural = _("partner keys")

    def __str__(self) -> str:
        return f"{self.prefix}…"

    def is_valid(self, at: datetime | None = None) -> bool:
        now = at if at is not None else timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class KeyUse(models.Model):
    """One request made with a key (one insert per request, no foreign key to the key so
    logging never waits on it)."""

    partner = models.ForeignKey(
        Partner,
        on_delete=models.CASCADE,
        related_name="key_uses",
        verbose_name=_("partner"),
        db_constraint=False,
    )
    key_prefix = models.CharField(_("key prefix"), max_length=16)
    at = models.DateTimeField(_("at"), default=timezone.now)
    method = models.CharField(_("method"), max_length=8)
    path = models.CharField(_("path"), max_length=200)
    status_code = models.PositiveSmallIntegerField(_("status code"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("key use")
        verbose_name_plural = _("key uses")
        indexes = [models.Index(fields=["partner", "at"], name="partners_keyuse_partner_at")]

    def __str__(self) -> str:
        return f"{self.key_prefix} {self.method} {self.path} {self.status_code}"


class IdempotencyRecord(models.Model):
    """An ``Idempotency-Key`` a partner sent, with the first response to replay.

    The row is inserted (state ``running``) and committed before the request is processed,
    so a second request with the same key sees it: 409 while running, the stored response
    when done, 422 when its body differs (``fingerprint``).  Kept at least
    ``PARTNER_IDEMPOTENCY_TTL`` hours, then purged (``partners.tasks.idempotency_purge``).
    """

    class State(models.TextChoices):
        RUNNING = "running", pgettext_lazy("idempotency state", "Running")
        DONE = "done", pgettext_lazy("idempotency state", "Done")

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner")
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.RUNNING)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.BinaryField(_("response body"), null=True, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [
            models.UniqueConstraint(fields=["partner", "key"], name="partners_idempotency_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="partners_idem_created")]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.key} ({self.state})"


class SyncJob(models.Model):
    """A push of 1,001 to 10,000 records, processed by the ``sync`` queue in chunks."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job status", "Queued")
        RUNNING = "running", pgettext_lazy("job status", "Running")
        DONE = "done", pgettext_lazy("job status", "Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("partner")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("records"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    # The records as pushed (a JSON list); emptied once the job is done.
    payload = models.JSONField(_("payload"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("sync job")
        verbose_name_plural = _("sync jobs")
        indexes = [models.Index(fields=["partner", "status"], name="partners_job_partner_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.partner_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class SyncReceipt(models.Model):
    """What became of one record of a push (of a job; a synchronous push answers receipts
    without storing them)."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", pgettext_lazy("sync outcome", "Accepted")
        UPDATED = "updated", pgettext_lazy("sync outcome", "Updated")
        UNCHANGED = "unchanged", pgettext_lazy("sync outcome", "Unchanged")
        WITHDRAWN = "withdrawn", pgettext_lazy("sync outcome", "Withdrawn")
        REJECTED = "rejected", pgettext_lazy("sync outcome", "Rejected")

    job = models.ForeignKey(
        SyncJob, on_delete=models.CASCADE, related_name="receipts", verbose_name=_("job")
    )
    index = models.PositiveIntegerField(_("index"))
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    record_id = models.BigIntegerField(_("record"), null=True, blank=True)
    errors = models.JSONField(_("errors"), default=dict, blank=True)

    class Meta:
        ordering = ["job", "index"]
        verbose_name = _("sync receipt")
        verbose_name_plural = _("sync receipts")
        constraints = [
            models.UniqueConstraint(fields=["job", "index"], name="partners_receipt_job_index")
        ]
        indexes = [
            models.Index(
                fields=["job", "outcome"],
                name="partners_receipt_rejected",
                condition=Q(outcome="rejected"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.job_id}[{self.index}] {self.outcome}"


class PushTally(models.Model):
    """What one push (or one chunk of a job) did, for HRSS's partner dashboard: outcome counts
    (receipts of a synchronous push are not kept, so this is where they are counted)."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="tallies", verbose_name=_("partner")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    job_id = models.BigIntegerField(_("job"), null=True, blank=True)
    received = models.PositiveIntegerField(_("records"), default=0)
    accepted = models.PositiveIntegerField(_("accepted"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("push tally")
        verbose_name_plural = _("push tallies")
        indexes = [models.Index(fields=["partner", "at"], name="partners_tally_partner_at")]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.at:%Y-%m-%d %H:%M} {self.received}"


class PushRejection(models.Model):
    """How many records of a push were rejected for one reason (``field: message``)."""

    tally = models.ForeignKey(PushTally, on_delete=models.CASCADE, related_name="rejections")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=300)
    count = models.PositiveIntegerField(_("records"), default=0)

    class Meta:
        ordering = ["-count", "reason"]
        verbose_name = _("rejection reason")
        verbose_name_plural = _("rejection reasons")
        indexes = [models.Index(fields=["partner", "at"], name="partners_reject_partner_at")]

    def __str__(self) -> str:
        return f"{self.reason} ×{self.count}"
