"""credits.api.public_course_record: a passed online public course becomes an approved public
record, certified by its route without employer review, once (idempotent), within the year's
public-subject study window only."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import AuditEntry
from credits import api
from credits.models import CertificationRoute, Record
from tests.factories import World, person_create, rules_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def create(person: Any, *, today: date, title: str = "中国式现代化") -> tuple[Record, bool]:
    return api.public_course_record(
        person=person,
        year=2023,
        title=title,
        hours=Decimal(6),
        start_date=date(2023, 12, 20),
        end_date=today,
        institution_name="公需课学习平台",
        today=today,
    )


def test_the_default_route_certifies_public_course_hours_automatically() -> None:
    rules_ensure()
    route = api.certification_route(None, "public", "public_course", 2023)
    assert route.certifier == "automatic" and not route.elsewhere


def test_the_record_is_approved_without_employer_review_and_audited(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        record, created = create(world.person, today=date(2024, 3, 1))
    assert created
    assert (record.status, record.source, record.category, record.form) == (
        "approved",
        "public_course",
        "public",
        "online",
    )
    assert record.employer_id is None and record.decided_by_id is None
    assert (record.hours, record.assessment_result) == (Decimal(6), "pass")
    assert AuditEntry.objects.filter(
        action="record.certify_automatic", target_id=str(record.pk)
    ).exists()
    assert callbacks, "the year's summary is refreshed after commit"


def test_asking_twice_returns_the_same_record(world: World) -> None:
    first, created = create(world.person, today=date(2024, 3, 1))
    again, created_again = create(world.person, today=date(2024, 3, 2))
    assert created and not created_again and again.pk == first.pk
    assert Record.objects.filter(person=world.person, source="public_course").count() == 1


def test_refused_after_the_public_window_closes(world: World) -> None:
    # 2023's public-subject window closes 2024-04-30 (seed 004).
    with pytest.raises(ValidationError, match="closed on 2024-04-30"):
        create(world.person, today=date(2024, 5, 1))
    assert not Record.objects.filter(person=world.person).filter(source="public_course").exists()


def test_refused_for_a_series_certified_on_another_platform(world: World) -> None:
    teacher = person_create(series=("education",))
    with pytest.raises(ValidationError, match="certified on"):
        create(teacher, today=date(2023, 12, 21))


def test_refused_when_hrss_routes_public_course_records_to_the_employer(world: World) -> None:
    CertificationRoute.objects.filter(source="public_course").update(certifier="employer")
    with pytest.raises(ValidationError, match="not certified automatically"):
        create(world.person, today=date(2023, 12, 21))
