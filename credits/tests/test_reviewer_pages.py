"""What employer reviewers and HRSS see and do: the home page counts, deciding from the record
page with the evidence previewed inline, a refused queue decision that keeps the ticks, the HRSS
read-only record page, and a revocation that names HRSS rather than the employer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from accounts import services as account_services
from accounts.models import AuditEntry, Membership
from credits.models import Evidence, RecheckItem, RecheckSample, Record
from credits.services.recheck import recheck_decide
from credits.tests.test_review_views import make
from tests.factories import PASSWORD, PDF_BYTES, World, admin_of

pytestmark = pytest.mark.django_db

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\0" * 24


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _reviewer(world: World) -> Membership:
    membership = account_services.membership_add(
        actor=admin_of(world.employer),
        organisation=world.employer,
        username=f"reviewer{world.employer.pk}",
        role="reviewer",
        password=PASSWORD,
    )
    assert isinstance(membership, Membership)  # a new login is a member at once
    return membership


def _detail_url(world: World, record: Record) -> str:
    return reverse(
        "credits:record_review_detail",
        kwargs={"organisation_id": world.employer.pk, "record_id": record.pk},
    )


def _queue_url(world: World) -> str:
    return reverse("credits:review_queue", kwargs={"organisation_id": world.employer.pk})


def _decide_url(world: World) -> str:
    return reverse("credits:review_decide", kwargs={"organisation_id": world.employer.pk})


def _home(organisation_id: int) -> str:
    return reverse("accounts:org_home", kwargs={"organisation_id": organisation_id})


def _revoke(world: World, reason: str = "No attendance list") -> Record:
    recheck_decide(
        office=world.hrss,
        actor=admin_of(world.hrss),
        item=world.recheck_item,
        outcome="revoked",
        reason=reason,
    )
    return Record.objects.get(pk=world.recheck_item.record_id)


# --- home pages: what waits --------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "reviewer"])
def test_employer_home_counts_records_awaiting_review_and_links_to_the_queue(
    world: World, who: str
) -> None:
    make(world.person, world.employer, 2)
    user = admin_of(world.employer) if who == "admin" else _reviewer(world).user
    waiting = _client(user).get(_home(world.employer.pk)).context["waiting"]
    records = [w for w in waiting if w.label == "Records awaiting review"]
    assert len(records) == 1
    assert records[0].count == 3  # world.record and the two made here
    assert records[0].url == _queue_url(world) + "?status=submitted"


def test_staff_without_review_permission_sees_no_record_count(world: World) -> None:
    response = _client(world.staff_membership.user).get(_home(world.employer.pk))
    assert all(w.label != "Records awaiting review" for w in response.context["waiting"])


def test_hrss_home_lists_its_open_recheck_samples_with_their_counts(world: World) -> None:
    hrss = admin_of(world.hrss)
    done = RecheckSample.objects.create(office=world.hrss, created_by=hrss, size=1)
    RecheckItem.objects.create(sample=done, record=world.approved_record, outcome="confirmed")
    sample = world.recheck_item.sample
    response = _client(hrss).get(_home(world.hrss.pk))
    waiting = {w.url: w.count for w in response.context["waiting"]}
    sample_url = reverse(
        "credits:recheck_sample", kwargs={"organisation_id": world.hrss.pk, "sample_id": sample.pk}
    )
    assert waiting[sample_url] == 1
    assert not any(f"/recheck/{done.pk}/" in url for url in waiting)
    assert sample_url in response.text

    _revoke(world)
    response = _client(hrss).get(_home(world.hrss.pk))
    waiting = {w.url: w.count for w in response.context["waiting"]}
    assert sample_url not in waiting
    samples_url = reverse("credits:recheck_samples", kwargs={"organisation_id": world.hrss.pk})
    assert waiting[samples_url] == 0


def _queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_home_pages_run_a_fixed_number_of_queries(world: World) -> None:
    employer = _client(admin_of(world.employer))
    hrss = _client(admin_of(world.hrss))
    few = (_queries(employer, _home(world.employer.pk)), _queries(hrss, _home(world.hrss.pk)))
    make(world.person, world.employer, 30)
    for _ in range(8):
        sample = RecheckSample.objects.create(
            office=world.hrss, created_by=admin_of(world.hrss), size=1
        )
        RecheckItem.objects.create(sample=sample, record=world.approved_record)
    many = (_queries(employer, _home(world.employer.pk)), _queries(hrss, _home(world.hrss.pk)))
    assert few == many
    assert max(many) <= 15


# --- the queue: a refused decision keeps the selection; "select this page" ----------------------


def test_missing_reason_keeps_the_ticked_rows_the_decision_and_the_page(world: World) -> None:
    records = make(world.person, world.employer, 25)  # with world.record: two pages
    client = _client(admin_of(world.employer))
    second_page = client.get(_queue_url(world) + "?page=2")
    on_page = [r.pk for r in second_page.context["page"]]
    ticked = on_page[:2]
    response = client.post(
        _decide_url(world),
        {"decision": "return", "record_ids": ticked, "page": "2", "reason": " "},
    )
    assert response.status_code == 200  # shown again, not redirected
    assert "Give a reason when you reject or return." in response.text
    assert [r.pk for r in response.context["page"]] == on_page
    checked = {
        int(pk) for pk in re.findall(r'name="record_ids" value="(\d+)"[^>]*checked', response.text)
    }
    assert checked == set(ticked)
    assert re.search(r'value="return" id="d-batch-t"[^>]*checked', response.text)
    assert not re.search(r'value="approve" id="d-batch-a"[^>]*checked', response.text)
    assert Record.objects.filter(pk__in=[r.pk for r in records], status="submitted").count() == 25
    # Pagination links lead back to the queue, not to the POST-only decide URL.
    assert f'href="{_queue_url(world)}?page=1"' in response.text


def test_select_this_page_decides_every_row_of_the_page_without_javascript(world: World) -> None:
    records = make(world.person, world.employer, 25)
    client = _client(admin_of(world.employer))
    page_one = client.get(_queue_url(world))
    on_page = [r.pk for r in page_one.context["page"]]
    assert "data-select-page" in page_one.text
    response = client.post(
        _decide_url(world),
        {"decision": "approve", "all_on_page": "1", "page_ids": on_page},
        follow=True,
    )
    assert "20 decided, 0 skipped." in response.text
    approved = set(
        Record.objects.filter(employer_id=world.employer.pk, status="approved").values_list(
            "pk", flat=True
        )
    )
    assert set(on_page) <= approved
    left = {r.pk for r in records} | {world.record.pk}
    assert Record.objects.filter(pk__in=left - set(on_page), status="submitted").count() == 6


# --- deciding from the record page ------------------------------------------------------------


def test_reviewer_approves_from_the_record_page_and_lands_on_the_next_record(
    world: World,
) -> None:
    later = make(world.person, world.employer, 1)[0]
    client = _client(_reviewer(world).user)
    page = client.get(_detail_url(world, world.record))
    assert page.context["decision_form"] is not None
    response = client.post(_detail_url(world, world.record), {"decision": "approve"})
    assert response.status_code == 302
    assert response["Location"] == _detail_url(world, later)
    world.record.refresh_from_db()
    assert world.record.status == "approved"
    assert AuditEntry.objects.filter(
        action="record.approve", target_id=str(world.record.pk)
    ).exists()


def test_reject_from_the_record_page_needs_a_reason_then_returns_to_the_queue(
    world: World,
) -> None:
    client = _client(admin_of(world.employer))
    refused = client.post(_detail_url(world, world.record), {"decision": "reject", "reason": ""})
    assert refused.status_code == 200
    assert "Give a reason when you reject or return." in refused.text
    world.record.refresh_from_db()
    assert world.record.status == "submitted"

    response = client.post(
        _detail_url(world, world.record), {"decision": "reject", "reason": "Forged certificate"}
    )
    assert response["Location"] == _queue_url(world)  # nothing else waits
    world.record.refresh_from_db()
    assert (world.record.status, world.record.reviewer_reason) == (
        "rejected",
        "Forged certificate",
    )


def test_a_decided_record_offers_no_decision_form_and_cannot_be_decided_again(
    world: World,
) -> None:
    client = _client(admin_of(world.employer))
    record = make(world.person, world.employer, 1, status=Record.Status.RETURNED)[0]
    assert client.get(_detail_url(world, record)).context["decision_form"] is None
    client.post(_detail_url(world, record), {"decision": "approve"})
    record.refresh_from_db()
    assert record.status == "returned"


def test_record_page_previews_the_evidence_inline(world: World) -> None:
    image = _evidence(world.record, PNG_BYTES, "image/png", "photo.png")
    response = _client(admin_of(world.employer)).get(_detail_url(world, world.record))
    pdf_url = _preview_url(world, world.evidence)
    assert f'<iframe src="{pdf_url}"' in response.text
    assert f'<img src="{_preview_url(world, image)}"' in response.text


# --- the preview response -----------------------------------------------------------------------


def _evidence(record: Record, data: bytes, content_type: str, name: str) -> Evidence:
    evidence = Evidence(
        record=record, original_name=name, content_type=content_type, size=len(data)
    )
    evidence.file.name = evidence.file.storage.save(f"test-world/{name}", ContentFile(data))
    evidence.save()
    return evidence


def _preview_url(world: World, evidence: Evidence, employer_id: int | None = None) -> str:
    return reverse(
        "credits:review_evidence_preview",
        kwargs={
            "organisation_id": employer_id or world.employer.pk,
            "record_id": evidence.record_id,
            "evidence_id": evidence.pk,
        },
    )


def test_pdf_preview_is_inline_typed_nosniff_and_sandboxed(world: World) -> None:
    response = _client(admin_of(world.employer)).get(_preview_url(world, world.evidence))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert world.evidence.original_name in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"  # the record page frames it
    csp = response["Content-Security-Policy"]
    assert csp.startswith("sandbox") and "default-src 'none'" in csp
    assert b"".join(response.streaming_content).startswith(PDF_BYTES[:8])  # type: ignore[attr-defined]


def test_image_preview_keeps_its_type(world: World) -> None:
    image = _evidence(world.record, PNG_BYTES, "image/png", "photo.png")
    response = _client(admin_of(world.employer)).get(_preview_url(world, image))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")


def test_a_file_of_another_type_is_not_previewed(world: World) -> None:
    odd = _evidence(world.record, b"<html>", "text/html", "page.html")
    response = _client(admin_of(world.employer)).get(_preview_url(world, odd))
    assert response.status_code == 404


def test_preview_is_refused_like_the_download(world: World, other_world: World) -> None:
    url = _preview_url(world, world.evidence, employer_id=other_world.employer.pk)
    assert _client(admin_of(other_world.employer)).get(url).status_code == 404
    staff = _client(world.staff_membership.user)
    assert staff.get(_preview_url(world, world.evidence)).status_code == 403


# --- HRSS: read-only record page of a sampled record ----------------------------------------


def _recheck_url(world: World, name: str = "credits:recheck_record", **extra: int) -> str:
    return reverse(
        name,
        kwargs={"organisation_id": world.hrss.pk, "item_id": world.recheck_item.pk, **extra},
    )


def test_sample_page_links_each_record_to_its_read_only_page(world: World) -> None:
    url = reverse(
        "credits:recheck_sample",
        kwargs={"organisation_id": world.hrss.pk, "sample_id": world.recheck_item.sample_id},
    )
    response = _client(admin_of(world.hrss)).get(url)
    assert _recheck_url(world) in response.text


def test_hrss_sees_the_sampled_record_and_its_evidence(world: World) -> None:
    client = _client(admin_of(world.hrss))
    response = client.get(_recheck_url(world))
    assert response.status_code == 200
    assert world.approved_record.title in response.text
    preview = _recheck_url(
        world, "credits:recheck_evidence_preview", evidence_id=world.approved_evidence.pk
    )
    download = _recheck_url(
        world, "credits:recheck_evidence_download", evidence_id=world.approved_evidence.pk
    )
    assert preview in response.text and download in response.text
    shown = client.get(preview)
    assert shown["Content-Disposition"].startswith("inline")
    assert shown["Content-Security-Policy"].startswith("sandbox")
    assert client.get(download)["Content-Disposition"].startswith("attachment")


def test_hrss_cannot_open_evidence_of_a_record_outside_its_samples(
    world: World, other_world: World
) -> None:
    client = _client(admin_of(world.hrss))
    # world.evidence belongs to world.record, which is in no sample.
    url = _recheck_url(world, "credits:recheck_evidence_preview", evidence_id=world.evidence.pk)
    assert client.get(url).status_code == 404
    other_item = reverse(
        "credits:recheck_record",
        kwargs={"organisation_id": world.hrss.pk, "item_id": other_world.recheck_item.pk},
    )
    assert client.get(other_item).status_code == 404


# --- a revoked record names HRSS ----------------------------------------------------------------


def test_revocation_stores_the_office(world: World) -> None:
    record = _revoke(world)
    assert (record.status, record.revoked_by_office_id) == ("revoked", world.hrss.pk)


def test_revoked_record_says_hrss_revoked_it_everywhere(world: World) -> None:
    record = _revoke(world, reason="No attendance list")
    person = _client(world.person.user)
    mine = person.get(reverse("credits:record_detail", kwargs={"record_id": record.pk}))
    assert f"Revoked by {world.hrss.name} in an HRSS recheck, not by your employer." in mine.text
    assert "No attendance list" in mine.text
    assert "Reviewer&#x27;s reason" not in mine.text
    assert "Revoked by HRSS" in person.get(reverse("credits:my_records")).text

    employer = _client(admin_of(world.employer))
    page = employer.get(_detail_url(world, record))
    assert f"{world.hrss.name}, in an HRSS recheck" in page.text
    listed = employer.get(_queue_url(world) + "?status=revoked")
    assert "Revoked by HRSS" in listed.text
    assert _client(admin_of(world.hrss)).get(_recheck_url(world)).context["record"].pk == record.pk


def test_record_pages_keep_a_fixed_number_of_queries_with_more_evidence(world: World) -> None:
    employer = _client(admin_of(world.employer))
    hrss = _client(admin_of(world.hrss))
    pages = [(employer, _detail_url(world, world.record)), (hrss, _recheck_url(world))]
    few = [_queries(client, url) for client, url in pages]
    for i in range(5):
        _evidence(world.record, PDF_BYTES, "application/pdf", f"more{i}.pdf")
        _evidence(world.approved_record, PNG_BYTES, "image/png", f"more{i}.png")
    assert [_queries(client, url) for client, url in pages] == few


def test_migration_fills_the_office_of_records_revoked_before_the_field(world: World) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("credits.migrations.0007_reviewer_revoked_by_office")
    record = _revoke(world)
    Record.objects.filter(pk=record.pk).update(revoked_by_office=None)
    migration.revoked_by_office_fill(apps, None)
    record.refresh_from_db()
    assert record.revoked_by_office_id == world.hrss.pk
