"""``POST /api/v1/sync/records`` and ``GET /api/v1/sync/jobs/{id}``: receipts, updates and
withdrawals, idempotency, authentication, malformed requests, limits, key-use log."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEntry
from credits.models import Record
from partners.models import IdempotencyRecord, KeyUse, PartnerKey, SyncJob, SyncReceipt
from partners.services.idempotency import fingerprint, idempotency_purge
from partners.services.keys import key_revoke, key_rotate, partner_create
from partners.services.sync import job_chunk_process
from partners.tests.conftest import URL, YEAR, Pusher, record
from tests.factories import person_create

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == status and body["type"].startswith("https://")
    assert body["title"] and body["detail"]
    return body


# --- receipts --------------------------------------------------------------------------------


def test_a_mixed_push_gets_a_receipt_per_record(pusher: Pusher, nurse: Any) -> None:
    engineer = person_create(series=("engineering",))
    first = pusher.post(
        {"records": [record(nurse, "upd"), record(nurse, "same"), record(nurse, "gone")]}
    )
    assert first.status_code == 200
    records = [
        record(nurse, "new"),  # accepted
        record(nurse, "upd", hours=6),  # updated
        record(nurse, "same"),  # unchanged
        {"external_id": "gone", "withdrawn": True},  # withdrawn
        record(None, "nobody"),  # unknown person
        record(engineer, "not-held"),  # series not held
        record(engineer, "scope", series="engineering"),  # outside the partner's scope
        record(nurse, "old", year=2018, start_date="2018-05-01", end_date="2018-05-01"),
        record(nurse, "two-amounts", days=1),  # hours and days
        record(nurse, "new", title="again"),  # duplicate external_id in this request
    ]
    response = pusher.post({"records": records})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert {
        k: body[k]
        for k in ("received", "accepted", "updated", "unchanged", "withdrawn", "rejected")
    } == {
        "received": 10,
        "accepted": 1,
        "updated": 1,
        "unchanged": 1,
        "withdrawn": 1,
        "rejected": 6,
    }
    receipts = body["receipts"]
    assert [r["index"] for r in receipts] == list(range(10))
    assert [(r["external_id"], r["outcome"], sorted(r["errors"])) for r in receipts] == [
        ("new", "accepted", []),
        ("upd", "updated", []),
        ("same", "unchanged", []),
        ("gone", "withdrawn", []),
        ("nobody", "rejected", ["id_number"]),
        ("not-held", "rejected", ["series"]),
        ("scope", "rejected", ["series"]),
        ("old", "rejected", ["year"]),
        ("two-amounts", "rejected", ["amount"]),
        ("new", "rejected", ["external_id"]),
    ]
    new = Record.objects.get(pk=receipts[0]["record"])
    assert (new.status, new.source, new.external_id, new.institution_name) == (
        "approved",
        "sync_partner",
        "new",
        "华医网",
    )
    assert Record.objects.get(external_id="gone").status == "withdrawn"
    assert Record.objects.get(external_id="upd").hours == 6
    assert Record.objects.filter(external_source=pusher.partner.sync_source).count() == 4


def test_key_uses_are_logged_with_the_prefix(pusher: Pusher, nurse: Any) -> None:
    pusher.post({"records": [record(nurse, "a")]})
    pusher.post({"records": "nope"})
    uses = list(
        KeyUse.objects.order_by("pk").values_list("key_prefix", "method", "path", "status_code")
    )
    prefix = pusher.key[:12]
    assert uses == [(prefix, "POST", URL, 200), (prefix, "POST", URL, 400)]
    assert PartnerKey.objects.get(prefix=prefix).last_used_at is not None


# --- idempotency -----------------------------------------------------------------------------


def test_the_same_key_and_body_replays_the_first_response_byte_for_byte(
    pusher: Pusher, nurse: Any
) -> None:
    body = {"records": [record(nurse, "a"), record(None, "b")]}
    first = pusher.post(body, idempotency_key="push-1")
    assert first.status_code == 200
    Record.objects.filter(external_id="a").update(hours=3)  # changed since: a replay ignores it
    again = pusher.post(body, idempotency_key="push-1")
    assert (again.status_code, again.content, again["Content-Type"]) == (
        first.status_code,
        first.content,
        first["Content-Type"],
    )
    assert again["Idempotent-Replayed"] == "true"
    assert Record.objects.get(external_id="a").hours == 3  # nothing was pushed again
    # Without the key the push runs again (and updates).
    fresh = json.loads(pusher.post(body).content)
    assert fresh["updated"] == 1


def test_the_same_key_with_another_body_is_422(pusher: Pusher, nurse: Any) -> None:
    pusher.post({"records": [record(nurse, "a")]}, idempotency_key="k")
    response = pusher.post({"records": [record(nurse, "a", hours=5)]}, idempotency_key="k")
    assert_problem(response, 422)
    assert Record.objects.get(external_id="a").hours == 8


def test_a_key_is_per_partner(pusher: Pusher, nurse: Any) -> None:
    other = partner_create(
        actor=None, name="other", kind="health", series=["health"], categories=["professional"]
    )
    pusher.post({"records": [record(nurse, "a")]}, idempotency_key="k")
    response = pusher.post(
        {"records": [record(nurse, "a", title="Other")]}, key=other.secret, idempotency_key="k"
    )
    assert json.loads(response.content)["accepted"] == 1


def test_a_request_while_the_first_with_its_key_runs_is_409(pusher: Pusher, nurse: Any) -> None:
    body = {"records": [record(nurse, "a")]}
    raw = json.dumps(body).encode()
    IdempotencyRecord.objects.create(
        partner=pusher.partner, key="k", fingerprint=fingerprint("POST", URL, raw)
    )
    response = pusher.post(body, idempotency_key="k", raw=raw)
    assert_problem(response, 409)
    assert not Record.objects.filter(external_id="a").exists()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_requests_with_one_key_run_once(pusher: Pusher, nurse: Any) -> None:
    """The claim is committed before the push runs: the second request sees it (409) while
    the first holds the records' locks, or replays the first answer after it."""
    body = {"records": [record(nurse, f"r{i}", title=f"T{i}") for i in range(200)]}
    barrier = threading.Barrier(2)
    answers: list[Any] = []

    def send() -> None:
        try:
            barrier.wait()
            answers.append(
                Pusher(pusher.partner, pusher.key, Client()).post(body, idempotency_key="same")
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.status_code for a in answers)
    assert statuses in ([200, 200], [200, 409])
    assert Record.objects.filter(external_source=pusher.partner.sync_source).count() == 200
    assert json.loads(max(answers, key=lambda a: a.status_code == 200).content)["accepted"] == 200


