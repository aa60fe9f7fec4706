"""Pushes: up to ``PARTNER_SYNC_INLINE_LIMIT`` records are processed in the request; more
become a ``SyncJob`` whose chunks of ``PARTNER_SYNC_CHUNK`` records run on the ``sync`` queue
(one task per chunk, so several workers share a big push).

Records are written only through ``credits.api.partner_records_push``; each record gets a
receipt (index, external id, outcome, record id, errors).  An external id used twice in one
request is rejected after its first use, across chunks too.

A chunk is idempotent: its receipts and its records are written in one transaction, which
starts by taking the chunk's lock (PostgreSQL advisory lock) and checking that the chunk has
no receipts yet; a chunk run twice (``acks_late`` after a lost worker) changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypedDict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from credits.api import PARTNER_OUTCOMES, PartnerPush, partner_records_push
from partners.models import Partner, SyncJob, SyncReceipt
from partners.services.payload import first_uses, push_of
from partners.services.tally import push_tally_record
from portal.queue import queue_on_commit

logger = logging.getLogger(__name__)

CHUNK_TASK = "partners.tasks.sync_chunk_run"  # queued by name: partners.tasks imports this
REJECTED = "rejected"


class Receipt(TypedDict):
    index: int
    external_id: str
    outcome: str
    record: int | None
    errors: dict[str, list[str]]


def _rejected(index: int, external_id: str, errors: Mapping[str, list[str]]) -> Receipt:
    return {
        "index": index,
        "external_id": external_id,
        "outcome": REJECTED,
        "record": None,
        "errors": {k: [str(m) for m in v] for k, v in errors.items()},
    }


def records_push(
    *,
    partner: Partner,
    records: Sequence[Mapping[str, Any]],
    firsts: Mapping[str, int],
    offset: int = 0,
    job_id: int | None = None,
) -> list[Receipt]:
    """Push well-formed ``records`` (``payload.records_read``) for ``partner``; ``offset`` is
    the index of the first one in its request, ``firsts`` the request's first use of each
    external id.  One receipt per record, in order.

    Caller checks: the partner authenticated with a usable key."""
    receipts: list[Receipt | None] = [None] * len(records)
    pushes: list[PartnerPush] = []
    positions: list[int] = []
    for position, record in enumerate(records):
        index = offset + position
        external_id = record["external_id"]
        if firsts[external_id] != index:
            receipts[position] = _rejected(
                index,
                external_id,
                {
                    "external_id": [
                        _("This external_id is already used by record %(index)d of this push.")
                        % {"index": firsts[external_id]}
                    ]
                },
            )
            continue
        push = push_of(record, institution=partner.name)
        if isinstance(push, dict):
            receipts[position] = _rejected(index, external_id, push)
            continue
        pushes.append(push)
        positions.append(position)
    if pushes:
        series = list(partner.series.values_list("code", flat=True))
        results = partner_records_push(
            source=partner.sync_source,
            sender=partner.name,
            pushes=pushes,
            series_scope=series,
            category_scope=partner.categories,
        )
        for position, push, result in zip(positions, pushes, results, strict=True):
            receipts[position] = {
                "index": offset + position,
                "external_id": push.external_id,
                "outcome": result.outcome,
                "record": result.record_id,
                "errors": {k: [str(m) for m in v] for k, v in result.errors.items()},
            }
    done = [receipt for receipt in receipts if receipt is not None]
    assert len(done) == len(records)
    push_tally_record(partner=partner, receipts=done, job_id=job_id)  # HRSS's dashboard
    return done


def counts_of(receipts: Sequence[Receipt]) -> dict[str, int]:
    counted = Counter(receipt["outcome"] for receipt in receipts)
    return {outcome: counted.get(outcome, 0) for outcome in PARTNER_OUTCOMES}


def push_inline(*, partner: Partner, records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The 200 answer to a push of at most ``PARTNER_SYNC_INLINE_LIMIT`` records.

    Caller checks: the partner authenticated with a usable key."""
    receipts = records_push(
        partner=partner, records=records, firsts=first_uses(r["external_id"] for r in records)
    )
    return {"received": len(records), **counts_of(receipts), "receipts": receipts}


# --- jobs ---------------------------------------------------------------------------------


