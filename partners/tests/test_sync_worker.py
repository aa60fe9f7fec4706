"""With a real Celery worker: a big push runs on the ``sync`` queue, and pushed records reach
the person's year and their certificate (issued after a push, revoked after a withdrawal)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from certificates.models import Certificate
from credits.models import Record, YearSummary
from partners.models import SyncJob
from partners.services.keys import partner_create
from partners.tests.conftest import YEAR, Pusher, record
from tests.factories import record_make, world_create

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _wait_for(predicate: Callable[[], bool], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the worker")


def _pusher(series: list[str]) -> Pusher:
    issued = partner_create(
        actor=None,
        name="继续教育平台",
        kind="knowledge_update",
        series=series,
        categories=["public", "professional", "elective"],
    )
    return Pusher(issued.key.partner, issued.secret, Client())


def test_a_big_push_is_processed_by_the_sync_queue(celery_worker: Any, settings: Any) -> None:
    world = world_create("440100", "440105")
    pusher = _pusher(["engineering"])
    records = [
        record(world.person, f"e{i}", series="engineering", hours=1, title=f"Lecture {i}")
        for i in range(1_200)
    ]
    records[7] = record(None, "nobody", series="engineering")
    response = pusher.post({"records": records})
    assert response.status_code == 202
    body = json.loads(response.content)
    job = SyncJob.objects.get(pk=body["job"])
    _wait_for(lambda: SyncJob.objects.filter(pk=job.pk, status="done").exists())
    job.refresh_from_db()
    assert (job.processed, job.accepted, job.rejected) == (1_200, 1_199, 1)
    assert Record.objects.filter(external_source=pusher.partner.sync_source).count() == 1_199
    status = json.loads(pusher.get(body["status_url"] + "?outcome=rejected").content)
    assert status["status"] == "done"
    assert [r["external_id"] for r in status["receipts"]["results"]] == ["nobody"]
    # The person's year was recomputed after the chunks' commits.
    _wait_for(
        lambda: YearSummary.objects.filter(
            person=world.person, year=YEAR, professional_earned__gte=90
        ).exists()
    )


def test_a_push_issues_a_certificate_and_a_withdrawal_revokes_it(celery_worker: Any) -> None:
    world = world_create("440100", "440105")
    person = world.person
    for category in ("public", "elective"):
        record_make(
            person,
            world.employer,
            status="approved",
            year=YEAR,
            category=category,
            hours=40,
            title=f"{category} training",
        )
    pusher = _pusher(["engineering"])
    response = pusher.post(
        {
            "records": [
                record(
                    person,
                    "pro-1",
                    series="engineering",
                    hours=90,
                    title="Engineering",
                    start_date=f"{YEAR}-03-01",
                    end_date=f"{YEAR}-03-10",
                )
            ]
        }
    )
    assert json.loads(response.content)["accepted"] == 1
    _wait_for(lambda: Certificate.objects.filter(person=person, year=YEAR, status="valid").exists())

    response = pusher.post({"records": [{"external_id": "pro-1", "withdrawn": True}]})
    assert json.loads(response.content)["withdrawn"] == 1
    _wait_for(
        lambda: Certificate.objects.filter(person=person, year=YEAR, status="revoked").exists()
    )
    assert not Certificate.objects.filter(person=person, year=YEAR, status="valid").exists()
