"""A 10,000-row sheet through the real Celery worker: checked, then imported in one go."""

from __future__ import annotations

import csv
import io
import os
import time
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import AuditEntry, Notice
from credits.models import ImportJob, Record
from credits.services.entry import import_start
from credits.sheets import COLUMNS
from tests.factories import admin_of, bind, person_create, world_create

needs_worker = pytest.mark.skipif(
    connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
    reason="the real worker needs PostgreSQL and Redis",
)
ROWS = 10_000
PERSONS = 10


def _sheet(persons: list[Any], day: Any) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in COLUMNS])
    for n in range(ROWS):
        person = persons[n % PERSONS]
        writer.writerow(
            [
                person.id_number,
                person.real_name,
                day.year,
                "选修科目",
                "",
                2,
                "学时",
                f"专题讲座 {n}",
                "网络学习",
                day.isoformat(),
                day.isoformat(),
                "合格",
                "",
                "",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


@needs_worker
@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_ten_thousand_rows_import_on_the_real_worker_quickly(celery_worker: Any) -> None:
    world = world_create("440100", "440105")
    persons = [world.person]
    for _ in range(PERSONS - 1):
        person = person_create()
        bind(person, world.employer)
        persons.append(person)
    # A day of this year that has passed (the year's declarations are open until year end).
    today = timezone.localdate()
    day = max(today - timedelta(days=1), today.replace(month=1, day=1))
    content = _sheet(persons, day)

    started = time.monotonic()
    job = import_start(
        actor=admin_of(world.employer),
        employer=world.employer,
        content=content,
        original_name="big.csv",
    )  # autocommit: the task is queued at once
    seen_progress = set()
    deadline = started + 90
    while job.status not in ("finished", "rejected", "failed") and time.monotonic() < deadline:
        time.sleep(0.1)
        job.refresh_from_db()
        seen_progress.add(job.done)
    elapsed = time.monotonic() - started

    assert (job.status, job.error, job.errors) == ("finished", "", [])
    assert (job.total, job.done, job.created) == (ROWS, ROWS, ROWS)
    print(f"10,000 rows imported in {elapsed:.1f} s")
    assert elapsed < 20, f"10,000 rows took {elapsed:.1f} s"
    assert Record.objects.filter(import_job=job, status="submitted").count() == ROWS
    assert AuditEntry.objects.filter(action="record.import").count() == ROWS
    assert Notice.objects.filter(kind="record_entered").count() == ROWS

    # The same job queued again (a redelivered task) imports nothing more.
    from credits.tasks import import_job_run

    import_job_run.delay(job.pk).get(timeout=60)
    assert Record.objects.filter(import_job=job).count() == ROWS
    assert ImportJob.objects.get(pk=job.pk).created == ROWS