def _chunks(total: int) -> range:
    size = settings.PARTNER_SYNC_CHUNK
    return range((total + size - 1) // size)


@transaction.atomic
def job_create(
    *, partner: Partner, records: Sequence[Mapping[str, Any]], body: bytes | None = None
) -> SyncJob:
    """Keep a big push and queue its chunks after commit.  ``body``: the request body whose
    ``records`` are ``records`` (``payload.records_read``), kept as the database parses it
    (amounts exact, nothing encoded again in Python).

    Caller checks: the partner authenticated with a usable key."""
    job = SyncJob.objects.create(
        partner=partner,
        total=len(records),
        payload=list(records) if body is None else [],
        status=SyncJob.Status.QUEUED,
    )
    if body is not None:
        with connection.cursor() as cursor:
            cursor.execute(
                _PAYLOAD_SQL[connection.vendor == "postgresql"], [body.decode("utf-8"), job.pk]
            )
    for chunk in _chunks(job.total):
        queue_on_commit(CHUNK_TASK, job.pk, chunk)
    return job


# A job's records, from the request body: [SQLite, PostgreSQL].
_PAYLOAD_SQL = (
    "UPDATE partners_syncjob SET payload = json_extract(%s, '$.records') WHERE id = %s",
    "UPDATE partners_syncjob SET payload = (%s::jsonb) -> 'records' WHERE id = %s",
)
# One chunk's records and the external ids up to its end (for first uses), not the whole
# payload: $first and $last are the chunk's first and last index.
_SLICE_SQL = """
SELECT jsonb_path_query_array(payload, 'strict $[$first to $last]', v)::text,
       jsonb_path_query_array(payload, 'strict $[0 to $last].external_id', v)::text
FROM partners_syncjob, jsonb_build_object('first', %s::int, 'last', %s::int) AS v
WHERE id = %s
"""


def _records_of(job_id: int, start: int, end: int) -> tuple[list[Any], list[str]]:
    """The job's records ``start`` to ``end`` (excluded) and the external ids of records 0
    to ``end``, read as ``payload.body_parse`` reads a body (fractions as ``Decimal``)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_SLICE_SQL, [start, end - 1, job_id])
            chunk, ids = cursor.fetchone()
            return (
                json.loads(chunk, parse_float=Decimal),
                json.loads(ids),
            )
        cursor.execute("SELECT payload FROM partners_syncjob WHERE id = %s", [job_id])
        records = json.loads(cursor.fetchone()[0], parse_float=Decimal)
    return records[start:end], [record["external_id"] for record in records[:end]]


def _chunk_lock(job_id: int, chunk: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Two int4 keys: the job (wrapped) and the chunk; a shared slot only serialises.
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [job_id % 2_147_483_647, chunk])


def job_chunk_process(*, job_id: int, chunk: int) -> None:
    """Process one chunk of a job (or nothing, if it was processed already or the job
    ended); the job is ``done`` when its last record has a receipt.

    Caller checks: a system job (the ``sync`` queue)."""
    SyncJob.objects.filter(pk=job_id, status=SyncJob.Status.QUEUED).update(
        status=SyncJob.Status.RUNNING, started_at=timezone.now()
    )
    try:
        _chunk(job_id, chunk)
    except Exception as exc:
        logger.exception("sync job %s chunk %s failed", job_id, chunk)
        SyncJob.objects.filter(pk=job_id).exclude(status=SyncJob.Status.DONE).update(
            status=SyncJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise


@transaction.atomic
def _chunk(job_id: int, chunk: int) -> None:
    _chunk_lock(job_id, chunk)
    job = SyncJob.objects.select_related("partner").defer("payload").filter(pk=job_id).first()
    if job is None or job.status not in (SyncJob.Status.QUEUED, SyncJob.Status.RUNNING):
        return
    size = settings.PARTNER_SYNC_CHUNK
    start, end = chunk * size, min((chunk + 1) * size, job.total)
    if start >= end or SyncReceipt.objects.filter(job_id=job_id, index=start).exists():
        return
    records, external_ids = _records_of(job_id, start, end)
    receipts = records_push(
        partner=job.partner,
        records=records,
        firsts=first_uses(external_ids),
        offset=start,
        job_id=job_id,
    )
    _receipts_write(job_id, receipts)
    counts = counts_of(receipts)
    SyncJob.objects.filter(pk=job_id).update(
        processed=F("processed") + len(receipts),
        **{outcome: F(outcome) + count for outcome, count in counts.items() if count},
    )
    # The update above holds the job's row lock until commit: the last chunk sees every
    # other chunk's count.
    SyncJob.objects.filter(pk=job_id, processed=F("total")).exclude(
        status=SyncJob.Status.DONE
    ).update(status=SyncJob.Status.DONE, finished_at=timezone.now(), payload=[])


# A chunk's receipts as one JSON document (its keys are the receipts' own).
_RECEIPTS_SQL = """
INSERT INTO partners_syncreceipt (job_id, index, external_id, outcome, record_id, errors)
SELECT %s, t.index, t.external_id, t.outcome, t.record, t.errors
FROM jsonb_to_recordset(%s::jsonb)
     AS t(index int, external_id text, outcome text, record bigint, errors jsonb)
"""


def _receipts_write(job_id: int, receipts: Sequence[Receipt]) -> None:
    """Keep a chunk's receipts (one statement on PostgreSQL)."""
    if connection.vendor != "postgresql":
        SyncReceipt.objects.bulk_create(
            [
                SyncReceipt(
                    job_id=job_id,
                    index=receipt["index"],
                    external_id=receipt["external_id"],
                    outcome=receipt["outcome"],
                    record_id=receipt["record"],
                    errors=receipt["errors"],
                )
                for receipt in receipts
            ],
            batch_size=1_000,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(_RECEIPTS_SQL, [job_id, json.dumps(receipts, ensure_ascii=False)])
