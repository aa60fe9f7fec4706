"""The partner sync benchmark of issue 10 (``python -m bench sync``).

* A push of ``RECORDS`` (10,000) new records through the full HTTP stack (``gunicorn
  portal.wsgi`` on loopback, as the load scenario runs it): ``POST /api/v1/sync/records``
  answers 202 with a job, one Celery worker (``-Q sync -c 1``) processes its chunks, and the
  clock stops when ``GET /api/v1/sync/jobs/{id}`` says ``done``. The floor: the same rows as
  CSV ``COPY``-ed into a temporary table plus one ``INSERT … SELECT … ON CONFLICT DO NOTHING``
  into ``credits_record`` (joining persons by ID number and the series by code). Goal: ≤ 5×.
* The same push replayed 3 times (new requests, no Idempotency-Key): every record is
  ``unchanged`` and the records table is the same (row count and an md5 over every row's id,
  status, hours, title and change mark), asserted and printed.
* The same push of new records with two workers on the ``sync`` queue: throughput.

The persons (``PERSONS``, holding engineering) are made once with valid-looking ID numbers;
each measured push starts from none of the bench partner's records.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

RECORDS = 10_000
PERSONS = 2_000
PARTNER_NAME = "bench sync partner"
USER_PREFIX = "bench_sync_"
GOAL = 5.0
ROOT = Path(__file__).resolve().parent.parent


def _year() -> int:
    return timezone.localdate().year - 1  # open for declarations until the end of this year


def _id_numbers() -> list[str]:
    from accounts.demo import demo_id_number

    start = date(1960, 1, 1)
    return [
        demo_id_number((start + timedelta(days=i // 1000)).strftime("%Y%m%d"), i % 1000)
        for i in range(PERSONS)
    ]


def _persons_ensure(numbers: list[str]) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM accounts_person WHERE id_number = ANY(%s)", [numbers])
        if cur.fetchone()[0] == len(numbers):
            return
        cur.execute(
            "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,"
            " email, is_staff, is_active, date_joined)"
            " SELECT '!', false, %s || g, '', '', '', false, true, now()"
            " FROM generate_series(0, %s) g ON CONFLICT (username) DO NOTHING",
            [USER_PREFIX, len(numbers) - 1],
        )
        cur.execute(
            "INSERT INTO accounts_person (user_id, real_name, id_number, phone, created_at)"
            " SELECT u.id, '同步' || n.i, n.id_number, '13900000000', now()"
            " FROM unnest(%s::text[]) WITH ORDINALITY AS n(id_number, i)"
            " JOIN accounts_user u ON u.username = %s || (n.i - 1)"
            " ON CONFLICT (id_number) DO NOTHING",
            [numbers, USER_PREFIX],
        )
        cur.execute(
            "INSERT INTO accounts_person_series (person_id, professionalseries_id)"
            " SELECT p.id, s.id FROM accounts_person p, accounts_professionalseries s"
            " WHERE p.id_number = ANY(%s) AND s.code = 'engineering'"
            " ON CONFLICT DO NOTHING",
            [numbers],
        )


def _payload(numbers: list[str]) -> list[dict[str, Any]]:
    year = _year()
    records = []
    for i in range(RECORDS):
        day = date(year, 1 + i % 12, 1 + (i // 12) % 28)
        records.append(
            {
                "external_id": f"BS-{i:06d}",
                "id_number": numbers[i % len(numbers)],
                "year": year,
                "category": "professional",
                "series": "engineering",
                "hours": 2,
                "title": f"同步课程 {i}",
                "start_date": day.isoformat(),
                "end_date": day.isoformat(),
                "form": "online",
            }
        )
    return records


def _partner() -> tuple[Any, str]:
    from partners.models import Partner
    from partners.services.keys import key_create, partner_create

    partner = Partner.objects.filter(name=PARTNER_NAME).first()
    if partner is None:
        issued = partner_create(
            actor=None,
            name=PARTNER_NAME,
            kind="education",
            series=["engineering"],
            categories=["public", "professional", "elective"],
        )
    else:
        issued = key_create(actor=None, partner=partner)
    return issued.key.partner, issued.secret


def _records_clear(source: str) -> None:
    with connection.cursor() as cur:
        cur.execute("DELETE FROM credits_record WHERE external_source = %s", [source])


def _checksum() -> tuple[int, str]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*), md5(coalesce(string_agg(id || ':' || status || ':' || hours || ':'"
            " || title || ':' || coalesce(change_seq, 0), ',' ORDER BY id), ''))"
            " FROM credits_record"
        )
        count, digest = cur.fetchone()
    return count, digest


# --- the floor --------------------------------------------------------------------------------


def _floor(payload: list[dict[str, Any]], source: str) -> float:
    """COPY the rows into a temp table, then one INSERT … ON CONFLICT into credits_record."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for r in payload:
        writer.writerow(
            [
                r["external_id"],
                r["id_number"],
                r["year"],
                r["category"],
                r["series"],
                r["hours"],
                r["title"],
                r["start_date"],
                r["end_date"],
                r["form"],
            ]
        )
    _records_clear(source)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "CREATE TEMP TABLE bench_sync_rows (external_id text, id_number text, year int,"
            " category text, series text, hours numeric, title text, start_date date,"
            " end_date date, form text) ON COMMIT DROP"
        )
        buffer.seek(0)
        cur.cursor.copy_expert("COPY bench_sync_rows FROM STDIN WITH (FORMAT csv)", buffer)
        cur.execute(
            """
            INSERT INTO credits_record (person_id, year, category, series_id, hours,
                original_amount, original_unit, activity_code, kind, approved_plan, title, form,
                start_date, end_date, assessment_result, institution_name, source, status,
                reviewer_reason, general_knowledge, external_source, external_id, created_at,
                updated_at)
            SELECT p.id, r.year, r.category, s.id, r.hours, r.hours, 'hours', '', '', NULL,
                r.title, r.form, r.start_date, r.end_date, 'none', '', 'sync_partner',
                'approved', '', false, %s, r.external_id, now(), now()
            FROM bench_sync_rows r
            JOIN accounts_person p ON p.id_number = r.id_number
            JOIN accounts_professionalseries s ON s.code = r.series
            ON CONFLICT DO NOTHING
            """,
            [source],
        )
        inserted = cur.rowcount
    seconds = time.perf_counter() - started
    assert inserted == len(payload), inserted
    _records_clear(source)
    return seconds


