"""The employer's review queue: filters, sort, pagination, decisions now or as a background job,
the job's progress page, and changing an approved decision to rejected."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEntry, Person
from credits.models import Record, ReviewJob
from credits.views.review import SYNC_LIMIT
from tests.factories import World, admin_of, bind, person_create, world_create

_titles = itertools.count()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def client(world: World) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_of(world.employer))
    return client


def make(
    person: Person,
    employer: Any,
    count: int,
    *,
    status: str = Record.Status.SUBMITTED,
    year: int = 2023,
    category: str = Record.Category.PUBLIC,
    source: str = Record.Source.SELF_DECLARED,
    day: dt.date | None = None,
) -> list[Record]:
    day = day or dt.date(year, 5, 10)
    return Record.objects.bulk_create(
        Record(
            person=person,
            year=year,
            category=category,
            hours=Decimal(2),
            original_amount=Decimal(2),
            title=f"Lecture {next(_titles)}",
            form=Record.Form.CLASS,
            start_date=day,
            end_date=day,
            status=status,
            source=source,
            employer=employer,
        )
        for _ in range(count)
    )


def queue_url(world: World, **params: Any) -> str:
    url = reverse("credits:review_queue", kwargs={"organisation_id": world.employer.pk})
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def decide_url(world: World) -> str:
    return reverse("credits:review_decide", kwargs={"organisation_id": world.employer.pk})


def shown(response: Any) -> set[int]:
    return {r.pk for r in response.context["page"]}


# --- the queue --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_queue_shows_only_own_records_under_review_by_default(world: World, client: Client) -> None:
    other = world_create("440300", "440305")
    make(other.person, other.employer, 2)
    mine = make(world.person, world.employer, 2)
    make(world.person, world.employer, 1, status=Record.Status.RETURNED)
    response = client.get(queue_url(world))
    assert response.status_code == 200
    assert shown(response) == {world.record.pk, *(r.pk for r in mine)}


@pytest.mark.django_db
def test_queue_filters_by_year_category_series_source_status_and_person(
    world: World, client: Client
) -> None:
    old = make(world.person, world.employer, 1, year=2022)
    elective = make(world.person, world.employer, 1, category=Record.Category.ELECTIVE)
    synced = make(world.person, world.employer, 1, source=Record.Source.SYNC_PARTNER)
    approved = make(world.person, world.employer, 1, status=Record.Status.APPROVED)
    someone = person_create()
    bind(someone, world.employer)
    theirs = make(someone, world.employer, 1)

    assert shown(client.get(queue_url(world, year=2022))) == {old[0].pk}
    assert shown(client.get(queue_url(world, category="elective"))) == {elective[0].pk}
    assert shown(client.get(queue_url(world, series="engineering"))) == {world.record.pk}
    assert shown(client.get(queue_url(world, source="sync_partner"))) == {synced[0].pk}
    assert shown(client.get(queue_url(world, status="approved"))) == {
        approved[0].pk,
        world.approved_record.pk,
    }
    assert len(shown(client.get(queue_url(world, status="all")))) == 7
    by_name = client.get(queue_url(world, person=someone.real_name[-3:]))
    assert shown(by_name) == {theirs[0].pk}
    by_id = client.get(queue_url(world, person=someone.id_number.lower()))
    assert shown(by_id) == {theirs[0].pk}


@pytest.mark.django_db
def test_queue_sorts_by_a_whitelisted_field_and_ignores_others(
    world: World, client: Client
) -> None:
    early = make(world.person, world.employer, 1, day=dt.date(2023, 1, 2))
    late = make(world.person, world.employer, 1, day=dt.date(2023, 12, 2))
    rows = list(client.get(queue_url(world, sort="-start_date", year=2023)).context["page"])
    assert [r.pk for r in rows][:1] == [late[0].pk]
    rows = list(client.get(queue_url(world, sort="start_date", year=2023)).context["page"])
    assert rows[0].pk == early[0].pk
    assert client.get(queue_url(world, sort="person__password")).status_code == 200


@pytest.mark.django_db
def test_queue_pages_by_twenty_and_keeps_the_filter_in_page_links(
    world: World, client: Client
) -> None:
    make(world.person, world.employer, 30, year=2022)
    first = client.get(queue_url(world, year=2022))
    assert len(first.context["page"]) == 20
    assert "year=2022&page=2" in first.text
    second = client.get(queue_url(world, year=2022, page=2))
    assert len(second.context["page"]) == 10


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_queue_runs_a_fixed_number_of_queries(world: World, client: Client) -> None:
    make(world.person, world.employer, 1)
    _queries(client, queue_url(world))  # warm the session and caches
    few = _queries(client, queue_url(world))
    for _ in range(5):
        someone = person_create()
        bind(someone, world.employer)
        make(someone, world.employer, 5)
    many = _queries(client, queue_url(world))
    assert few == many
    assert many <= 15


# --- deciding selected rows -------------------------------------------------------------------


@pytest.mark.django_db
def test_selected_rows_are_approved_with_one_audit_row_each(world: World, client: Client) -> None:
    records = make(world.person, world.employer, 3)
    chosen = [records[0].pk, records[1].pk]
    response = client.post(
        decide_url(world),
        {"decision": "approve", "record_ids": chosen, "query": "year=2023"},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("?year=2023")
    assert "2 decided, 0 skipped." in response.text
    statuses = dict(Record.objects.filter(pk__in=ids_of(records)).values_list("pk", "status"))
    assert statuses == {chosen[0]: "approved", chosen[1]: "approved", records[2].pk: "submitted"}
    assert (
        AuditEntry.objects.filter(action="record.approve", target_id__in=map(str, chosen)).count()
        == 2
    )


def ids_of(records: list[Record]) -> list[int]:
    return [r.pk for r in records]


@pytest.mark.django_db
@pytest.mark.parametrize("decision", ["reject", "return"])
def test_reject_or_return_needs_a_reason_and_changes_nothing_without_one(
    world: World, client: Client, decision: str
) -> None:
    records = make(world.person, world.employer, 2)
    response = client.post(
        decide_url(world), {"decision": decision, "record_ids": ids_of(records)}, follow=True
    )
    assert "Give a reason when you reject or return." in response.text
    assert set(Record.objects.filter(pk__in=ids_of(records)).values_list("status", flat=True)) == {
        "submitted"
    }
    response = client.post(
        decide_url(world),
        {"decision": decision, "record_ids": ids_of(records), "reason": "Attach proof"},
        follow=True,
    )
    assert "2 decided, 0 skipped." in response.text
    expected = "rejected" if decision == "reject" else "returned"
    assert set(Record.objects.filter(pk__in=ids_of(records)).values_list("status", flat=True)) == {
        expected
    }


@pytest.mark.django_db
def test_a_record_already_decided_or_of_another_employer_is_skipped(
    world: World, client: Client
) -> None:
    other = world_create("440300", "440305")
    response = client.post(
        decide_url(world),
        {
            "decision": "approve",
            "record_ids": [world.record.pk, world.approved_record.pk, other.record.pk],
        },
        follow=True,
    )
    assert "1 decided, 2 skipped." in response.text
    other.record.refresh_from_db()
    assert other.record.status == "submitted"


@pytest.mark.django_db
def test_nothing_selected_is_an_error(world: World, client: Client) -> None:
    response = client.post(decide_url(world), {"decision": "approve"}, follow=True)
    assert "Select at least one record." in response.text


# --- all matching → background job ------------------------------------------------------------


@pytest.mark.django_db
def test_all_matching_creates_a_review_job_with_the_filtered_ids(
    world: World, client: Client
) -> None:
    wanted = make(world.person, world.employer, 4, year=2022)
    make(world.person, world.employer, 2, year=2021)
    make(world.person, world.employer, 1, year=2022, status=Record.Status.APPROVED)
    response = client.post(
        decide_url(world),
        {"decision": "return", "reason": "Add proof", "all_matching": "1", "query": "year=2022"},
    )
    job = ReviewJob.objects.exclude(pk=world.review_job.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "credits:review_job", kwargs={"organisation_id": world.employer.pk, "job_id": job.pk}
    )
    assert job.record_ids == sorted(ids_of(wanted))
    assert (job.decision, job.reason, job.total) == ("return", "Add proof", 4)
    assert job.requested_by == admin_of(world.employer)


@pytest.mark.django_db
def test_a_large_selection_runs_as_a_job(world: World, client: Client) -> None:
    records = make(world.person, world.employer, SYNC_LIMIT + 1)
    client.post(decide_url(world), {"decision": "approve", "record_ids": ids_of(records)})
    job = ReviewJob.objects.exclude(pk=world.review_job.pk).get()
    assert job.total == SYNC_LIMIT + 1
    assert Record.objects.filter(pk__in=ids_of(records), status="submitted").count() == len(records)


@pytest.mark.django_db
def test_job_page_polls_while_queued_and_shows_the_percent(world: World, client: Client) -> None:
    job = world.review_job
    ReviewJob.objects.filter(pk=job.pk).update(total=4, done=1, status="running")
    url = reverse(
        "credits:review_job", kwargs={"organisation_id": world.employer.pk, "job_id": job.pk}
    )
    page = client.get(url)
    assert page.status_code == 200
    assert "<html" in page.text
    assert 'hx-trigger="every 1s"' in page.text
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.text
    assert "1 of 4 processed (25%)" in fragment.text
    assert 'aria-valuenow="25"' in fragment.text


@pytest.mark.django_db
def test_finished_job_stops_polling_and_shows_the_summary(world: World, client: Client) -> None:
    job = world.review_job
    ReviewJob.objects.filter(pk=job.pk).update(
        total=3, done=3, decided=2, skipped=1, status="finished"
    )
    url = reverse(
        "credits:review_job", kwargs={"organisation_id": world.employer.pk, "job_id": job.pk}
    )
    fragment = client.get(url, HTTP_HX_REQUEST="true").text
    assert "hx-trigger" not in fragment
    assert "Finished: 2 decided, 1 skipped" in fragment


@pytest.mark.django_db
def test_job_page_of_a_queued_job_renders(world: World, client: Client) -> None:
    url = reverse(
        "credits:review_job",
        kwargs={"organisation_id": world.employer.pk, "job_id": world.review_job.pk},
    )
    response = client.get(url)
    assert response.status_code == 200
    assert "0 of 1 processed (0%)" in response.text


# --- record detail and changing an approved decision --------------------------------------------


def detail_url(world: World, record: Record) -> str:
    return reverse(
        "credits:record_review_detail",
        kwargs={"organisation_id": world.employer.pk, "record_id": record.pk},
    )


@pytest.mark.django_db
def test_approved_record_changes_to_rejected_with_a_reason(world: World, client: Client) -> None:
    record = world.approved_record
    page = client.get(detail_url(world, record))
    assert "Change the decision to rejected" in page.text
    refused = client.post(detail_url(world, record), {"reason": "  "})
    assert refused.status_code == 200
    record.refresh_from_db()
    assert record.status == "approved"
    response = client.post(detail_url(world, record), {"reason": "Certificate is forged"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.reviewer_reason) == ("rejected", "Certificate is forged")
    assert AuditEntry.objects.filter(
        action="record.decision_change", target_id=str(record.pk), reason="Certificate is forged"
    ).exists()


@pytest.mark.django_db
def test_detail_of_a_submitted_record_offers_no_change_form(world: World, client: Client) -> None:
    page = client.get(detail_url(world, world.record))
    assert page.status_code == 200
    assert page.context["form"] is None
    assert world.record.title in page.text


@pytest.mark.django_db
def test_staff_without_review_permission_is_refused(world: World) -> None:
    client = Client()
    client.force_login(world.staff_membership.user)
    assert client.get(queue_url(world)).status_code == 403


@pytest.mark.django_db
def test_navigation_links_to_the_queue_for_reviewers(world: World, client: Client) -> None:
    home = client.get(reverse("accounts:org_home", kwargs={"organisation_id": world.employer.pk}))
    assert queue_url(world) in home.text
