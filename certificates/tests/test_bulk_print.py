"""Bulk printing without a worker: idempotent chunks, progress, the link's expiry (410),
access by the requesting organisation only, and the job list's fixed query count."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.models import BulkPrintJob
from certificates.services.bulk_print import (
    bulk_print_chunk,
    bulk_print_cleanup,
    bulk_print_finish,
    bulk_print_start,
)
from certificates.tests.bulk_helpers import YEAR, certificate_make, staff_make, zip_entries
from tests.factories import World, admin_of

pytestmark = pytest.mark.django_db


def _job(world: World, count: int = 3, chunk: int = 2, format: str = "zip") -> BulkPrintJob:
    for person in [world.person, *staff_make(world.employer, count - 1)]:
        certificate_make(person, world.employer)
    from django.conf import settings

    settings.CERTIFICATE_BULK_CHUNK = chunk
    return bulk_print_start(
        actor=admin_of(world.employer), organisation=world.employer, year=YEAR, format=format
    )


def _url(name: str, job: BulkPrintJob, organisation_id: int | None = None) -> str:
    return reverse(
        f"certificates:{name}",
        kwargs={
            "organisation_id": organisation_id or job.organisation_id,
            "print_job_id": job.pk,
        },
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _finished(world: World) -> BulkPrintJob:
    job = _job(world)
    for index in range(job.chunks):
        bulk_print_chunk(job_id=job.pk, index=index)
    assert bulk_print_finish(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_a_chunk_run_twice_is_stored_and_counted_once(world: World, settings: Any) -> None:
    job = _job(world)
    assert bulk_print_chunk(job_id=job.pk, index=0) is True
    assert bulk_print_chunk(job_id=job.pk, index=0) is False  # redelivered
    job.refresh_from_db()
    assert job.parts.count() == 1 and job.done == 2 and job.status == "running"
    assert bulk_print_finish(job_id=job.pk) is False  # not every chunk is there yet
    assert bulk_print_chunk(job_id=job.pk, index=1) is True
    assert bulk_print_finish(job_id=job.pk) is True
    assert bulk_print_finish(job_id=job.pk) is False  # a second finish changes nothing
    job.refresh_from_db()
    assert job.done == job.total == 3 and job.status == "finished"
    with job.file.open("rb") as handle:
        assert len(zip_entries(handle.read())) == 3


def test_the_job_page_shows_progress_and_polls_until_finished(world: World, settings: Any) -> None:
    job = _job(world)
    client = _client(admin_of(world.employer))
    bulk_print_chunk(job_id=job.pk, index=0)
    partial = client.get(_url("org_print_job", job), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" in partial and "66%" in partial and 'aria-valuenow="66"' in partial
    bulk_print_chunk(job_id=job.pk, index=1)
    bulk_print_finish(job_id=job.pk)
    page = client.get(_url("org_print_job", job)).content.decode()
    assert "hx-get" not in page and _url("org_print_job_download", job) in page


def test_the_download_link_expires_with_410(world: World, settings: Any) -> None:
    settings.CERTIFICATE_BULK_LINK_HOURS = 2
    job = _finished(world)
    assert job.expires_at == job.finished_at + timedelta(hours=2)  # type: ignore[operator]
    client = _client(admin_of(world.employer))
    url = _url("org_print_job_download", job)
    # (Moving the clock would end the login session too: move the deadline instead.)
    BulkPrintJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() + timedelta(minutes=1))
    assert client.get(url).status_code == 200
    BulkPrintJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(url)
    assert response.status_code == 410
    assert "过期" in response.content.decode() or "expired" in response.content.decode()


def test_an_unfinished_job_has_nothing_to_download(world: World, settings: Any) -> None:
    job = _job(world)
    response = _client(admin_of(world.employer)).get(_url("org_print_job_download", job))
    assert response.status_code == 302 and response["Location"] == _url("org_print_job", job)


def test_only_the_requesting_organisation_sees_and_downloads_the_job(
    world: World, other_world: World, settings: Any
) -> None:
    job = _finished(world)
    member = _client(world.staff_membership.user)  # a plain sub-account of the employer
    assert member.get(_url("org_print_job_download", job)).status_code == 200
    outsider = _client(admin_of(other_world.employer))
    for name in ("org_print_job", "org_print_job_download"):
        # Its own organisation in the URL, our job: not found.
        assert (
            outsider.get(_url(name, job, organisation_id=other_world.employer.pk)).status_code
            == 404
        )
        # Our organisation in the URL: not a member.
        assert outsider.get(_url(name, job)).status_code in (403, 404)
    person = _client(world.person.user)
    assert person.get(_url("org_print_job_download", job)).status_code in (403, 404)


def test_nothing_to_print_is_a_form_error(world: World) -> None:
    client = _client(admin_of(world.employer))
    url = reverse("certificates:org_print_jobs", kwargs={"organisation_id": world.employer.pk})
    response = client.post(url, {"year": YEAR, "format": "pdf"})
    assert response.status_code == 200 and not BulkPrintJob.objects.exists()
    assert response.context["form"].errors["year"]


def test_the_job_list_keeps_a_fixed_number_of_queries(world: World, settings: Any) -> None:
    certificate_make(world.person, world.employer)
    admin = admin_of(world.employer)
    client = _client(admin)
    url = reverse("certificates:org_print_jobs", kwargs={"organisation_id": world.employer.pk})

    def count_queries(jobs: int) -> int:
        for _ in range(jobs):
            bulk_print_start(actor=admin, organisation=world.employer, year=YEAR, format="zip")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries)

    few = count_queries(2)
    many = count_queries(25)  # 27 jobs: a full page and a second one
    assert many == few
    response = client.get(url)
    assert len(response.context["page"].object_list) == 20
    assert timezone.now()


def test_expired_files_are_deleted_once_and_audited(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.management import call_command

    from accounts.models import AuditEntry

    expired = _finished(world)
    fresh = bulk_print_start(
        actor=admin_of(world.employer), organisation=world.employer, year=YEAR, format="pdf"
    )
    for index in range(fresh.chunks):
        bulk_print_chunk(job_id=fresh.pk, index=index)
    assert bulk_print_finish(job_id=fresh.pk)
    name = str(expired.file.name)
    storage = expired.file.storage
    assert storage.exists(name)
    BulkPrintJob.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("certificates_cleanup", stdout=StringIO())
    expired.refresh_from_db()
    fresh.refresh_from_db()
    assert not expired.file and not storage.exists(name)
    assert fresh.file and storage.exists(str(fresh.file.name))
    entries = AuditEntry.objects.filter(action="certificate_print.expire")
    assert [entry.target_id for entry in entries] == [str(expired.pk)]
    # Idempotent: a second run deletes nothing and writes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk_print_cleanup() == 0
    assert entries.count() == 1
    # The download link still answers "expired", not an error.
    response = _client(admin_of(world.employer)).get(_url("org_print_job_download", expired))
    assert response.status_code == 410


def test_the_beat_schedule_runs_the_cleanup_task() -> None:
    from django.conf import settings

    from portal.celery import app

    app.loader.import_default_modules()
    tasks = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "certificates.tasks.bulk_print_cleanup_task" in tasks
    assert all(task in app.tasks for task in tasks)
