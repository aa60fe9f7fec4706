"""The person's record pages and yearly progress, through the Django test client."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from credits.models import Evidence, Record
from tests.factories import PDF_BYTES, World, person_create, record_make

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2024, 4, 1, 10, tzinfo=SHANGHAI)
WORLD_TIME = NOW  # the module's world is built at the time its tests run (conftest)


@pytest.fixture(autouse=True)
def _frozen_english_and_fast(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.LANGUAGE_CODE = "en"
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def client_(world: World) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.person.user)
    return client


def form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "year": 2023,
        "category": "professional",
        "series": "engineering",
        "amount": "8",
        "unit": "hours",
        "title": "Bridge design code update",
        "form": "class",
        "start_date": "2023-05-10",
        "end_date": "2023-05-10",
        "assessment_result": "pass",
        "institution_name": "Guangzhou CE centre",
        "kind": "",
    }
    data.update(overrides)
    return data


def pdf(name: str = "结业证书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def mine() -> Any:
    """Records declared in the test (the world's own records have other titles)."""
    return Record.objects.filter(title="Bridge design code update")


def declare(client: Client, **overrides: Any) -> Any:
    return client.post(reverse("credits:record_new"), form_data(**overrides))


# --- declaring -------------------------------------------------------------------------------


def test_person_declares_a_draft_with_several_evidence_files(client_: Client, world: World) -> None:
    response = client_.post(
        reverse("credits:record_new"),
        {**form_data(amount="2", unit="days"), "evidence": [pdf(), pdf("second.pdf")]},
    )

    record = Record.objects.get(title="Bridge design code update")
    assert response.status_code == 302
    assert response["Location"] == reverse("credits:record_detail", args=[record.pk])
    assert record.person == world.person
    assert record.status == Record.Status.DRAFT
    assert (record.hours, record.original_amount, record.original_unit) == (16, 2, "days")
    assert sorted(e.original_name for e in record.evidence.all()) == ["second.pdf", "结业证书.pdf"]
    page = client_.get(response["Location"]).content.decode()
    assert "16.0 h" in page and "2.0 days" in page and "结业证书.pdf" in page


def test_a_declared_inhouse_record_never_has_an_approved_plan(client_: Client) -> None:
    """Decision 0018: a ticked box (even a forged field) does not make a plan approved."""
    declare(client_, kind="inhouse_training", approved_plan="on")

    record = mine().get()
    assert (record.kind, record.approved_plan) == ("inhouse_training", False)


def test_approved_plan_is_ignored_for_ordinary_records(client_: Client) -> None:
    declare(client_, approved_plan="on")

    assert mine().get().approved_plan is None


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"amount": "25"}, "amount", "more than 24 hours a day"),
        ({"start_date": "2022-12-30"}, "start_date", "must fall in the declared year 2023"),
        ({"end_date": "2024-01-02"}, "end_date", "must fall in the declared year 2023"),
        ({"series": "accounting"}, "series", "Select a valid choice"),
        ({"category": "professional", "series": ""}, "series", "Choose the series"),
        ({"kind": "nonsense"}, "kind", "Select a valid choice"),
    ],
)
def test_declaration_errors_show_on_their_field_and_save_nothing(
    client_: Client, overrides: dict[str, str], field: str, text: str
) -> None:
    response = declare(client_, **overrides, evidence=pdf())

    assert response.status_code == 200
    assert text in " ".join(response.context["form"].errors[field])
    assert not mine().exists()
    assert not Evidence.objects.filter(record__in=mine()).exists()


def test_declaration_after_the_years_deadline_is_refused_on_the_year(world: World) -> None:
    with time_machine.travel(dt.datetime(2025, 1, 1, 10, tzinfo=SHANGHAI), tick=False):
        client = Client()
        client.force_login(world.person.user)
        response = declare(client)

    assert "closed on 2024-12-31" in " ".join(response.context["form"].errors["year"])
    assert not mine().exists()


def test_duplicate_declaration_is_refused_on_the_content(client_: Client) -> None:
    declare(client_)
    response = declare(client_)

    assert "already declared" in " ".join(response.context["form"].errors["title"])
    assert mine().count() == 1


def test_evidence_that_is_not_a_pdf_or_image_is_refused_on_the_evidence_field(
    client_: Client,
) -> None:
    fake = SimpleUploadedFile("cert.pdf", b"<html>not a pdf</html>", content_type="text/html")
    response = declare(client_, evidence=fake)

    assert "not a PDF, JPEG or PNG" in " ".join(response.context["form"].errors["evidence"])
    assert not mine().exists()


# --- submitting, editing, resubmitting -----------------------------------------------------------


def test_person_submits_a_draft_and_sees_it_under_review(client_: Client) -> None:
    declare(client_)
    record = mine().get()

    response = client_.post(reverse("credits:record_submit", args=[record.pk]), follow=True)

    record.refresh_from_db()
    assert record.status == Record.Status.SUBMITTED
    assert "Under review" in response.content.decode()
    assert reverse("credits:record_edit", args=[record.pk]) not in response.content.decode()


def test_record_under_review_cannot_be_edited(client_: Client, world: World) -> None:
    url = reverse("credits:record_edit", args=[world.record.pk])

    get = client_.get(url, follow=True)
    post = client_.post(url, form_data(title="Changed"))

    assert "cannot be edited" in get.content.decode()
    assert post.status_code == 302
    world.record.refresh_from_db()
    assert world.record.title == "工程安全继续教育"