def test_an_invalid_idempotency_key_is_400(pusher: Pusher, nurse: Any) -> None:
    assert_problem(pusher.post({"records": [record(nurse, "a")]}, idempotency_key="x" * 256), 400)


def test_keys_older_than_the_ttl_are_purged_and_may_be_used_again(
    pusher: Pusher, nurse: Any, settings: Any
) -> None:
    settings.PARTNER_IDEMPOTENCY_TTL = 24
    pusher.post({"records": [record(nurse, "a")]}, idempotency_key="old")
    pusher.post({"records": [record(nurse, "b")]}, idempotency_key="recent")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    # Past the TTL the same key starts afresh (here with another body: no 422).
    again = pusher.post({"records": [record(nurse, "c")]}, idempotency_key="old")
    assert again.status_code == 200
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=25)
    )
    assert idempotency_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]


# --- authentication --------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["missing", "unknown", "malformed", "basic"])
def test_a_missing_or_unknown_key_is_401(pusher: Pusher, nurse: Any, how: str) -> None:
    key = {"missing": None, "unknown": "cep_" + "x" * 43, "malformed": "a b"}.get(how)
    if how == "basic":
        response = pusher.client.post(
            URL, data="{}", content_type="application/json", headers={"Authorization": "Basic eA=="}
        )
    else:
        response = pusher.post({"records": [record(nurse, "a")]}, key=key)
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert not Record.objects.exists()


def test_a_revoked_key_is_401_and_its_use_logged(pusher: Pusher, nurse: Any) -> None:
    key_revoke(actor=None, key=PartnerKey.objects.get())
    body = assert_problem(pusher.post({"records": [record(nurse, "a")]}), 401)
    assert "revoked" in body["detail"].lower() or "吊销" in body["detail"]
    assert KeyUse.objects.get().status_code == 401


