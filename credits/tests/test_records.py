"""Declaring CE records: conversion, every declaration rule, evidence files and submission."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from accounts.models import AuditEntry, Employment, Person
from credits.models import Evidence, Record, YearSetting
from credits.services import RecordDraft, record_create, record_submit, record_update
from credits.uploads import EVIDENCE_MAX_BYTES, validate_evidence
from tests.factories import World, bind, person_create

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2024, 4, 1)
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def _english_and_fast(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    with translation.override("en"):
        yield


@pytest.fixture
def person(world: World) -> Person:
    """Holds engineering only; bound to (and confirmed by) the world's employer."""
    return world.person


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (30, 30, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def declare(person: Person, **overrides: Any) -> Record:
    data: dict[str, Any] = {
        "person": person,
        "year": 2023,
        "category": "professional",
        "series_code": "engineering",
        "amount": Decimal(8),
        "unit": "hours",
        "title": "Bridge design code update",
        "form": "class",
        "start_date": dt.date(2023, 5, 10),
        "end_date": dt.date(2023, 5, 10),
        "assessment_result": "pass",
        "institution_name": "Guangzhou CE centre",
        "today": TODAY,
    }
    data.update(overrides)
    return record_create(**service_arguments(data))


_DRAFT_FIELDS = frozenset(RecordDraft.__dataclass_fields__)


def service_arguments(data: dict[str, Any]) -> dict[str, Any]:
    """Flat test data as the service's arguments: the draft's fields in a ``RecordDraft``."""
    arguments = {k: v for k, v in data.items() if k not in _DRAFT_FIELDS}
    arguments["draft"] = RecordDraft(**{k: v for k, v in data.items() if k in _DRAFT_FIELDS})
    return arguments


def refused(person: Person, **overrides: Any) -> dict[str, list[str]]:
    """The field errors of a refused declaration; asserts nothing was written."""
    records_before = Record.objects.count()
    evidence_before = Evidence.objects.count()
    audit_before = AuditEntry.objects.filter(target_type="credits.record").count()
    with pytest.raises(ValidationError) as exc_info:
        declare(person, **overrides)
    assert Record.objects.count() == records_before
    assert Evidence.objects.count() == evidence_before
    assert AuditEntry.objects.filter(target_type="credits.record").count() == audit_before
    return exc_info.value.message_dict


# --- creating and converting -------------------------------------------------------------


def test_create_saves_a_draft_with_an_audit_entry(person: Person) -> None:
    record = declare(person)

    assert record.status == Record.Status.DRAFT
    assert record.hours == Decimal(8)
    assert record.series is not None and record.series.code == "engineering"
    assert record.source == Record.Source.SELF_DECLARED
    assert record.employer is None
    entry = AuditEntry.objects.get(target_type="credits.record", target_id=str(record.pk))
    assert (entry.action, entry.actor, entry.to_state) == ("record.create", person.user, "draft")


def test_days_convert_with_the_years_hours_per_day_and_keep_the_original(
    person: Person,
) -> None:
    record = declare(person, amount=Decimal(2), unit="days", end_date=dt.date(2023, 5, 11))

    assert record.hours == Decimal(16)  # 2021 onwards: 1 day = 8 hours
    assert (record.original_amount, record.original_unit) == (Decimal(2), "days")


def test_legacy_year_days_are_six_hours(person: Person) -> None:
    record = declare(
        person,
        year=2019,
        amount=Decimal(3),
        unit="days",
        start_date=dt.date(2019, 5, 1),
        end_date=dt.date(2019, 5, 3),
        today=dt.date(2019, 6, 1),
    )

    assert record.hours == Decimal(18)


def test_minutes_convert_at_45_per_hour_floored(person: Person) -> None:
    record = declare(person, amount=Decimal(100), unit="minutes")

    assert record.hours == Decimal(2)
    assert (record.original_amount, record.original_unit) == (Decimal(100), "minutes")


def test_less_than_one_hour_of_minutes_is_refused(person: Person) -> None:
    errors = refused(person, amount=Decimal(30), unit="minutes")

    assert "45 minutes" in errors["amount"][0]


@pytest.mark.parametrize("amount", [Decimal(0), Decimal(-2), Decimal("1.25")])
def test_amount_must_be_positive_with_one_decimal(person: Person, amount: Decimal) -> None:
    assert "amount" in refused(person, amount=amount)


def test_unknown_choices_are_refused_on_their_fields(person: Person) -> None:
    errors = refused(person, form="party", assessment_result="maybe", unit="weeks")

    assert {"form", "assessment_result", "unit"} <= set(errors)


# --- declaration rules -------------------------------------------------------------------


def test_more_than_24_hours_per_day_is_refused(person: Person) -> None:
    errors = refused(person, amount=Decimal(25))

    assert "24 hours a day" in errors["amount"][0]


def test_24_hours_per_day_over_the_span_is_accepted(person: Person) -> None:
    record = declare(person, amount=Decimal(48), end_date=dt.date(2023, 5, 11))

    assert record.hours == Decimal(48)


def test_days_are_checked_after_conversion(person: Person) -> None:
    # 4 days x 8 h = 32 h in a single calendar day.
    assert "amount" in refused(person, amount=Decimal(4), unit="days")


def test_start_date_outside_the_declared_year_is_refused(person: Person) -> None:
    errors = refused(person, start_date=dt.date(2022, 12, 30), amount=Decimal(4))

    assert "2023" in errors["start_date"][0]


def test_professional_record_cannot_end_after_the_declared_year(person: Person) -> None:
    errors = refused(person, start_date=dt.date(2023, 12, 30), end_date=dt.date(2024, 1, 2))

    assert "declared year 2023" in errors["end_date"][0]


def test_public_record_may_end_in_the_catch_up_window(person: Person) -> None:
    record = declare(
        person,
        category="public",
        series_code="",
        start_date=dt.date(2023, 12, 30),
        end_date=dt.date(2024, 3, 1),
    )

    assert record.category == "public"
    assert record.series is None


def test_public_record_cannot_end_after_the_catch_up_window(person: Person) -> None:
    errors = refused(
        person,
        category="public",
        series_code="",
        start_date=dt.date(2023, 12, 30),
        end_date=dt.date(2024, 5, 2),
        today=dt.date(2024, 4, 20),
    )

    assert "2024-04-30" in errors["end_date"][0]


def test_end_before_start_is_refused(person: Person) -> None:
    errors = refused(person, start_date=dt.date(2023, 5, 10), end_date=dt.date(2023, 5, 9))

    assert "before the start date" in errors["end_date"][0]


def test_future_year_is_refused(person: Person) -> None:
    errors = refused(
        person, year=2025, start_date=dt.date(2025, 1, 2), end_date=dt.date(2025, 1, 2)
    )

    assert "year" in errors


def test_series_the_person_does_not_hold_is_refused(person: Person) -> None:
    errors = refused(person, series_code="accounting")

    assert "accounting" in errors["series"][0]


def test_professional_record_without_series_is_refused(person: Person) -> None:
    errors = refused(person, series_code="")

    assert "series" in errors


def test_duplicate_record_is_refused(person: Person) -> None:
    declare(person)

    errors = refused(person, amount=Decimal(4))

    assert "already declared" in errors["title"][0]


def test_rejected_record_does_not_block_declaring_again(person: Person) -> None:
    first = declare(person)
    Record.objects.filter(pk=first.pk).update(status=Record.Status.REJECTED)

    again = declare(person)

    assert again.pk != first.pk


def test_same_title_on_other_dates_is_not_a_duplicate(person: Person) -> None:
    first = declare(person)

    declare(person, start_date=dt.date(2023, 6, 1), end_date=dt.date(2023, 6, 1))

    assert Record.objects.filter(person=person, title=first.title).count() == 2


def test_all_errors_are_reported_together(person: Person) -> None:
    errors = refused(
        person,
        series_code="accounting",
        amount=Decimal(30),
        start_date=dt.date(2022, 5, 1),
        end_date=dt.date(2022, 5, 1),
    )

    assert {"series", "amount", "start_date", "end_date"} <= set(errors)


# --- deadlines (time frozen) -------------------------------------------------------------


@time_machine.travel(dt.datetime(2024, 4, 29, 10, tzinfo=SHANGHAI), tick=False)
def test_2023_public_record_can_be_declared_until_the_catch_up_deadline(
    person: Person,
) -> None:
    record = declare(person, category="public", series_code="", today=None)

    assert record.year == 2023


@time_machine.travel(dt.datetime(2024, 5, 1, 10, tzinfo=SHANGHAI), tick=False)
def test_2023_public_record_after_the_catch_up_deadline_is_refused(person: Person) -> None:
    errors = refused(person, category="public", series_code="", today=None)

    assert "2024-04-30" in errors["year"][0]


PUBLIC_CLOSED = "The public-subject study window for %d closed on %s."
DECLARATIONS_CLOSED = "Declarations for %d closed on %s."


def declare_2022_on(person: Person, category: str, when: dt.datetime) -> Record:
    """A 2022 record declared at ``when`` (time travelled, ``today`` not passed)."""
    with time_machine.travel(when, tick=False):
        return declare(
            person,
            year=2022,
            category=category,
            series_code="engineering" if category == "professional" else "",
            start_date=dt.date(2022, 3, 1),
            end_date=dt.date(2022, 3, 1),
            today=None,
        )


def test_year_without_settings_public_window_is_its_own_year(person: Person) -> None:
    """2022 has no row: public study ends on 31 December 2022, no catch-up."""
    record = declare_2022_on(person, "public", dt.datetime(2022, 12, 31, 23, 30, tzinfo=SHANGHAI))
    with pytest.raises(ValidationError) as exc_info:
        declare_2022_on(person, "public", dt.datetime(2023, 1, 1, 0, 30, tzinfo=SHANGHAI))

    assert record.category == Record.Category.PUBLIC
    assert exc_info.value.message_dict["year"] == [PUBLIC_CLOSED % (2022, "2022-12-31")]


def test_year_without_settings_accepts_other_records_until_a_year_after_its_end(
    person: Person,
) -> None:
    """004 person #15: last year's record declared this year, under last year."""
    record = declare_2022_on(
        person, "professional", dt.datetime(2023, 12, 31, 23, 30, tzinfo=SHANGHAI)
    )
    with pytest.raises(ValidationError) as exc_info:
        declare_2022_on(person, "professional", dt.datetime(2024, 1, 1, 0, 30, tzinfo=SHANGHAI))

    assert (record.year, record.status) == (2022, Record.Status.DRAFT)
    assert exc_info.value.message_dict["year"] == [DECLARATIONS_CLOSED % (2022, "2023-12-31")]


def test_a_blank_declaration_deadline_means_a_year_after_the_years_end(person: Person) -> None:
    """The 2023 row leaves the declaration deadline blank (no seed sets one)."""
    assert YearSetting.objects.get(year=2023).declaration_deadline is None
    with time_machine.travel(dt.datetime(2024, 12, 31, 23, 30, tzinfo=SHANGHAI), tick=False):
        record = declare(person, today=None)
    with (
        time_machine.travel(dt.datetime(2025, 1, 1, 0, 30, tzinfo=SHANGHAI), tick=False),
        pytest.raises(ValidationError) as exc_info,
    ):
        declare(person, title="Another course", today=None)

    assert record.year == 2023
    assert exc_info.value.message_dict["year"] == [DECLARATIONS_CLOSED % (2023, "2024-12-31")]


def test_2023_public_and_declaration_windows_differ(person: Person) -> None:
    """2023 (004): public courseware offline 2024-04-30; other records stay open after it."""
    with time_machine.travel(dt.datetime(2024, 5, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        professional = declare(person, today=None)
        errors = refused(person, category="public", series_code="", title="Public", today=None)

    assert professional.category == Record.Category.PROFESSIONAL
    assert errors["year"] == [PUBLIC_CLOSED % (2023, "2024-04-30")]


def test_2023_public_record_is_accepted_on_the_last_day_of_its_window(person: Person) -> None:
    with time_machine.travel(dt.datetime(2024, 4, 30, 23, 30, tzinfo=SHANGHAI), tick=False):
        record = declare(person, category="public", series_code="", today=None)

    assert (record.year, record.category) == (2023, Record.Category.PUBLIC)


@pytest.mark.parametrize(
    ("year", "last_open", "closed"),
    [
        (2018, dt.date(2019, 6, 30), "2019-06-30"),  # 001: catch-up until the end of June 2019
        (2021, dt.date(2021, 12, 31), "2021-12-31"),  # 002: offline 2021-12-31, no catch-up
    ],
)
def test_seeded_public_windows_accept_their_last_day_and_refuse_the_next(
    person: Person, year: int, last_open: dt.date, closed: str
) -> None:
    def public(today: dt.date, title: str) -> Record:
        return declare(
            person,
            year=year,
            category="public",
            series_code="",
            title=title,
            start_date=dt.date(year, 6, 1),
            end_date=dt.date(year, 6, 1),
            today=today,
        )

    record = public(last_open, "Public on the last day")
    with pytest.raises(ValidationError) as exc_info:
        public(last_open + dt.timedelta(days=1), "Public the day after")

    assert record.year == year
    assert exc_info.value.message_dict["year"] == [PUBLIC_CLOSED % (year, closed)]


def test_seeded_declaration_window_of_2018_is_the_default_not_the_public_window(
    person: Person,
) -> None:
    """2018's row had one date for both windows: now public ends 2019-06-30, others 2019-12-31."""

    def professional(today: dt.date, title: str) -> Record:
        return declare(
            person,
            year=2018,
            title=title,
            start_date=dt.date(2018, 6, 1),
            end_date=dt.date(2018, 6, 1),
            today=today,
        )

    record = professional(dt.date(2019, 12, 31), "Professional on the last day")
    with pytest.raises(ValidationError) as exc_info:
        professional(dt.date(2020, 1, 1), "Professional the day after")

    assert record.year == 2018
    assert exc_info.value.message_dict["year"] == [DECLARATIONS_CLOSED % (2018, "2019-12-31")]


@pytest.fixture
def accountant(world: World) -> Person:
    return person_create(series=("accounting",))


@pytest.mark.parametrize("year", [2018, 2019])
def test_accounting_2018_and_2019_close_on_their_own_deadline(
    accountant: Person, year: int
) -> None:
    """004 (粤财会函2020): accounting 补登 of 2018 and 2019 until 2020-09-30, instead of the
    years' own declaration windows (2019-12-31 / 2020-12-31)."""

    def professional(today: dt.date, title: str) -> Record:
        return declare(
            accountant,
            year=year,
            series_code="accounting",
            title=title,
            start_date=dt.date(year, 9, 1),
            end_date=dt.date(year, 9, 1),
            today=today,
        )

    record = professional(dt.date(2020, 9, 30), "On the last day")
    with pytest.raises(ValidationError) as exc_info:
        professional(dt.date(2020, 10, 1), "The day after")

    assert record.series is not None and record.series.code == "accounting"
    assert exc_info.value.message_dict["year"] == [DECLARATIONS_CLOSED % (year, "2020-09-30")]


def test_the_accounting_deadline_does_not_close_other_series(person: Person) -> None:
    record = declare(
        person,
        year=2019,
        start_date=dt.date(2019, 9, 1),
        end_date=dt.date(2019, 9, 1),
        today=dt.date(2020, 12, 31),
    )

    assert record.year == 2019


@pytest.fixture
def year_2022_windows_differ() -> YearSetting:
    """2022 with a public catch-up window that outlasts the declaration window."""
    setting, _ = YearSetting.objects.update_or_create(
        year=2022,
        defaults={
            "hours_per_day": Decimal(8),
            "minutes_per_hour": 45,
            "declaration_deadline": dt.date(2023, 3, 31),
            "public_catch_up_deadline": dt.date(2023, 6, 30),
        },
    )
    return setting


def declare_2022(person: Person, category: str, today: dt.date) -> Record:
    return declare(
        person,
        year=2022,
        category=category,
        series_code="engineering" if category == "professional" else "",
        start_date=dt.date(2022, 5, 10),
        end_date=dt.date(2022, 5, 10),
        today=today,
    )


def test_public_records_close_at_the_catch_up_deadline_not_the_declaration_deadline(
    person: Person, year_2022_windows_differ: YearSetting
) -> None:
    between = dt.date(2023, 5, 2)  # after the declaration deadline, inside the catch-up window

    record = declare_2022(person, "public", between)
    with pytest.raises(ValidationError) as exc_info:
        declare_2022(person, "professional", between)

    assert record.category == Record.Category.PUBLIC
    assert exc_info.value.message_dict["year"] == ["Declarations for 2022 closed on 2023-03-31."]


def test_public_records_after_a_catch_up_window_longer_than_declarations_are_refused(
    person: Person, year_2022_windows_differ: YearSetting
) -> None:
    with pytest.raises(ValidationError) as exc_info:
        declare_2022(person, "public", dt.date(2023, 7, 1))

    assert exc_info.value.message_dict["year"] == [PUBLIC_CLOSED % (2022, "2023-06-30")]


def test_professional_records_close_at_the_declaration_deadline_before_a_shorter_catch_up(
    person: Person,
) -> None:
    YearSetting.objects.update_or_create(
        year=2022,
        defaults={
            "hours_per_day": Decimal(8),
            "minutes_per_hour": 45,
            "declaration_deadline": dt.date(2023, 6, 30),
            "public_catch_up_deadline": dt.date(2022, 12, 31),
        },
    )
    between = dt.date(2023, 2, 1)

    record = declare_2022(person, "professional", between)
    with pytest.raises(ValidationError) as exc_info:
        declare_2022(person, "public", between)

    assert record.category == Record.Category.PROFESSIONAL
    assert exc_info.value.message_dict["year"] == [PUBLIC_CLOSED % (2022, "2022-12-31")]


def test_submit_after_the_deadline_is_refused(person: Person) -> None:
    record = declare(person)

    with pytest.raises(ValidationError) as exc_info:
        record_submit(person=person, record=record, today=dt.date(2025, 1, 1))

    assert "2024-12-31" in exc_info.value.message_dict["year"][0]
    record.refresh_from_db()
    assert record.status == Record.Status.DRAFT


# --- editing and submitting --------------------------------------------------------------


def update(person: Person, record: Record, **overrides: Any) -> Record:
    data: dict[str, Any] = {
        "person": person,
        "record": record,
        "year": record.year,
        "category": record.category,
        "series_code": record.series.code if record.series else "",
        "amount": record.original_amount,
        "unit": record.original_unit,
        "title": record.title,
        "form": record.form,
        "start_date": record.start_date,
        "end_date": record.end_date,
        "assessment_result": record.assessment_result,
        "institution_name": record.institution_name,
        "today": TODAY,
    }
    data.update(overrides)
    return record_update(**service_arguments(data))


def test_draft_can_be_edited(person: Person) -> None:
    record = declare(person)

    updated = update(person, record, amount=Decimal(1), unit="days", title="New title")

    assert (updated.hours, updated.title, updated.status) == (Decimal(8), "New title", "draft")
    assert AuditEntry.objects.filter(action="record.update", target_id=str(record.pk)).exists()


def test_edit_is_validated_like_a_declaration(person: Person) -> None:
    record = declare(person)

    with pytest.raises(ValidationError) as exc_info:
        update(person, record, amount=Decimal(30))

    assert "amount" in exc_info.value.message_dict
    record.refresh_from_db()
    assert record.hours == Decimal(8)


def test_record_under_review_cannot_be_edited(person: Person) -> None:
    record = record_submit(person=person, record=declare(person), today=TODAY)

    with pytest.raises(ValidationError, match="under review"):
        update(person, record, title="Changed while under review")

    record.refresh_from_db()
    assert record.title == "Bridge design code update"


def test_returned_record_can_be_edited_and_submitted_again(person: Person) -> None:
    record = record_submit(person=person, record=declare(person), today=TODAY)
    Record.objects.filter(pk=record.pk).update(
        status=Record.Status.RETURNED, reviewer_reason="Add the certificate"
    )

    updated = update(person, record, evidence_files=[SimpleUploadedFile("c.pdf", PDF_BYTES)])
    resubmitted = record_submit(person=person, record=updated, today=TODAY)

    assert resubmitted.status == Record.Status.SUBMITTED
    assert resubmitted.reviewer_reason == ""
    assert resubmitted.evidence.count() == 1


def test_someone_elses_record_cannot_be_edited_or_submitted(person: Person) -> None:
    record = declare(person)
    stranger = person_create()

    with pytest.raises(PermissionDenied):
        update(stranger, record, title="Mine now")
    with pytest.raises(PermissionDenied):
        record_submit(person=stranger, record=record, today=TODAY)


def test_submit_sends_the_record_to_the_confirmed_employer_with_an_audit_entry(
    world: World, person: Person
) -> None:
    record = declare(person)

    submitted = record_submit(person=person, record=record, today=TODAY)

    assert submitted.status == Record.Status.SUBMITTED
    assert submitted.employer_id == world.employer.pk
    entry = AuditEntry.objects.get(action="record.submit", target_id=str(record.pk))
    assert entry.target_type == "credits.record"
    assert (entry.from_state, entry.to_state) == ("draft", "submitted")
    assert entry.actor == person.user
    assert entry.organisation_id == world.employer.pk


def test_submit_without_a_confirmed_employer_is_refused(world: World) -> None:
    loner = person_create()
    bind(loner, world.employer, confirm=False)
    record = declare(loner)

    with pytest.raises(ValidationError, match="employer"):
        record_submit(person=loner, record=record, today=TODAY)

    record.refresh_from_db()
    assert (record.status, record.employer) == (Record.Status.DRAFT, None)
    assert not AuditEntry.objects.filter(action="record.submit").exists()
    assert Employment.objects.get(person=loner).status == Employment.Status.REQUESTED


def test_submitted_record_cannot_be_submitted_twice(person: Person) -> None:
    record = record_submit(person=person, record=declare(person), today=TODAY)

    with pytest.raises(ValidationError):
        record_submit(person=person, record=record, today=TODAY)

    assert AuditEntry.objects.filter(action="record.submit").count() == 1


def test_submit_rechecks_the_series(person: Person) -> None:
    record = declare(person)
    person.series.clear()

    with pytest.raises(ValidationError) as exc_info:
        record_submit(person=person, record=record, today=TODAY)

    assert "series" in exc_info.value.message_dict


# --- evidence ----------------------------------------------------------------------------


def test_validate_evidence_detects_pdf_png_and_jpeg_by_content() -> None:
    assert validate_evidence(SimpleUploadedFile("a.pdf", PDF_BYTES)) == "pdf"
    assert validate_evidence(SimpleUploadedFile("a.png", png_bytes())) == "png"
    # The name does not matter, only the content.
    assert validate_evidence(SimpleUploadedFile("scan.pdf", jpeg_bytes())) == "jpeg"


def test_html_named_pdf_is_refused() -> None:
    fake = SimpleUploadedFile(
        "certificate.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    )

    with pytest.raises(ValidationError, match="not a PDF, JPEG or PNG"):
        validate_evidence(fake)


def test_broken_image_is_refused() -> None:
    broken = SimpleUploadedFile("photo.png", png_bytes()[:20] + b"\x00" * 40)

    with pytest.raises(ValidationError, match="damaged"):
        validate_evidence(broken)


def test_empty_file_is_refused() -> None:
    with pytest.raises(ValidationError, match="empty"):
        validate_evidence(SimpleUploadedFile("a.pdf", b""))


def test_file_over_10_mb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.pdf"
    with path.open("wb") as handle:
        handle.write(PDF_BYTES)
        handle.truncate(EVIDENCE_MAX_BYTES + 1)  # sparse: nothing more is written
    with path.open("rb") as handle, pytest.raises(ValidationError, match="at most 10 MB"):
        validate_evidence(File(handle, name="big.pdf"))


def test_file_of_exactly_10_mb_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "limit.pdf"
    with path.open("wb") as handle:
        handle.write(PDF_BYTES)
        handle.truncate(EVIDENCE_MAX_BYTES)
    with path.open("rb") as handle:
        assert validate_evidence(File(handle, name="limit.pdf")) == "pdf"


def test_evidence_is_stored_under_a_random_name(person: Person) -> None:
    record = declare(
        person,
        evidence_files=[
            SimpleUploadedFile("my-secret-certificate.pdf", PDF_BYTES),
            SimpleUploadedFile("../../etc/photo.PNG", png_bytes()),
        ],
    )

    stored = list(record.evidence.order_by("pk"))
    assert [e.content_type for e in stored] == ["application/pdf", "image/png"]
    assert [e.original_name for e in stored] == ["my-secret-certificate.pdf", "photo.PNG"]
    assert stored[0].size == len(PDF_BYTES)
    for evidence, ext in zip(stored, ["pdf", "png"], strict=True):
        name = str(evidence.file.name)
        assert re.fullmatch(rf"evidence/\d{{4}}/[0-9a-f]{{32}}\.{ext}", name)
        assert "secret" not in name and "photo" not in name
        assert Path(evidence.file.path).is_file()
    with stored[0].file.open("rb") as handle:
        assert handle.read() == PDF_BYTES


def test_extension_follows_the_content_not_the_name(person: Person) -> None:
    record = declare(person, evidence_files=[SimpleUploadedFile("scan.pdf", jpeg_bytes())])

    evidence = record.evidence.get()
    assert str(evidence.file.name).endswith(".jpg")
    assert evidence.content_type == "image/jpeg"


def test_bad_evidence_refuses_the_whole_declaration(person: Person, tmp_path: Path) -> None:
    errors = refused(
        person,
        evidence_files=[
            SimpleUploadedFile("ok.pdf", PDF_BYTES),
            SimpleUploadedFile("fake.pdf", b"<html></html>"),
        ],
    )

    assert "fake.pdf" in errors["evidence"][0]
    assert not (tmp_path / "media" / "evidence").exists()


# --- the rule book is read once per declaration ------------------------------------------


@pytest.mark.parametrize("action", ["create", "update", "submit"])
def test_a_declaration_reads_the_rule_book_once(
    person: Person, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from credits.selectors import records as selectors
    from credits.services import records

    draft = declare(person)
    # Uncached: every load reads the rule tables, so the reads count the loads.
    monkeypatch.setattr(records, "rulebook_load", selectors.rulebook_read)
    with CaptureQueriesContext(connection) as queries:
        if action == "create":
            declare(person, title="Another course")
        elif action == "update":
            update(person, draft, title="Renamed course")
        else:
            record_submit(person=person, record=draft, today=TODAY)
    loads = [q for q in queries.captured_queries if 'FROM "credits_yearsetting"' in q["sql"]]
    assert len(loads) == 1
