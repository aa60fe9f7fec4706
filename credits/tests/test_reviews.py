"""Employers deciding submitted records: in one call, concurrently, and as a background job."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from accounts.models import AuditEntry, Decision, User
from credits.models import Record, ReviewJob, YearSummary
from credits.services import (
    ReviewResult,
    record_decision_change,
    records_review,
    review_job_process,
    review_job_start,
)
from tests.factories import World, admin_of, bind, member_link, person_create, world_create
from tests.factories import records_submitted as submitted

ON_POSTGRESQL = connection.vendor == "postgresql"
needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="row locks need PostgreSQL (SQLite serialises writers); runs under `make test`",
)
needs_worker = pytest.mark.skipif(
    not ON_POSTGRESQL or not os.environ.get("REDIS_URL"),
    reason="needs a real Celery worker on PostgreSQL + Redis; runs under `make test`",
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def ids(records: list[Record]) -> list[int]:
    return [record.pk for record in records]


def audit_of(record_ids: list[int]) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            target_type="credits.record",
            target_id__in=[str(pk) for pk in record_ids],
            action__in=["record.approve", "record.reject", "record.return"],
        )
    )


# --- one call ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("decision", "reason", "to_state"),
    [
        (Decision.APPROVE, "", Record.Status.APPROVED),
        (Decision.REJECT, "Not continuing education", Record.Status.REJECTED),
        (Decision.RETURN, "Attach the certificate", Record.Status.RETURNED),
    ],
)
def test_review_decides_several_records_with_one_audit_row_each(
    world: World, decision: str, reason: str, to_state: str
) -> None:
    reviewer = admin_of(world.employer)
    records = submitted(world.person, world.employer, 5)

    result = records_review(
        reviewer=reviewer,
        employer=world.employer,
        record_ids=ids(records),
        decision=decision,
        reason=reason,
    )

    assert result == ReviewResult(decided=5, skipped=0)
    for record in Record.objects.filter(pk__in=ids(records)):
        assert record.status == to_state
        assert record.decided_by == reviewer
        assert record.decided_at is not None
        assert record.reviewer_reason == reason
    entries = audit_of(ids(records))
    assert sorted(int(entry.target_id) for entry in entries) == sorted(ids(records))
    for entry in entries:
        assert entry.action == f"record.{decision}"
        assert entry.actor == reviewer
        assert entry.organisation_id == world.employer.pk
        assert (entry.from_state, entry.to_state, entry.reason) == ("submitted", to_state, reason)


@pytest.mark.django_db
def test_employer_cannot_review_other_employers_records(world: World, other_world: World) -> None:
    mine = submitted(world.person, world.employer, 2)
    theirs = submitted(other_world.person, other_world.employer, 3)

    result = records_review(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        record_ids=ids(mine) + ids(theirs),
        decision=Decision.APPROVE,
    )

    assert result == ReviewResult(decided=2, skipped=3)
    assert set(Record.objects.filter(pk__in=ids(theirs)).values_list("status", flat=True)) == {
        "submitted"
    }
    assert audit_of(ids(theirs)) == []


@pytest.mark.django_db
def test_reviewer_of_another_employer_is_refused(world: World, other_world: World) -> None:
    records = submitted(world.person, world.employer, 2)

    with pytest.raises(PermissionDenied):
        records_review(
            reviewer=admin_of(other_world.employer),
            employer=world.employer,
            record_ids=ids(records),
            decision=Decision.APPROVE,
        )
    assert audit_of(ids(records)) == []


@pytest.mark.django_db
def test_records_no_longer_under_review_are_skipped(world: World) -> None:
    reviewer = admin_of(world.employer)
    pending = submitted(world.person, world.employer, 2)
    draft = submitted(world.person, world.employer, 1, status=Record.Status.DRAFT)
    records_review(
        reviewer=reviewer, employer=world.employer, record_ids=ids(pending[:1]), decision="approve"
    )

    result = records_review(
        reviewer=reviewer,
        employer=world.employer,
        record_ids=ids(pending) + ids(draft),
        decision=Decision.REJECT,
        reason="Duplicate",
    )

    assert result == ReviewResult(decided=1, skipped=2)
    statuses = dict(Record.objects.filter(pk__in=ids(pending + draft)).values_list("pk", "status"))
    assert statuses == {pending[0].pk: "approved", pending[1].pk: "rejected", draft[0].pk: "draft"}
    assert len(audit_of([pending[0].pk])) == 1  # decided once, by the first call only


@pytest.mark.django_db
@pytest.mark.parametrize("decision", [Decision.REJECT, Decision.RETURN])
def test_reject_and_return_need_a_reason(world: World, decision: str) -> None:
    records = submitted(world.person, world.employer, 2)

    with pytest.raises(ValidationError) as exc_info:
        records_review(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            record_ids=ids(records),
            decision=decision,
            reason="   ",
        )

    assert "reason" in exc_info.value.message_dict
    assert set(Record.objects.filter(pk__in=ids(records)).values_list("status", flat=True)) == {
        "submitted"
    }


@pytest.mark.django_db
def test_unknown_decision_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc_info:
        records_review(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            record_ids=[1],
            decision="delete",
        )
    assert "decision" in exc_info.value.message_dict


# --- changing a decision ----------------------------------------------------------------------


@pytest.mark.django_db
def test_approved_record_can_be_changed_to_rejected_with_a_reason(world: World) -> None:
    reviewer = admin_of(world.employer)
    (record,) = submitted(world.person, world.employer, 1)
    records_review(
        reviewer=reviewer, employer=world.employer, record_ids=[record.pk], decision="approve"
    )

    with pytest.raises(ValidationError) as exc_info:
        record_decision_change(reviewer=reviewer, employer=world.employer, record=record, reason="")
    assert "reason" in exc_info.value.message_dict

    changed = record_decision_change(
        reviewer=reviewer, employer=world.employer, record=record, reason="Certificate forged"
    )

    assert changed.status == Record.Status.REJECTED
    assert changed.reviewer_reason == "Certificate forged"
    entry = AuditEntry.objects.get(
        target_type="credits.record", target_id=str(record.pk), action="record.decision_change"
    )
    assert (entry.actor, entry.from_state, entry.to_state, entry.reason) == (
        reviewer,
        "approved",
        "rejected",
        "Certificate forged",
    )
    with pytest.raises(ValidationError):  # a rejected record cannot be changed again
        record_decision_change(
            reviewer=reviewer, employer=world.employer, record=record, reason="Again"
        )


@pytest.mark.django_db
def test_decision_change_refuses_another_employers_record(world: World, other_world: World) -> None:
    (record,) = submitted(other_world.person, other_world.employer, 1, status="approved")

    with pytest.raises(PermissionDenied):
        record_decision_change(
            reviewer=admin_of(world.employer), employer=world.employer, record=record, reason="x"
        )
    assert Record.objects.get(pk=record.pk).status == "approved"


# --- background jobs --------------------------------------------------------------------------


@pytest.mark.django_db
def test_review_job_start_needs_a_reason_before_queueing(world: World) -> None:
    jobs_before = ReviewJob.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        review_job_start(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            record_ids=[1, 2],
            decision=Decision.RETURN,
        )
    assert "reason" in exc_info.value.message_dict
    assert ReviewJob.objects.count() == jobs_before


@pytest.mark.django_db
def test_review_job_processes_in_chunks_and_is_idempotent(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("credits.services.reviews.REVIEW_CHUNK", 4)
    reviewer = admin_of(world.employer)
    records = submitted(world.person, world.employer, 10)
    already = ids(records[:2])
    records_review(
        reviewer=reviewer, employer=world.employer, record_ids=already, decision="approve"
    )
    queued: list[Any] = []
    monkeypatch.setattr("credits.tasks.review_job_run.delay", queued.append)
    job = review_job_start(
        reviewer=reviewer,
        employer=world.employer,
        record_ids=[*ids(records), records[0].pk],  # duplicates count once
        decision=Decision.REJECT,
        reason="Outside the scheme",
    )
    assert (job.status, job.total, job.done) == ("queued", 10, 0)

    # A worker that died after the first chunk: the re-run continues from `done`.
    from credits.services.reviews import _review_job_step

    assert _review_job_step(job.pk)
    job.refresh_from_db()
    assert (job.status, job.done, job.decided, job.skipped) == ("running", 4, 2, 2)

    job = review_job_process(job=job)
    assert (job.status, job.done, job.decided, job.skipped) == ("finished", 10, 8, 2)
    assert job.percent == 100
    assert job.finished_at is not None
    finished_at = job.finished_at

    job = review_job_process(job=job)  # a second delivery does nothing
    assert (job.status, job.done, job.decided, job.skipped) == ("finished", 10, 8, 2)
    assert job.finished_at == finished_at
    assert len(audit_of(ids(records))) == 10  # 2 approvals + 8 rejections, none twice
    assert Record.objects.filter(pk__in=ids(records), status="rejected").count() == 8


@pytest.mark.django_db
def test_review_job_is_queued_after_commit(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[Any] = []
    monkeypatch.setattr("credits.tasks.review_job_run.delay", queued.append)
    records = submitted(world.person, world.employer, 3)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = review_job_start(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            record_ids=ids(records),
            decision=Decision.APPROVE,
        )
    assert queued == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()
    assert queued == [job.pk]


# --- PostgreSQL only: real concurrency and a real worker -------------------------------------


def _fresh_world() -> tuple[World, User]:
    """Transactional tests start from a flushed database: reload the catalogues first."""
    world = world_create("440100", "440105")
    return world, admin_of(world.employer)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_decide_each_record_once() -> None:
    world, reviewer = _fresh_world()
    records = submitted(world.person, world.employer, 600)
    record_ids = ids(records)
    start = threading.Barrier(2)
    results: list[ReviewResult] = []
    errors: list[BaseException] = []

    def review(decision: str, reason: str, order: list[int]) -> None:
        try:
            start.wait(timeout=10)
            results.append(
                records_review(
                    reviewer=reviewer,
                    employer=world.employer,
                    record_ids=order,
                    decision=decision,
                    reason=reason,
                )
            )
        except BaseException as exc:  # re-raised in the test thread
            errors.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [
        threading.Thread(target=review, args=("approve", "", record_ids)),
        threading.Thread(target=review, args=("reject", "Too late", record_ids[::-1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(result.decided for result in results) == 600
    assert sum(result.skipped for result in results) == 600
    entries = audit_of(record_ids)
    assert len(entries) == 600
    assert len({entry.target_id for entry in entries}) == 600
    assert not Record.objects.filter(pk__in=record_ids, status="submitted").exists()


@needs_worker
@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_review_job_runs_on_the_real_worker(celery_worker: Any) -> None:
    world, reviewer = _fresh_world()
    records = submitted(world.person, world.employer, 2_500)
    others = submitted(world.person, None, 5)  # not under this employer's review: skipped

    job = review_job_start(
        reviewer=reviewer,
        employer=world.employer,
        record_ids=ids(records) + ids(others),
        decision=Decision.APPROVE,
    )  # autocommit: the task is queued at once

    deadline = time.monotonic() + 90
    job.refresh_from_db()
    while job.status not in ("finished", "failed") and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()

    assert (job.status, job.error) == ("finished", "")
    assert (job.done, job.total, job.decided, job.skipped) == (2_505, 2_505, 2_500, 5)
    assert Record.objects.filter(pk__in=ids(records), status="approved").count() == 2_500
    assert len(audit_of(ids(records))) == 2_500
    # Each chunk queued the person's year refresh after its commit; the worker runs them too
    # (an earlier chunk's refresh may be seen first, so wait for the last one's figure).
    earned = None
    while earned != Decimal(2 * 2_500) and time.monotonic() < deadline:
        time.sleep(0.2)
        earned = (
            YearSummary.objects.filter(person=world.person, year=2023)
            .values_list("public_earned", flat=True)
            .first()
        )
    assert earned == Decimal(2 * 2_500)


# --- a reviewer never decides their own records -------------------------------------------


@pytest.fixture(params=["postgresql", "portable"])
def decide_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways of deciding a batch: PostgreSQL's set-based SQL and the ORM path of SQLite
    (forced here on PostgreSQL)."""
    from credits.services import reviews as reviews_module

    if request.param == "postgresql":
        if not ON_POSTGRESQL:
            pytest.skip("the set-based path runs on PostgreSQL only")
    else:
        monkeypatch.setattr(reviews_module, "_decide_postgresql", reviews_module._decide_portable)
    return str(request.param)


@pytest.mark.django_db
@pytest.mark.parametrize("decision", [Decision.APPROVE, Decision.REJECT, Decision.RETURN])
def test_batch_review_skips_the_reviewers_own_records(
    world: World, decide_path: str, decision: str
) -> None:
    # The person bound to the employer is also one of its reviewers.
    member_link(world.employer, world.person.user, "reviewer")
    colleague = person_create()
    bind(colleague, world.employer)
    own = submitted(world.person, world.employer, 2)
    theirs = submitted(colleague, world.employer, 1)

    result = records_review(
        reviewer=world.person.user,
        employer=world.employer,
        record_ids=ids(own + theirs),
        decision=decision,
        reason="Attach the certificate",
    )

    assert result == ReviewResult(decided=1, skipped=2)
    assert set(Record.objects.filter(pk__in=ids(own)).values_list("status", flat=True)) == {
        Record.Status.SUBMITTED
    }
    assert Record.objects.get(pk=theirs[0].pk).decided_by == world.person.user
    assert audit_of(ids(own)) == []
