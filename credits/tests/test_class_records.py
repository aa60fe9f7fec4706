"""Records written by closing classes (credits.api.class_record_submit): every declaration
rule applies, the same course name adds hours, and only a class record carries an approved
in-house plan (decision 0018)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from accounts.models import Employment
from credits.api import ClassRecord, class_record_submit
from credits.models import Record
from credits.services.records import RecordDraft, record_create
from tests.factories import World, person_create, record_make

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _data(**kwargs: object) -> ClassRecord:
    today = timezone.localdate()
    day = max(today - timedelta(days=2), today.replace(month=1, day=1))
    base = ClassRecord(
        year=day.year,
        series_code="engineering",
        course_name="建筑工程新技术",
        hours=Decimal(16),
        start_date=day,
        end_date=day,
        institution_name="广州市继续教育基地",
    )
    return replace(base, **kwargs)  # type: ignore[arg-type]


def test_a_class_record_is_professional_and_under_the_employers_review(world: World) -> None:
    pk = class_record_submit(person=world.person, data=_data(), actor=None)
    record = Record.objects.get(pk=pk)
    assert (record.category, record.series.code if record.series else None) == (
        "professional",
        "engineering",
    )
    assert (record.source, record.status, record.employer_id) == (
        Record.Source.INSTITUTION_CLASS,
        Record.Status.SUBMITTED,
        world.employer.pk,
    )
    assert (record.title, record.institution_name, record.hours) == (
        "建筑工程新技术",
        "广州市继续教育基地",
        Decimal(16),
    )
    assert (record.kind, record.approved_plan, record.assessment_result) == ("", None, "pass")


def test_the_same_course_name_adds_hours_to_the_open_record(world: World) -> None:
    first = class_record_submit(person=world.person, data=_data(), actor=None)
    Record.objects.filter(pk=first).update(status=Record.Status.APPROVED)
    second = class_record_submit(person=world.person, data=_data(hours=Decimal(8)), actor=None)
    assert second == first
    record = Record.objects.get(pk=first)
    assert record.hours == Decimal(24)
    # The employer decides on the new total.
    assert record.status == Record.Status.SUBMITTED
    assert Record.objects.filter(person=world.person, title="建筑工程新技术").count() == 1


def test_a_rejected_record_with_the_same_name_is_left_alone(world: World) -> None:
    first = class_record_submit(person=world.person, data=_data(), actor=None)
    Record.objects.filter(pk=first).update(status=Record.Status.REJECTED)
    second = class_record_submit(person=world.person, data=_data(), actor=None)
    assert second != first
    assert Record.objects.get(pk=first).hours == Decimal(16)


def test_a_learner_without_a_confirmed_employer_gets_no_record(world: World) -> None:
    person = person_create()
    with pytest.raises(ValidationError, match="confirmed employer"):
        class_record_submit(person=person, data=_data(), actor=None)
    assert not Record.objects.filter(person=person).exists()


def test_a_series_the_learner_does_not_hold_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="accounting"):
        class_record_submit(person=world.person, data=_data(series_code="accounting"), actor=None)


def test_a_closed_declaration_window_is_refused(world: World) -> None:
    old = timezone.localdate().year - 3
    day = date(old, 6, 1)
    with pytest.raises(ValidationError) as caught:
        class_record_submit(
            person=world.person,
            data=_data(year=old, start_date=day, end_date=day),
            actor=None,
        )
    assert any(f"{old} closed on {old + 1}-12-31" in m for m in caught.value.messages)


def test_a_class_not_ended_is_refused(world: World) -> None:
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError):
        class_record_submit(
            person=world.person,
            data=_data(year=tomorrow.year, start_date=tomorrow, end_date=tomorrow),
            actor=None,
        )


def test_an_employer_plan_class_is_inhouse_training_with_an_approved_plan(world: World) -> None:
    pk = class_record_submit(person=world.person, data=_data(employer_plan=True), actor=None)
    record = Record.objects.get(pk=pk)
    assert (record.kind, record.approved_plan) == (Record.Kind.INHOUSE_TRAINING, True)


def test_a_self_declared_inhouse_record_never_carries_an_approved_plan(world: World) -> None:
    day = _data().start_date
    record = record_create(
        person=world.person,
        draft=RecordDraft(
            year=day.year,
            category="professional",
            series_code="engineering",
            amount=8,
            title="单位内部培训",
            form="class",
            start_date=day,
            end_date=day,
            kind=Record.Kind.INHOUSE_TRAINING,
            approved_plan=True,
        ),
    )
    assert record.approved_plan is False


def test_record_make_is_still_usable(world: World) -> None:
    # The factory writes rows directly; a class record merges into such a record too.
    record = record_make(world.person, world.employer, title="建筑工程新技术", status="draft")
    Record.objects.filter(pk=record.pk).update(
        start_date=_data().start_date, end_date=_data().end_date
    )
    assert class_record_submit(person=world.person, data=_data(), actor=None) == record.pk
    assert Employment.objects.filter(person=world.person).exists()


def test_an_employer_plan_class_counts_professional_a_declared_inhouse_one_elective(
    world: World,
) -> None:
    """The year's summary (the whole-year SQL on PostgreSQL) counts an approved class record
    of an employer's approved plan as professional, and a self-declared in-house record as
    elective, as the evaluator does."""
    from credits.api import summaries_refresh_now, year_explanation
    from tests.factories import bind

    person = person_create()
    bind(person, world.employer)
    day = _data().start_date
    class_pk = class_record_submit(
        person=person,
        data=_data(course_name="单位内部专业培训", employer_plan=True, hours=Decimal(10)),
        actor=None,
    )
    declared = record_create(
        person=person,
        draft=RecordDraft(
            year=day.year,
            category="professional",
            series_code="engineering",
            amount=6,
            title="自行申报的内部培训",
            form="class",
            start_date=day,
            end_date=day,
            kind=Record.Kind.INHOUSE_TRAINING,
            approved_plan=True,
        ),
    )
    Record.objects.filter(pk__in=[class_pk, declared.pk]).update(status=Record.Status.APPROVED)
    summary = summaries_refresh_now(person_id=person.pk, year=day.year)
    assert summary is not None
    assert (summary.professional_earned, summary.elective_earned) == (Decimal(10), Decimal(6))
    explained = year_explanation(person=person, year=day.year)
    assert (explained.earned.professional, explained.earned.elective) == (
        {"engineering": Decimal(10)},
        Decimal(6),
    )


def test_the_data_migration_clears_ticked_boxes_on_open_records_only(world: World) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("credits.migrations.0014_approved_plan_from_classes")
    rows = {
        status: record_make(world.person, world.employer, title=f"内部培训 {status}", status=status)
        for status in ("draft", "submitted", "returned", "approved", "rejected")
    }
    Record.objects.filter(pk__in=[r.pk for r in rows.values()]).update(
        kind=Record.Kind.INHOUSE_TRAINING, approved_plan=True
    )
    from_class = class_record_submit(
        person=world.person, data=_data(employer_plan=True), actor=None
    )

    migration.clear_ticked(apps, None)

    got = dict(
        Record.objects.filter(pk__in=[r.pk for r in rows.values()]).values_list(
            "status", "approved_plan"
        )
    )
    assert got == {
        "draft": False,
        "submitted": False,
        "returned": False,
        "approved": True,
        "rejected": True,
    }
    assert Record.objects.get(pk=from_class).approved_plan is True
