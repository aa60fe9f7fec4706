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
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import (
    Decision,
    Employment,
    Notice,
    Organisation,
    User,
    audit_log,
    audit_log_many,
    bound_now,
    can,
    employer_binds_person,
    notice_send,
)
from accounts.api import notices_send as _notices_send
from credits.models import Record, ReviewJob
from credits.services.validation import summaries_refresh_later
from portal.queue import queue_on_commit

logger = logging.getLogger(__name__)

REVIEW_CHUNK = 1_000  # ids per UPDATE and per background-job transaction
AUDIT_BATCH = 2_000
RECORD_TARGET_TYPE = "credits.record"
REVIEW_JOB_TASK = "credits.tasks.review_job_run"  # queued by name: credits.tasks imports this

# The person hears of a decision that needs them: returned (to correct) or rejected.
_DECISION_TO_NOTICE = {
    Decision.REJECT: Notice.Kind.RECORD_REJECTED,
    Decision.RETURN: Notice.Kind.RECORD_RETURNED,
}

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


def record_link_parts() -> tuple[str, str]:
    """The person's record page path around its id: ``(prefix, suffix)``, so a set-based
    INSERT can build each record's link as ``prefix || id || suffix``."""
    marker = "2147483647"
    prefix, suffix = reverse("credits:record_detail", kwargs={"record_id": marker}).split(marker)
    return prefix, suffix


def record_link(record_id: int) -> str:
    prefix, suffix = record_link_parts()
    return f"{prefix}{record_id}{suffix}"


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
    ``employer``; the others are skipped.  Reject and return need a reason.

    Checks that `reviewer` reviews `employer`'s records (``review_records``)."""
    checked = _check_decision(decision, reason)
    _check_reviewer(reviewer, employer)
    reason = reason.strip()
    to_state = _DECISION_TO_STATUS[checked]
    ids = _unique_ids(record_ids)
    now = timezone.now()
    decide = _decide_postgresql if connection.vendor == "postgresql" else _decide_portable
    decided, pairs = decide(
        ids=ids,
        employer=employer,
        reviewer=reviewer,
        to_state=to_state,
        reason=reason,
        now=now,
        action=f"record.{checked.value}",
        notice_kind=_DECISION_TO_NOTICE.get(checked, ""),
    )
    if decided and to_state == Record.Status.APPROVED:
        # Only approved records count toward a year: rejecting or returning a record that was
        # under review leaves every summary as it was.
        summaries_refresh_later(pairs)
    return ReviewResult(decided=len(decided), skipped=len(ids) - len(decided))


_DECIDE_SQL = """
WITH locked AS (
    SELECT r.id FROM credits_record r
    JOIN accounts_person p ON p.id = r.person_id
    WHERE r.id = ANY(%(ids)s) AND r.employer_id = %(employer)s AND r.status = 'submitted'
      AND p.user_id <> %(reviewer)s
      AND EXISTS (
          SELECT 1 FROM accounts_employment e
          WHERE e.person_id = r.person_id AND e.employer_id = %(employer)s
            AND e.status = 'confirmed'
      )
    ORDER BY r.id
    FOR UPDATE OF r
)
UPDATE credits_record AS r
SET status = %(to_state)s, decided_by_id = %(reviewer)s, decided_at = %(now)s,
    reviewer_reason = %(reason)s, updated_at = %(now)s
FROM locked
WHERE r.id = locked.id AND r.status = 'submitted'
RETURNING r.id, r.person_id, r.year
"""

_AUDIT_SQL = """
INSERT INTO accounts_auditentry
    (actor_id, at, action, target_type, target_id, organisation_id, from_state, to_state, reason)
SELECT %(reviewer)s, %(now)s, %(action)s, %(target_type)s, id::text, %(employer)s,
       'submitted', %(to_state)s, %(reason)s
FROM unnest(%(ids)s::bigint[]) AS id
"""

# One notice per decided record, to the record's person, in the same statement for any size.
_NOTICE_SQL = """
INSERT INTO accounts_notice (recipient_id, kind, params, link, created_at, read_at)
SELECT p.user_id, %(kind)s,
       jsonb_build_object('title', r.title, 'by', %(by)s::text, 'reason', %(reason)s::text),
       %(link_prefix)s || r.id::text || %(link_suffix)s, %(now)s, NULL
FROM credits_record r
JOIN accounts_person p ON p.id = r.person_id
WHERE r.id = ANY(%(ids)s)
"""

Decided = tuple[list[int], set[tuple[int, int]]]


def _decide_postgresql(
    *,
    ids: list[int],
    employer: Organisation,
    reviewer: User,
    to_state: str,
    reason: str,
    now: datetime,
    action: str,
    notice_kind: str,
) -> Decided:
    """Three statements whatever the batch size: lock-and-update, the audit rows, and (for
    return and reject) the persons' notices.

    The CTE locks the rows in id order (two overlapping batches cannot deadlock); a row that
    another reviewer decided meanwhile is re-checked after its lock and no longer matches
    ``status = 'submitted'``, so it is never decided twice.
    """
    params: dict[str, Any] = {
        "ids": ids,
        "employer": employer.pk,
        "reviewer": reviewer.pk,
        "to_state": to_state,
        "reason": reason,
        "now": now,
    }
    with connection.cursor() as cursor:
        cursor.execute(_DECIDE_SQL, params)
        rows = cursor.fetchall()
        decided = sorted(row[0] for row in rows)
        if decided:
            cursor.execute(
                _AUDIT_SQL,
                {
                    **params,
                    "ids": decided,
                    "action": action,
                    "target_type": RECORD_TARGET_TYPE,
                },
            )
            if notice_kind:
                prefix, suffix = record_link_parts()
                cursor.execute(
                    _NOTICE_SQL,
                    {
                        **params,
                        "ids": decided,
                        "kind": notice_kind,
                        "by": employer.name,
                        "link_prefix": prefix,
                        "link_suffix": suffix,
                    },
                )
    return decided, {(row[1], row[2]) for row in rows}


