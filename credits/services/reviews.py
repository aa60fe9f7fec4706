"""Employers deciding submitted records: one decision over many records, now or in the background.

* ``records_review`` decides a set of records in one transaction, set-based: the records are
  locked in id order, only those still ``submitted`` and reviewed by this employer are updated
  with one ``UPDATE`` per chunk, and one audit row per decided record is bulk-inserted in the
  same transaction.  Under two reviewers acting at once, the second one's lock waits for the
  first, then sees the new status and skips the record: a record is never decided twice.
* ``record_decision_change`` turns an approved record into a rejected one (reason required).
* ``review_job_start`` / ``review_job_process`` run a large selection (10,000 records) in the
  background in chunks of ``REVIEW_CHUNK`` ids, each chunk in its own transaction together with
  the job's progress counters, so a re-run continues from ``done``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import Decision, Organisation, User, audit_log, can
from accounts.models import AuditEntry
from credits.models import Record, ReviewJob

logger = logging.getLogger(__name__)

REVIEW_CHUNK = 1_000  # ids per UPDATE and per background-job transaction
AUDIT_BATCH = 2_000
RECORD_TARGET_TYPE = "credits.record"

_DECISION_TO_STATUS = {
    Decision.APPROVE: Record.Status.APPROVED,
    Decision.REJECT: Record.Status.REJECTED,
    Decision.RETURN: Record.Status.RETURNED,
}


@dataclass(frozen=True)
class ReviewResult:
    """How many of the requested records were decided, and how many were left alone (no
    longer under review, or not this employer's)."""

    decided: int
    skipped: int


def _check_decision(decision: str, reason: str) -> Decision:
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose approve, reject or return.")})
    if decision != Decision.APPROVE and not reason.strip():
        raise ValidationError({"reason": _("Give a reason when you reject or return.")})
    return Decision(decision)


def _check_reviewer(reviewer: User, employer: Organisation) -> None:
    if employer.kind != Organisation.Kind.EMPLOYER or not can(reviewer, "review_records", employer):
        raise PermissionDenied(_("You may not review this employer's records."))


def _unique_ids(record_ids: Iterable[int]) -> list[int]:
    return sorted({int(pk) for pk in record_ids})


def _chunks(ids: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@transaction.atomic
def records_review(
    *,
    reviewer: User,
    employer: Organisation,
    record_ids: Sequence[int],
    decision: str,
    reason: str = "",
) -> ReviewResult:
    """Approve, reject-and-close or return every given record still under review by
    ``employer``; the others are skipped.  Reject and return need a reason."""
    checked = _check_decision(decision, reason)
    _check_reviewer(reviewer, employer)
    reason = reason.strip()
    to_state = _DECISION_TO_STATUS[checked]
    ids = _unique_ids(record_ids)
    now = timezone.now()
    decided: list[int] = []
    for chunk in _chunks(ids, REVIEW_CHUNK):
        # Lock in id order (no deadlock between two overlapping batches).  On PostgreSQL a
        # row another reviewer is deciding blocks here; once that commits, the row is
        # re-checked against ``status = submitted`` and dropped.
        locked = list(
            Record.objects.select_for_update(of=("self",))
            .filter(pk__in=chunk, employer_id=employer.pk, status=Record.Status.SUBMITTED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not locked:
            continue
        # The status condition is repeated so the UPDATE alone can never decide twice.
        updated = Record.objects.filter(
            pk__in=locked, employer_id=employer.pk, status=Record.Status.SUBMITTED
        ).update(
            status=to_state,
            decided_by=reviewer,
            decided_at=now,
            reviewer_reason=reason,
            updated_at=now,
        )
        if updated != len(locked):  # pragma: no cover - impossible while the rows are locked
            raise RuntimeError("records changed under a row lock")
        decided.extend(locked)
    _audit_bulk(
        reviewer=reviewer,
        employer=employer,
        record_ids=decided,
        action=f"record.{checked.value}",
        to_state=to_state,
        reason=reason,
    )
    return ReviewResult(decided=len(decided), skipped=len(ids) - len(decided))


def _audit_bulk(
    *,
    reviewer: User,
    employer: Organisation,
    record_ids: Sequence[int],
    action: str,
    to_state: str,
    reason: str,
) -> None:
    """One audit row per decided record (the bulk form of ``accounts.services.audit_log``)."""
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                actor=reviewer,
                action=action,
                target_type=RECORD_TARGET_TYPE,
                target_id=str(pk),
                organisation=employer,
                from_state=Record.Status.SUBMITTED,
                to_state=to_state,
                reason=reason,
            )
            for pk in record_ids
        ),
        batch_size=AUDIT_BATCH,
    )


@transaction.atomic
def record_decision_change(
    *, reviewer: User, employer: Organisation, record: Record, reason: str
) -> Record:
    """Change an approved record to rejected (closed); the reason is required."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for rejecting an approved record.")})
    _check_reviewer(reviewer, employer)
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if locked.employer_id != employer.pk:
        raise PermissionDenied(_("This record is not reviewed by your organisation."))
    if locked.status != Record.Status.APPROVED:
        raise ValidationError(
            _("Only an approved record can be changed to rejected."), code="not_approved"
        )
    before = locked.status
    locked.status = Record.Status.REJECTED
    locked.reviewer_reason = reason
    locked.decided_by = reviewer
    locked.decided_at = timezone.now()
    locked.save(
        update_fields=["status", "reviewer_reason", "decided_by", "decided_at", "updated_at"]
    )
    audit_log(
        actor=reviewer,
        action="record.decision_change",
        target=locked,
        organisation=employer,
        from_state=before,
        to_state=locked.status,
        reason=reason,
    )
    return locked


# ---------------------------------------------------------------------------------------------
# Background jobs
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def review_job_start(
    *,
    reviewer: User,
    employer: Organisation,
    record_ids: Sequence[int],
    decision: str,
    reason: str = "",
) -> ReviewJob:
    """Queue one decision over many records; the worker starts after this transaction commits."""
    from credits.tasks import review_job_run  # the task module imports this one

    checked = _check_decision(decision, reason)
    _check_reviewer(reviewer, employer)
    ids = _unique_ids(record_ids)
    if not ids:
        raise ValidationError({"record_ids": _("Select at least one record.")})
    job = ReviewJob.objects.create(
        employer_id=employer.pk,
        requested_by=reviewer,
        decision=checked.value,
        reason=reason.strip(),
        record_ids=ids,
        total=len(ids),
    )
    job_id = job.pk
    transaction.on_commit(lambda: review_job_run.delay(job_id))
    return job


def review_job_process(*, job: ReviewJob) -> ReviewJob:
    """Run (or continue) a job chunk by chunk; a finished job is left as it is.

    Each chunk and the job's counters commit together, under a lock on the job row, so two
    workers running the same job (``acks_late`` redelivery) never process a chunk twice.
    """
    if ReviewJob.objects.filter(pk=job.pk, status=ReviewJob.Status.FINISHED).exists():
        job.refresh_from_db()
        return job
    try:
        while _review_job_step(job.pk):
            pass
    except Exception as exc:
        logger.exception("review job %s failed", job.pk)
        ReviewJob.objects.filter(pk=job.pk).exclude(status=ReviewJob.Status.FINISHED).update(
            status=ReviewJob.Status.FAILED, error=str(exc)[:2000]
        )
        raise
    job.refresh_from_db()
    return job


@transaction.atomic
def _review_job_step(job_id: int) -> bool:
    """Process the next chunk; ``False`` once the job is finished."""
    job = ReviewJob.objects.select_for_update().select_related("employer", "requested_by")
    locked = job.get(pk=job_id)
    if locked.status == ReviewJob.Status.FINISHED:
        return False
    if locked.done >= locked.total:
        locked.status = ReviewJob.Status.FINISHED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        return False
    chunk = locked.record_ids[locked.done : locked.done + REVIEW_CHUNK]
    result = records_review(
        reviewer=locked.requested_by,
        employer=locked.employer,
        record_ids=chunk,
        decision=locked.decision,
        reason=locked.reason,
    )
    locked.done += len(chunk)
    locked.decided += result.decided
    locked.skipped += result.skipped
    locked.status = ReviewJob.Status.RUNNING
    locked.error = ""
    locked.save(update_fields=["done", "decided", "skipped", "status", "error"])
    return True
