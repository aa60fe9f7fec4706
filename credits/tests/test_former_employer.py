"""A former employer no longer decides, opens or downloads a person's records; ending a
binding gives the records under review back to the person."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services as account_services
from accounts.models import AuditEntry, Decision, Notice
from credits.models import Record
from credits.permissions import get_record_for_employer
from credits.selectors.review import ReviewFilters, review_queue
from credits.services import (
    record_decision_change,
    record_submit,
    records_review,
    review_job_process,
    review_job_start,
)
from credits.services.reviews import _decide_portable
from tests.factories import World, admin_of, bind, employer_create, record_make


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _end(world: World) -> None:
    account_services.employment_end(actor=world.person.user, employment=world.employment)


def _still_submitted(world: World) -> Record:
    """A record left under review by the former employer (e.g. written before this fix)."""
    return record_make(world.person, world.employer, title="Left behind", status="submitted")


# --- decisions ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_former_employer_cannot_decide_records_batch(world: World) -> None:
    _end(world)
    record = _still_submitted(world)

    result = records_review(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        record_ids=[record.pk],
        decision=Decision.APPROVE,
    )

    assert (result.decided, result.skipped) == (0, 1)
    record.refresh_from_db()
    assert record.status == Record.Status.SUBMITTED


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path")
def test_postgresql_path_skips_former_employees_but_decides_current_ones(world: World) -> None:
    assert connection.vendor == "postgresql"
    current = record_make(world.person, world.employer, title="Current")
    _end(world)
    former = _still_submitted(world)

    result = records_review(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        record_ids=[current.pk, former.pk],
        decision=Decision.APPROVE,
    )

    # `current` was returned by the unbind, `former` is no longer the employer's to decide.
    assert result.decided == 0
    assert set(
        Record.objects.filter(pk__in=[current.pk, former.pk]).values_list("status", flat=True)
    ) == {Record.Status.RETURNED, Record.Status.SUBMITTED}


@pytest.mark.django_db
def test_portable_path_skips_former_employees(world: World) -> None:
    _end(world)
    record = _still_submitted(world)

    decided, _pairs = _decide_portable(
        ids=[record.pk],
        employer=world.employer,
        reviewer=admin_of(world.employer),
        to_state=Record.Status.APPROVED,
        reason="",
        now=timezone.now(),
        action="record.approve",
        notice_kind="",
    )

    assert decided == []


@pytest.mark.django_db
def test_review_job_skips_former_employees(world: World) -> None:
    _end(world)
    record = _still_submitted(world)
    job = review_job_start(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        record_ids=[record.pk],
        decision=Decision.APPROVE,
    )

    job = review_job_process(job=job)

    assert (job.decided, job.skipped) == (0, 1)
    record.refresh_from_db()
    assert record.status == Record.Status.SUBMITTED


@pytest.mark.django_db
def test_former_employer_cannot_change_an_approved_decision(world: World) -> None:
    _end(world)

    with pytest.raises(PermissionDenied):
        record_decision_change(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            record=world.approved_record,
            reason="Changed my mind",
        )


# --- reads -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_former_employer_no_longer_finds_the_record(world: World) -> None:
    assert get_record_for_employer(world.employer, world.approved_record.pk)
    _end(world)

    with pytest.raises(Http404):
        get_record_for_employer(world.employer, world.approved_record.pk)
    assert not review_queue(world.employer, filters=ReviewFilters(status="")).exists()


@pytest.mark.django_db
def test_former_employer_cannot_open_the_record_or_download_its_evidence(world: World) -> None:
    client = Client()
    client.force_login(admin_of(world.employer))
    kwargs = {"organisation_id": world.employer.pk, "record_id": world.record.pk}
    detail = reverse("credits:record_review_detail", kwargs=kwargs)
    download = reverse(
        "credits:review_evidence_download", kwargs={**kwargs, "evidence_id": world.evidence.pk}
    )
    queue = reverse("credits:review_queue", kwargs={"organisation_id": world.employer.pk})
    assert client.get(detail).status_code == 200
    assert client.get(download).status_code == 200
    assert world.record.title in client.get(queue).content.decode()

    _end(world)

    assert client.get(detail).status_code == 404
    assert client.get(download).status_code == 404
    assert world.record.title not in client.get(queue).content.decode()


# --- ending a binding returns the records under review -----------------------------------------


def _assert_returned_with_audit(world: World, actor_id: int) -> None:
    world.record.refresh_from_db()
    assert world.record.status == Record.Status.RETURNED
    assert "binding" in world.record.reviewer_reason or "绑定" in world.record.reviewer_reason
    assert world.employer.name in world.record.reviewer_reason
    entry = AuditEntry.objects.get(
        target_type="credits.record", target_id=str(world.record.pk), action="record.return_unbound"
    )
    assert (entry.from_state, entry.to_state) == ("submitted", "returned")
    assert entry.actor_id == actor_id
    assert entry.organisation_id == world.employer.pk
    assert entry.reason == world.record.reviewer_reason  # says the binding ended
    world.approved_record.refresh_from_db()
    assert world.approved_record.status == Record.Status.APPROVED  # decided records stay


@pytest.mark.django_db
def test_person_ending_the_binding_gets_records_under_review_back(world: World) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.person.user)

    response = client.post(
        reverse("accounts:me_employment_end", kwargs={"employment_id": world.employment.pk})
    )

    assert response.status_code == 302
    _assert_returned_with_audit(world, world.person.user.pk)


@pytest.mark.django_db
def test_employer_unbinding_staff_returns_their_records_under_review(world: World) -> None:
    admin = admin_of(world.employer)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)

    response = client.post(
        reverse(
            "accounts:staff_unbind",
            kwargs={"organisation_id": world.employer.pk, "employment_id": world.employment.pk},
        ),
        {"reason": "Left the company"},
    )

    assert response.status_code == 302
    _assert_returned_with_audit(world, admin.pk)
    # The person is told, with a link to the record and the reason.
    [notice] = Notice.objects.filter(recipient=world.person.user, kind="record_returned")
    assert notice.link == reverse("credits:record_detail", args=[world.record.pk])
    assert world.employer.name in notice.params["reason"]


@pytest.mark.django_db
def test_returned_record_goes_to_the_new_employer_once_bound(world: World) -> None:
    _end(world)
    new_employer = employer_create(
        region=world.employer.region, reviewer=admin_of(world.hrss), reviewer_org=world.hrss
    )
    bind(world.person, new_employer)
    world.record.refresh_from_db()

    record = record_submit(person=world.person, record=world.record)

    assert record.status == Record.Status.SUBMITTED
    assert record.employer_id == new_employer.pk
    result = records_review(
        reviewer=admin_of(new_employer),
        employer=new_employer,
        record_ids=[record.pk],
        decision=Decision.APPROVE,
    )
    assert result.decided == 1