def test_returned_record_shows_the_reason_and_can_be_edited_and_resubmitted(
    client_: Client, world: World
) -> None:
    declare(client_)
    record = Record.objects.get(title="Bridge design code update")
    Record.objects.filter(pk=record.pk).update(
        status=Record.Status.RETURNED, reviewer_reason="Attach the attendance list."
    )

    detail = client_.get(reverse("credits:record_detail", args=[record.pk])).content.decode()
    edit = client_.post(
        reverse("credits:record_edit", args=[record.pk]),
        {**form_data(amount="6"), "evidence": pdf("attendance.pdf")},
    )
    client_.post(reverse("credits:record_submit", args=[record.pk]))

    assert "Attach the attendance list." in detail
    assert edit.status_code == 302
    record.refresh_from_db()
    assert record.hours == 6
    assert record.status == Record.Status.SUBMITTED
    assert record.reviewer_reason == ""
    assert record.evidence.get().original_name == "attendance.pdf"


def test_someone_elses_record_is_not_found(client_: Client) -> None:
    other = record_make(person_create(), None, status="draft")

    assert client_.get(reverse("credits:record_detail", args=[other.pk])).status_code == 404
    assert client_.post(reverse("credits:record_submit", args=[other.pk])).status_code == 404


# --- evidence download -----------------------------------------------------------------------


def test_owner_downloads_evidence_under_its_original_name(client_: Client) -> None:
    client_.post(reverse("credits:record_new"), {**form_data(), "evidence": pdf()})
    evidence = Evidence.objects.get(record__in=mine())

    response = client_.get(
        reverse("credits:evidence_download", args=[evidence.record_id, evidence.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "%E7%BB%93%E4%B8%9A%E8%AF%81%E4%B9%A6.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES  # type: ignore[attr-defined]


# --- the record list ---------------------------------------------------------------------------


def test_record_list_filters_by_year_and_status(client_: Client, world: World) -> None:
    record_make(world.person, None, title="Old course", status="draft", year=2022)

    by_year = client_.get(reverse("credits:my_records"), {"year": 2022}).content.decode()
    by_status = client_.get(reverse("credits:my_records"), {"status": "approved"}).content.decode()

    assert "Old course" in by_year and "BIM 技术应用" not in by_year
    assert "BIM 技术应用" in by_status and "Old course" not in by_status


def test_record_list_is_paginated(client_: Client, world: World) -> None:
    for n in range(25):
        record_make(world.person, None, title=f"Course {n:02d}", status="draft", year=2023)

    first = client_.get(reverse("credits:my_records"))
    second = client_.get(reverse("credits:my_records"), {"page": 2})

    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 7
    assert "Page 1 of 2" in first.content.decode()


def _count_list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("credits:my_records"))
    assert response.status_code == 200
    return len(queries)


def test_record_list_runs_a_fixed_number_of_queries(client_: Client, world: World) -> None:
    few = _count_list_queries(client_)  # the world's two records
    for n in range(23):
        record = record_make(world.person, None, title=f"Course {n}", status="draft", year=2023)
        Evidence.objects.create(
            record=record, file="evidence/x.pdf", content_type="application/pdf", size=1
        )

    assert _count_list_queries(client_) == few


# --- progress ----------------------------------------------------------------------------------


def test_progress_shows_earned_and_required_per_category_and_series(
    client_: Client, world: World
) -> None:
    record_make(
        world.person,
        None,
        title="Public law",
        status="approved",
        category="public",
        hours=30,
        year=2024,
    )
    record_make(world.person, None, title="Pending course", status="submitted", hours=10, year=2024)

    response = client_.get(reverse("credits:progress", args=[2024]))
    page = response.content.decode()
    lines = {(line.key, line.series): line for line in response.context["explanation"].lines}

    assert lines[("public", "")].earned == 30 and lines[("public", "")].required == 30
    professional = next(line for key, line in lines.items() if key[0] == "professional")
    # World's approved record (8 h); the submitted ones do not count yet.
    assert (professional.earned, professional.required, professional.gap) == (8, 42, 34)
    assert lines[("elective", "")].gap == 18
    assert "34.0 h still to go" in page
    assert "Pending course" in page
    assert 'role="progressbar"' in page


def test_progress_explains_how_each_record_counted(client_: Client, world: World) -> None:
    degree = record_make(
        world.person,
        None,
        title="MSc module",
        status="approved",
        category="professional",
        hours=12,
        year=2024,
    )
    Record.objects.filter(pk=degree.pk).update(kind="degree_study")

    page = client_.get(reverse("credits:progress", args=[2024])).content.decode()

    # Codes in the engine's note are shown by their names (credits.explain).
    assert "counted as Elective subjects instead of Professional subjects: degree study" in page


def test_recount_recomputes_and_returns_to_the_progress_page(client_: Client) -> None:
    response = client_.post(reverse("credits:progress_recount", args=[2024]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("credits:progress", args=[2024])
    assert "recounted" in response.content.decode()


def test_person_nav_links_to_records_and_progress(client_: Client) -> None:
    page = client_.get(reverse("accounts:me")).content.decode()

    assert reverse("credits:my_records") in page
    assert reverse("credits:progress", args=[2024]) in page