def test_a_rotated_key_works_for_the_grace_period_only(
    pusher: Pusher, nurse: Any, settings: Any
) -> None:
    settings.PARTNER_KEY_ROTATION_GRACE = 3600
    old = PartnerKey.objects.get()
    issued = key_rotate(actor=None, key=old)
    assert pusher.post({"records": [record(nurse, "a")]}).status_code == 200
    assert pusher.post({"records": [record(nurse, "b")]}, key=issued.secret).status_code == 200
    PartnerKey.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_problem(pusher.post({"records": [record(nurse, "c")]}), 401)
    assert pusher.post({"records": [record(nurse, "c")]}, key=issued.secret).status_code == 200


def test_an_inactive_partner_is_401(pusher: Pusher, nurse: Any) -> None:
    pusher.partner.active = False
    pusher.partner.save()
    assert_problem(pusher.post({"records": [record(nurse, "a")]}), 401)


def test_a_logged_in_portal_user_without_a_key_is_401(pusher: Pusher, nurse: Any) -> None:
    client = Client()
    client.force_login(nurse.user)
    assert_problem(
        client.post(URL, data=json.dumps({"records": []}), content_type="application/json"), 401
    )


# --- malformed requests ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (b"{not json", "body"),
        (b"\xff\xfe", "body"),
        (b"[]", "body"),
        (b'{"records": {}}', "records"),
        (b'{"records": [], "extra": 1}', "extra"),
        (b'{"records": [1]}', "records[0]"),
        (b'{"records": [{"external_id": "a", "year": "2023"}]}', "records[0].year"),
        (b'{"records": [{"external_id": "a", "hours": "8"}]}', "records[0].hours"),
        (b'{"records": [{"external_id": "a", "hours": true}]}', "records[0].hours"),
        (b'{"records": [{"external_id": "a", "colour": "red"}]}', "records[0].colour"),
        (b'{"records": [{"year": 2023}]}', "records[0].external_id"),
        (b'{"records": [{"external_id": "a b"}]}', "records[0].external_id"),
        (
            b'{"records": [{"external_id": "a", "start_date": "2023-02-30"}]}',
            "records[0].start_date",
        ),
        (b'{"records": [{"external_id": "a", "category": "other"}]}', "records[0].category"),
        (b'{"records": [{"external_id": "a", "title": "x\\u0000y"}]}', "records[0].title"),
        (b'{"records": [{"external_id": "a", "hours": NaN}]}', "body"),
        (b'{"records": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "body"),
    ],
)
def test_a_malformed_body_is_400_and_nothing_is_saved(
    pusher: Pusher, raw: bytes, where: str
) -> None:
    body = assert_problem(pusher.post(None, raw=raw), 400)
    assert where in body["errors"], body
    assert not Record.objects.exists()


def test_one_wrong_type_refuses_the_whole_request(pusher: Pusher, nurse: Any) -> None:
    body = {"records": [record(nurse, "a"), record(nurse, "b", year="last year")]}
    problem = assert_problem(pusher.post(body), 400)
    assert list(problem["errors"]) == ["records[1].year"]
    assert not Record.objects.exists()


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_a_body_that_is_not_json_is_415(pusher: Pusher, nurse: Any, content_type: str) -> None:
    assert_problem(pusher.post({"records": []}, content_type=content_type), 415)