# --- the real thing ---------------------------------------------------------------------------


@contextmanager
def _workers(count: int, workdir: Path) -> Iterator[None]:
    """``count`` Celery workers (one process each) on the ``sync`` queue."""
    env = {
        **os.environ,
        "DJANGO_DEBUG": "false",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Persistent database connections, as production's worker runs (.env.example, the
        # same env_file as web) and as the bench's gunicorn does: not one connection a task.
        "DATABASE_CONN_MAX_AGE": "60",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    processes = []
    logs = []
    for n in range(count):
        log = open(workdir / f"worker{n}.log", "wb")  # noqa: SIM115 - closed below
        logs.append(log)
        processes.append(
            subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "celery"),
                    "-A",
                    "portal",
                    "worker",
                    "-Q",
                    "sync",
                    "-c",
                    "1",
                    "-n",
                    f"benchsync{n}@%h",
                    "-l",
                    "WARNING",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        time.sleep(4)  # let them connect to the broker
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()


def _request(url: str, secret: str, body: bytes | None = None) -> tuple[int, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {secret}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=120) as answer:
        return answer.status, json.loads(answer.read())


def _push(
    base: str, secret: str, body: bytes, *, timeout: float = 600
) -> tuple[float, dict[str, Any]]:
    """POST the body, wait until the job is done; seconds and the job's last state."""
    started = time.perf_counter()
    status, answer = _request(base + "/api/v1/sync/records", secret, body)
    assert status == 202, (status, answer)
    job_url = (
        base + answer["status_url"]
        if answer["status_url"].startswith("/")
        else answer["status_url"]
    )
    while True:
        _, job = _request(job_url + ("&" if "?" in job_url else "?") + "page_size=1", secret)
        if job["status"] in ("done", "failed"):
            break
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"sync job not done after {timeout} s: {job}")
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    assert job["status"] == "done", job
    return seconds, job


def bench_sync() -> bool:
    from bench.load import _gunicorn

    numbers = _id_numbers()
    _persons_ensure(numbers)
    partner, secret = _partner()
    source = partner.sync_source
    payload = _payload(numbers)
    body = json.dumps({"records": payload}).encode()
    print(f"sync: {RECORDS:,} records of {PERSONS:,} persons, body {len(body) / 1e6:.1f} MB")

    floor = min(_floor(payload, source) for _ in range(3))
    os.environ["PARTNER_SYNC_RATE"] = "100000/minute"
    connection.close()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with _gunicorn(workdir) as base:
            with _workers(1, workdir):
                _records_clear(source)
                seconds, job = _push(base, secret, body)
                assert job["accepted"] == RECORDS, job
                ratio = seconds / floor
                goal = ratio <= GOAL
                ok = ok and goal
                print(
                    f"sync push 10,000 records, HTTP + 1 worker: {seconds:.2f} s vs floor "
                    f"(COPY + INSERT ON CONFLICT) {floor:.2f} s = {ratio:.1f}x "
                    f"(goal <= {GOAL:g}x) {'met' if goal else 'NOT MET'}",
                    flush=True,
                )
                before = _checksum()
                for n in range(3):
                    replay_seconds, job = _push(base, secret, body)
                    after = _checksum()
                    same = after == before and job["unchanged"] == RECORDS
                    ok = ok and same
                    print(
                        f"sync replay {n + 1}: {replay_seconds:.2f} s, {job['unchanged']:,} "
                        f"unchanged; records table {after[0]:,} rows md5 {after[1][:12]} "
                        f"{'unchanged' if same else 'CHANGED'}",
                        flush=True,
                    )
                    assert same, (before, after, job)
            with _workers(2, workdir):
                _records_clear(source)
                two, job = _push(base, secret, body)
                assert job["accepted"] == RECORDS, job
                print(
                    f"sync push with 2 workers: {two:.2f} s = {RECORDS / two:,.0f} records/s "
                    f"(1 worker: {RECORDS / seconds:,.0f} records/s)",
                    flush=True,
                )
    _records_clear(source)
    return ok
