"""HRSS recheck: random samples within the office's region scope, confirm or revoke."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEntry, Region
from credits.models import RecheckItem, RecheckSample, Record, YearSeriesSummary, YearSummary
from credits.services.recheck import recheck_decide, recheck_sample_draw
from credits.services.validation import summaries_refresh
from tests.factories import (
    World,
    admin_of,
    employer_create,
    person_create,
    record_make,
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def draw(world: World, **kwargs: Any) -> RecheckSample:
    kwargs.setdefault("size", 100)
    return recheck_sample_draw(office=world.hrss, actor=admin_of(world.hrss), **kwargs)


def sampled(sample: RecheckSample) -> set[int]:
    return set(sample.items.values_list("record_id", flat=True))


# --- drawing ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_draw_takes_only_approved_records_within_the_region_scope(
    world: World, other_world: World
) -> None:
    extra = record_make(world.person, world.employer, title="Approved 2", status="approved")
    record_make(world.person, world.employer, title="Returned", status="returned")
    sample = draw(world)
    assert sampled(sample) == {world.approved_record.pk, extra.pk}
    assert other_world.approved_record.pk not in sampled(sample)
    assert sample.size == 2
    assert AuditEntry.objects.filter(
        action="recheck.draw", target_id=str(sample.pk), organisation=world.hrss
    ).exists()


@pytest.mark.django_db
def test_draw_is_random_and_limited_to_the_size(world: World) -> None:
    for n in range(12):
        record_make(world.person, world.employer, title=f"Approved {n}", status="approved")
    samples = [sampled(draw(world, size=3)) for _ in range(6)]
    assert all(len(s) == 3 for s in samples)
    assert len({frozenset(s) for s in samples}) > 1


@pytest.mark.django_db
def test_draw_narrows_by_year_series_region_and_employer(world: World) -> None:
    hrss_admin = admin_of(world.hrss)
    district = Region.objects.get(code="440106")
    second = employer_create(region=district, reviewer=hrss_admin, reviewer_org=world.hrss)
    person = person_create(series=("engineering", "accounting"))
    theirs = record_make(person, second, title="Accounting", status="approved", series="accounting")
    old = record_make(world.person, world.employer, title="Old", status="approved", year=2020)

    assert sampled(draw(world, employer_id=second.pk)) == {theirs.pk}
    assert sampled(draw(world, region_code="440106")) == {theirs.pk}
    assert sampled(draw(world, series_code="accounting")) == {theirs.pk}
    assert sampled(draw(world, year=2020)) == {old.pk}
    with pytest.raises(ValidationError):
        draw(world, region_code="440305")  # outside the office's scope: nothing matches


@pytest.mark.django_db
def test_a_non_hrss_organisation_cannot_draw(world: World) -> None:
    with pytest.raises(PermissionDenied):
        recheck_sample_draw(office=world.employer, actor=admin_of(world.employer), size=5)
    with pytest.raises(PermissionDenied):  # an HRSS office, but not this user's
        recheck_sample_draw(office=world.hrss, actor=admin_of(world.employer), size=5)
    client = Client()
    client.force_login(admin_of(world.employer))
    url = reverse("credits:recheck_samples", kwargs={"organisation_id": world.employer.pk})
    assert client.post(url, {"size": 5}).status_code in (403, 404)


@pytest.mark.django_db
def test_draw_through_the_page_redirects_to_the_sample(world: World) -> None:
    client = Client()
    client.force_login(admin_of(world.hrss))
    url = reverse("credits:recheck_samples", kwargs={"organisation_id": world.hrss.pk})
    response = client.post(url, {"size": 5, "series": "engineering"})
    sample = (
        RecheckSample.objects.filter(office=world.hrss)
        .exclude(pk=world.recheck_item.sample_id)
        .get()
    )
    assert response["Location"] == reverse(
        "credits:recheck_sample", kwargs={"organisation_id": world.hrss.pk, "sample_id": sample.pk}
    )
    assert sample.filters == {"series": "engineering"}


# --- deciding ---------------------------------------------------------------------------------


@pytest.fixture
def eager_celery(settings: Any) -> Iterator[None]:
    """Tasks run in-process: under `make test` the Celery app itself is not eager."""
    from portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = was


def year_figures(person_id: int, year: int) -> tuple[Decimal, Decimal, dict[str, Decimal]]:
    summary = YearSummary.objects.get(person_id=person_id, year=year)
    series = dict(
        YearSeriesSummary.objects.filter(person_id=person_id, year=year).values_list(
            "series__code", "earned"
        )
    )
    return summary.public_earned, summary.professional_earned, series


@pytest.mark.django_db
def test_revoke_with_a_reason_revokes_the_record_audits_and_refreshes_the_year(
    world: World, eager_celery: None, django_capture_on_commit_callbacks: Any
) -> None:
    item = world.recheck_item
    approved = world.approved_record
    other = record_make(world.person, world.employer, status="approved", hours=5)
    summaries_refresh(year=approved.year, person_ids=[world.person.pk])
    assert year_figures(world.person.pk, approved.year) == (
        Decimal(0),
        approved.hours + other.hours,
        {"engineering": approved.hours + other.hours},
    )

    with django_capture_on_commit_callbacks(execute=True):
        recheck_decide(
            office=world.hrss,
            actor=admin_of(world.hrss),
            item=item,
            outcome="revoked",
            reason="No attendance list",
        )

    record = Record.objects.get(pk=item.record_id)
    assert (record.status, record.reviewer_reason) == ("revoked", "No attendance list")
    item.refresh_from_db()
    assert (item.outcome, item.reason) == ("revoked", "No attendance list")
    audit = AuditEntry.objects.get(action="record.revoke", target_id=str(record.pk))
    assert (audit.from_state, audit.to_state, audit.organisation) == (
        "approved",
        "revoked",
        world.hrss,
    )
    # The person's year no longer counts the revoked hours; the other approved record stays.
    assert year_figures(world.person.pk, approved.year) == (
        Decimal(0),
        other.hours,
        {"engineering": other.hours},
    )


@pytest.mark.django_db
def test_revoke_without_a_reason_changes_nothing(world: World) -> None:
    with pytest.raises(ValidationError):
        recheck_decide(
            office=world.hrss,
            actor=admin_of(world.hrss),
            item=world.recheck_item,
            outcome="revoked",
            reason=" ",
        )
    assert Record.objects.get(pk=world.approved_record.pk).status == "approved"
    assert RecheckItem.objects.get(pk=world.recheck_item.pk).outcome == "pending"


@pytest.mark.django_db
def test_confirm_keeps_the_record_and_an_item_is_decided_once(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    actor = admin_of(world.hrss)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        recheck_decide(office=world.hrss, actor=actor, item=world.recheck_item, outcome="confirmed")
    assert callbacks == []
    assert Record.objects.get(pk=world.approved_record.pk).status == "approved"
    with pytest.raises(ValidationError):
        recheck_decide(
            office=world.hrss, actor=actor, item=world.recheck_item, outcome="revoked", reason="x"
        )
    assert Record.objects.get(pk=world.approved_record.pk).status == "approved"


@pytest.mark.django_db
def test_revoke_through_the_page_needs_a_reason(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin_of(world.hrss))
    url = reverse(
        "credits:recheck_decide",
        kwargs={"organisation_id": world.hrss.pk, "item_id": world.recheck_item.pk},
    )
    refused = client.post(url, {"outcome": "revoked"}, follow=True)
    assert "Give a reason for revoking a record." in refused.text
    assert Record.objects.get(pk=world.approved_record.pk).status == "approved"
    with django_capture_on_commit_callbacks(execute=False):
        client.post(url, {"outcome": "revoked", "reason": "Forged certificate"})
    assert Record.objects.get(pk=world.approved_record.pk).status == "revoked"


@pytest.mark.django_db
def test_other_office_cannot_decide_an_item(world: World, other_world: World) -> None:
    with pytest.raises(PermissionDenied):
        recheck_decide(
            office=other_world.hrss,
            actor=admin_of(other_world.hrss),
            item=world.recheck_item,
            outcome="confirmed",
        )


# --- pages and query counts -------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_sample_page_runs_a_fixed_number_of_queries(world: World) -> None:
    client = Client()
    client.force_login(admin_of(world.hrss))
    sample_url = reverse(
        "credits:recheck_sample",
        kwargs={"organisation_id": world.hrss.pk, "sample_id": world.recheck_item.sample_id},
    )
    _queries(client, sample_url)
    few = _queries(client, sample_url)
    sample = world.recheck_item.sample
    for n in range(15):
        person = person_create()
        record = record_make(person, world.employer, title=f"Approved {n}", status="approved")
        RecheckItem.objects.create(sample=sample, record=record)
    many = _queries(client, sample_url)
    assert few == many
    assert many <= 15
    list_url = reverse("credits:recheck_samples", kwargs={"organisation_id": world.hrss.pk})
    _queries(client, list_url)
    before = _queries(client, list_url)
    draw(world, size=3)
    draw(world, size=2)
    assert _queries(client, list_url) == before


@pytest.mark.django_db
def test_hrss_navigation_links_to_recheck(world: World) -> None:
    client = Client()
    client.force_login(admin_of(world.hrss))
    home = client.get(reverse("accounts:org_home", kwargs={"organisation_id": world.hrss.pk}))
    assert reverse("credits:recheck_samples", kwargs={"organisation_id": world.hrss.pk}) in (
        home.text
    )