def test_json_with_a_charset_is_accepted(pusher: Pusher, nurse: Any) -> None:
    response = pusher.post(
        {"records": [record(nurse, "a")]}, content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 200


def test_an_oversized_body_is_413(pusher: Pusher, nurse: Any, settings: Any) -> None:
    settings.PARTNER_SYNC_MAX_BODY = 2_000
    body = {"records": [record(nurse, f"r{i}") for i in range(20)]}
    assert_problem(pusher.post(body), 413)
    assert not Record.objects.exists()


def test_more_than_the_maximum_of_records_is_413(pusher: Pusher, nurse: Any, settings: Any) -> None:
    settings.PARTNER_SYNC_MAX_RECORDS = 5
    body = {"records": [{"external_id": f"r{i}", "withdrawn": True} for i in range(6)]}
    problem = assert_problem(pusher.post(body), 413)
    assert "records" in problem["errors"]
    ok = pusher.post({"records": body["records"][:5]})
    assert ok.status_code == 200


def test_too_many_requests_with_one_key_is_429_with_retry_after(
    pusher: Pusher, nurse: Any, settings: Any
) -> None:
    settings.PARTNER_SYNC_RATE = "2/minute"
    other = partner_create(
        actor=None, name="other", kind="health", series=["health"], categories=["professional"]
    )
    for i in range(2):
        assert pusher.post({"records": [record(nurse, f"r{i}")]}).status_code == 200
    response = pusher.post({"records": [record(nurse, "r3")]})
    assert_problem(response, 429)
    assert 0 < int(response["Retry-After"]) <= 60
    # Per key: another partner's key is not limited by this one's use.
    assert pusher.post({"records": [record(nurse, "x")]}, key=other.secret).status_code == 200


# --- jobs ------------------------------------------------------------------------------------


def test_a_big_push_becomes_a_job_processed_in_chunks(
    pusher: Pusher, nurse: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.PARTNER_SYNC_INLINE_LIMIT = 3
    settings.PARTNER_SYNC_CHUNK = 2
    records = [record(nurse, f"r{i}", title=f"T{i}") for i in range(5)]
    records.append(record(nurse, "r0", title="dup"))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = pusher.post({"records": records})
    assert response.status_code == 202
    body = json.loads(response.content)
    job = SyncJob.objects.get(pk=body["job"])
    assert body["status_url"] == f"http://testserver/api/v1/sync/jobs/{job.pk}"
    assert response["Location"] == body["status_url"]
    assert (job.status, job.total, job.processed) == ("queued", 6, 0)
    assert len(callbacks) == 3  # one task per chunk of 2
    assert not Record.objects.exists()

    status = json.loads(pusher.get(body["status_url"]).content)
    assert (status["status"], status["progress"], status["receipts"]["count"]) == ("queued", 0, 0)

    job_chunk_process(job_id=job.pk, chunk=2)  # chunks may run in any order
    job_chunk_process(job_id=job.pk, chunk=0)
    job_chunk_process(job_id=job.pk, chunk=0)  # run twice (acks_late): changes nothing
    job.refresh_from_db()
    assert (job.status, job.processed, job.accepted, job.rejected) == ("running", 4, 3, 1)
    job_chunk_process(job_id=job.pk, chunk=1)
    job.refresh_from_db()
    assert (job.status, job.processed, job.accepted, job.rejected) == ("done", 6, 5, 1)
    assert job.payload == [] and job.finished_at is not None
    assert Record.objects.count() == 5

    page = json.loads(pusher.get(body["status_url"] + "?page_size=4").content)
    assert (page["status"], page["progress"], page["received"]) == ("done", 100, 6)
    assert [r["index"] for r in page["receipts"]["results"]] == [0, 1, 2, 3]
    assert page["receipts"]["next"].endswith("page=2") and page["receipts"]["previous"] is None
    second = json.loads(pusher.get(page["receipts"]["next"]).content)
    assert [(r["index"], r["outcome"]) for r in second["receipts"]["results"]] == [
        (4, "accepted"),
        (5, "rejected"),
    ]
    rejected = json.loads(pusher.get(body["status_url"] + "?outcome=rejected").content)
    assert [r["external_id"] for r in rejected["receipts"]["results"]] == ["r0"]
    assert_problem(pusher.get(body["status_url"] + "?page=9"), 404)
    assert_problem(pusher.get(body["status_url"] + "?page=x"), 400)


def test_a_partner_cannot_read_another_partners_job(pusher: Pusher) -> None:
    other = partner_create(
        actor=None, name="other", kind="health", series=["health"], categories=["professional"]
    )
    job = SyncJob.objects.create(partner=other.key.partner, total=1)
    assert_problem(pusher.get(f"/api/v1/sync/jobs/{job.pk}"), 404)
    assert pusher.get(f"/api/v1/sync/jobs/{job.pk}", key=other.secret).status_code == 200
    assert_problem(pusher.get(f"/api/v1/sync/jobs/{job.pk}", key=None), 401)


def test_a_failing_chunk_marks_the_job_failed(
    pusher: Pusher, nurse: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = SyncJob.objects.create(
        partner=pusher.partner, total=1, payload=[record(nurse, "a")], status="queued"
    )

    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr("partners.services.sync.records_push", boom)
    with pytest.raises(RuntimeError):
        job_chunk_process(job_id=job.pk, chunk=0)
    job.refresh_from_db()
    assert job.status == "failed" and "went away" in job.error
    assert not SyncReceipt.objects.exists()


def test_partner_records_are_audited(pusher: Pusher, nurse: Any) -> None:
    body = json.loads(pusher.post({"records": [record(nurse, "a")]}).content)
    entry = AuditEntry.objects.get(target_id=str(body["receipts"][0]["record"]))
    assert (entry.action, entry.reason) == ("record.sync_create", "华医网")
    assert YEAR  # the module's year is last year, open for declarations


def test_the_person_sees_the_platform_and_a_withdrawal(pusher: Pusher, nurse: Any) -> None:
    from django.urls import reverse

    body = json.loads(pusher.post({"records": [record(nurse, "a")]}).content)
    url = reverse("credits:record_detail", kwargs={"record_id": body["receipts"][0]["record"]})
    client = Client()
    client.force_login(nurse.user)
    page = client.get(url).content.decode()
    assert "由华医网认定并推送" in page  # the portal speaks Chinese by default
    assert 'data-testid="withdrawn-by"' not in page
    pusher.post({"records": [{"external_id": "a", "withdrawn": True}]})
    page = client.get(url).content.decode()
    assert 'data-testid="withdrawn-by"' in page and "status-withdrawn" in page


def test_a_job_reads_amounts_as_exactly_as_a_push_answered_at_once(
    pusher: Pusher, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A job keeps the request's records as PostgreSQL parsed them and reads each chunk as
    the request was read (fractions exact): the same receipts and hours as a push of at most
    ``PARTNER_SYNC_INLINE_LIMIT`` records, never a 500 for a fraction."""
    settings.PARTNER_SYNC_INLINE_LIMIT = 5
    settings.PARTNER_SYNC_CHUNK = 2

    def batch(person: Any, prefix: str) -> list[dict[str, Any]]:
        return [
            record(person, f"{prefix}a", hours=1.5, title="A"),
            record(person, f"{prefix}b", hours=1.1, title="B"),
            record(person, f"{prefix}c", hours=None, days=0.5, title="C"),
            record(person, f"{prefix}d", hours=2.25, title="D"),  # two decimals: rejected
            record(person, f"{prefix}e", year=float(YEAR), hours=3.0, title="E"),
        ]

    inline, queued = person_create(series=("health",)), person_create(series=("health",))
    answer = json.loads(pusher.post({"records": batch(inline, "i")}).content)
    with django_capture_on_commit_callbacks(execute=False):
        response = pusher.post({"records": [*batch(queued, "q"), record(queued, "qf", title="F")]})
    assert response.status_code == 202, response.content
    job_id = json.loads(response.content)["job"]
    for chunk in range(3):
        job_chunk_process(job_id=job_id, chunk=chunk)
    receipts = list(SyncReceipt.objects.filter(job_id=job_id).order_by("index"))
    assert [(r.outcome, r.errors) for r in receipts[:5]] == [
        (r["outcome"], r["errors"]) for r in answer["receipts"]
    ]
    assert [r["outcome"] for r in answer["receipts"]] == ["accepted"] * 3 + ["rejected", "accepted"]

    def hours(person: Any) -> list[Any]:
        return list(
            Record.objects.filter(person=person).order_by("title").values_list("hours", "year")
        )

    assert hours(queued)[:4] == hours(inline)
    assert [h for h, _year in hours(inline)] == [Decimal("1.5"), Decimal("1.1"), 4, 3]


def test_a_big_push_with_a_control_character_is_refused_before_a_job_is_kept(
    pusher: Pusher, nurse: Any, settings: Any
) -> None:
    """PostgreSQL's jsonb cannot hold ``\\u0000`` and a job keeps the request's records as
    the database parses them: the request is refused (400, as a small push is) before that."""
    settings.PARTNER_SYNC_INLINE_LIMIT = 1
    records = [record(nurse, "ok", title="正常"), record(nurse, "nul", title="坏\u0000标题")]
    small = assert_problem(pusher.post({"records": records[1:]}), 400)
    big = assert_problem(pusher.post({"records": records}), 400)
    assert list(big["errors"]) == ["records[1].title"] and list(small["errors"]) == [
        "records[0].title"
    ]
    assert not SyncJob.objects.exists() and not Record.objects.exists()
