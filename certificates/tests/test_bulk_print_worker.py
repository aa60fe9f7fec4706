"""Bulk printing through the real Celery worker (the ``certificates`` queue): chunks,
progress, the finished ZIP (the signed PDFs byte for byte) and the merged PDF."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry
from certificates.models import BulkPrintJob, Certificate
from certificates.signing import pdf_signature_check
from certificates.tests.bulk_helpers import (
    YEAR,
    certificate_make,
    pdf_pages,
    staff_make,
    zip_entries,
)
from tests.factories import admin_of, world_create


def _print_order(certificate: Certificate) -> tuple[str, str]:
    return (certificate.person_name, certificate.number)


def _wait_finished(job_id: int, timeout: float = 120) -> BulkPrintJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = BulkPrintJob.objects.get(pk=job_id)
        if job.status in ("finished", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError("timed out waiting for the worker")


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("format", ["zip", "pdf"])
def test_bulk_print_runs_in_chunks_on_the_worker(
    celery_worker: Any, settings: Any, format: str
) -> None:
    settings.CERTIFICATE_BULK_CHUNK = 2  # three certificates: two chunks
    home, other = world_create("440100", "440105"), world_create("440300", "440305")
    staff = staff_make(home.employer, 2)
    printed = [certificate_make(p, home.employer) for p in [home.person, *staff]]
    # Not printed: a superseded one, another year's, another employer's staff's.
    certificate_make(staff[0], home.employer, year=YEAR - 1)
    certificate_make(other.person, other.employer)
    Certificate.objects.filter(pk=printed[0].pk).update(status="superseded")
    printed[0] = certificate_make(home.person, home.employer)

    client = Client()
    client.force_login(admin_of(home.employer))
    url = reverse("certificates:org_print_jobs", kwargs={"organisation_id": home.employer.pk})
    response = client.post(url, {"year": YEAR, "format": format})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = BulkPrintJob.objects.get()
    assert job.total == 3 and job.chunks == 2

    job = _wait_finished(job.pk)
    assert job.status == "finished", job.error
    assert job.done == 3 and job.percent == 100 and job.expires_at is not None
    assert job.parts.count() == 2
    page = client.get(response["Location"])
    assert "hx-get" not in page.content.decode()  # finished: the page stops polling
    download = reverse(
        "certificates:org_print_job_download",
        kwargs={"organisation_id": home.employer.pk, "print_job_id": job.pk},
    )
    assert download in page.content.decode()
    data = b"".join(client.get(download).streaming_content)  # type: ignore[attr-defined]

    if format == "zip":
        entries = zip_entries(data)
        assert len(entries) == 3
        stored = {}
        for certificate in printed:
            with certificate.pdf.open("rb") as handle:
                stored[certificate.number] = handle.read()
        for name, content in entries.items():
            number = next(n for n in stored if n in name)
            assert content == stored[number]  # the signed original, byte for byte
            assert pdf_signature_check(content).intact
        assert {n for n in stored} == {next(n for n in stored if n in e) for e in entries}
    else:
        assert data.startswith(b"%PDF")
        expected = 0
        for certificate in printed:
            with certificate.pdf.open("rb") as handle:
                expected += pdf_pages(handle.read())
        assert pdf_pages(data) == expected
        # Poppler reads it too, every certificate's text in print order.
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
        ).stdout.decode()
        positions = [text.index(c.number) for c in sorted(printed, key=_print_order)]
        assert positions == sorted(positions)
    actions = set(AuditEntry.objects.filter(target_id=str(job.pk)).values_list("action", flat=True))
    assert {
        "certificate_print.request",
        "certificate_print.finish",
        "certificate_print.download",
    } <= actions
