"""The employer that reviews a record can open its evidence (everyone else is refused: see
tests/test_access_policies.py, which tries every other role and organisation)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.factories import PDF_BYTES, World, admin_of


def _url(world: World, employer_id: int) -> str:
    return reverse(
        "credits:review_evidence_download",
        kwargs={
            "organisation_id": employer_id,
            "record_id": world.evidence.record_id,
            "evidence_id": world.evidence.pk,
        },
    )


def test_reviewer_downloads_the_evidence_under_its_original_name(world: World) -> None:
    client = Client()
    client.force_login(admin_of(world.employer))

    response = client.get(_url(world, world.employer.pk))

    assert response.status_code == 200
    assert response.getvalue().startswith(PDF_BYTES[:8])
    assert world.evidence.original_name in response["Content-Disposition"]