def _decide_portable(
    *,
    ids: list[int],
    employer: Organisation,
    reviewer: User,
    to_state: str,
    reason: str,
    now: datetime,
    action: str,
    notice_kind: str,
) -> Decided:
    """The same decision through the ORM, chunk by chunk (SQLite for `make run`)."""
    decided: list[int] = []
    for chunk in _chunks(ids, REVIEW_CHUNK):
        locked = list(
            Record.objects.select_for_update(of=("self",))
            .filter(pk__in=chunk, employer_id=employer.pk, status=Record.Status.SUBMITTED)
            .filter(bound_now(employer.pk))
            .exclude(person__user_id=reviewer.pk)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not locked:
            continue
        # The status condition is repeated so the UPDATE alone can never decide twice.
        Record.objects.filter(pk__in=locked, status=Record.Status.SUBMITTED).update(
            status=to_state,
            decided_by=reviewer,
            decided_at=now,
            reviewer_reason=reason,
            updated_at=now,
        )
        decided.extend(locked)
    _audit_bulk(
        reviewer=reviewer,
        employer=employer,
        record_ids=decided,
        action=action,
        to_state=to_state,
        reason=reason,
    )
    rows = list(
        Record.objects.filter(pk__in=decided)
        .order_by("pk")
        .values_list("pk", "person_id", "year", "person__user_id", "title")
    )
    if notice_kind:
        _notices_send(
            Notice(
                recipient_id=user_id,
                kind=notice_kind,
                params={"title": title, "by": employer.name, "reason": reason},
                link=record_link(pk),
                created_at=now,
            )
            for pk, _person, _year, user_id, title in rows
        )
    return decided, {(person_id, year) for _pk, person_id, year, _user, _title in rows}


def _audit_bulk(
    *,
    reviewer: User | None,
    employer: Organisation,
    record_ids: Sequence[int],
    action: str,
    to_state: str,
    reason: str,
) -> None:
    """One audit row per decided record."""
    audit_log_many(
        actor=reviewer,
        action=action,
        target_type=RECORD_TARGET_TYPE,
        target_ids=record_ids,
        organisation=employer,
        from_state=Record.Status.SUBMITTED,
        to_state=to_state,
        reason=reason,
        batch_size=AUDIT_BATCH,
    )


@transaction.atomic
def record_decision_change(
    *, reviewer: User, employer: Organisation, record: Record, reason: str
) -> Record:
    """Change an approved record to rejected (closed); the reason is required.

    Checks that `reviewer` reviews `employer`'s records and that the record is one of them."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for rejecting an approved record.")})
    _check_reviewer(reviewer, employer)
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if locked.employer_id != employer.pk or not employer_binds_person(
        employer.pk, locked.person_id
    ):
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
    notice_send(
        recipient_id=locked.person.user_id,
        kind=Notice.Kind.RECORD_DECISION_CHANGED,
        params={"title": locked.title, "by": employer.name, "reason": reason},
        link=record_link(locked.pk),
    )
    summaries_refresh_later([(locked.person_id, locked.year)])
    return locked


@transaction.atomic
def records_return_on_unbind(*, actor: User | None, employment: Employment) -> list[int]:
    """A binding ended: give the person back every record still under review by that
    employer (status ``returned``, so they can edit it and submit it to their next employer),
    with one audit entry per record saying why, in the caller's transaction.

    Caller checks: run by the ``employment_ended`` signal inside ``accounts.api``'s
    ``employment_end``, which checks who may end the binding."""
    employer = employment.employer
    reason = _(
        "Your binding with %(employer)s ended, so it no longer reviews this record. "
        "Submit it again once your new employer has confirmed you."
    ) % {"employer": employer.name}
    ids = list(
        Record.objects.select_for_update(of=("self",))
        .filter(
            person_id=employment.person_id,
            employer_id=employer.pk,
            status=Record.Status.SUBMITTED,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return ids
    Record.objects.filter(pk__in=ids, status=Record.Status.SUBMITTED).update(
        status=Record.Status.RETURNED, reviewer_reason=reason, updated_at=timezone.now()
    )
    _audit_bulk(
        reviewer=actor,
        employer=employer,
        record_ids=ids,
        action="record.return_unbound",
        to_state=Record.Status.RETURNED,
        reason=reason,
    )
    now = timezone.now()
    _notices_send(
        Notice(
            recipient_id=user_id,
            kind="record_returned",
            params={"title": title, "by": employer.name, "reason": reason},
            link=record_link(pk),
            created_at=now,
        )
        for pk, user_id, title in Record.objects.filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "person__user_id", "title")
    )
    return ids


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
    """Queue one decision over many records; the worker starts after this transaction commits.

    Checks that `reviewer` reviews `employer`'s records (``review_records``)."""
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
    queue_on_commit(REVIEW_JOB_TASK, job_id)
    return job


def review_job_process(*, job: ReviewJob) -> ReviewJob:
    """Run (or continue) a job chunk by chunk; a finished job is left as it is.

    Each chunk and the job's counters commit together, under a lock on the job row, so two
    workers running the same job (``acks_late`` redelivery) never process a chunk twice.

    Caller checks: the task runs a job ``review_job_start`` authorised; each chunk still
    decides only records of persons the employer employs now.
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
