"""Closing a class: each passed learner's hours become a record under their employer's
review; closing twice or retrying after a crash writes nothing twice (also on the real
Celery worker)."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, Person
from courses.models import Enrolment, TrainingClass
from courses.services import closing
from courses.services.closing import class_close, class_records_create
from courses.tests.factories import class_make, past_day, plan_make
from credits.models import Record
from tests.factories import World, admin_of, bind, person_create, world_create

S = TrainingClass.Status


def _open_class(
    world: World, learners: list[Person], results: list[str], **kwargs: Any
) -> TrainingClass:
    c = class_make(
        plan_make(
            world.institution,
            authority=world.authority,
            course_name=kwargs.pop("course", "桥梁抗震设计"),
        ),
        status=S.OPEN,
        capacity=len(learners) + 5,
        **kwargs,
    )
    for person, result in zip(learners, results, strict=True):
        Enrolment.objects.create(
            training_class=c, person=person, status=Enrolment.Status.ACCEPTED, result=result
        )
    TrainingClass.objects.filter(pk=c.pk).update(enrolled=len(learners))
    return c


def _close(c: TrainingClass, user: Any, organisation: Any, capture: Any) -> None:
    """Close, then run the queued task's service here (what the worker would do)."""
    with capture() as queued:
        class_close(training_class=c, user=user, organisation=organisation)
    assert len(queued) == 1  # the records task is queued after commit
    class_records_create(class_id=c.pk, actor=user)


def _learners(world: World, n: int) -> list[Person]:
    persons = [world.person]
    for _ in range(n - 1):
        p = person_create()
        bind(p, world.employer)
        persons.append(p)
    return persons


@pytest.mark.django_db
def test_closing_sends_each_passed_learners_hours_to_the_employers_queue(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    learners = _learners(world, 3)
    c = _open_class(world, learners, ["pass", "fail", "pass"], hours=12)
    _close(c, admin_of(world.institution), world.institution, django_capture_on_commit_callbacks)
    c.refresh_from_db()
    assert c.status == S.CLOSED and c.closed_at is not None
    records = Record.objects.filter(source=Record.Source.INSTITUTION_CLASS).order_by("pk")
    assert [r.person_id for r in records] == [learners[0].pk, learners[2].pk]
    assert {
        (r.status, r.employer_id, r.title, r.institution_name, r.hours, r.category) for r in records
    } == {
        (
            "submitted",
            world.employer.pk,
            "桥梁抗震设计",
            world.institution.name,
            Decimal(12),
            "professional",
        )
    }
    assert {r.series.code for r in records if r.series} == {"engineering"}
    assert AuditEntry.objects.filter(action="class.close", target_id=str(c.pk)).exists()
    enrolments = {e.person_id: e for e in Enrolment.objects.filter(training_class=c)}
    assert enrolments[learners[1].pk].record_id is None


@pytest.mark.django_db
def test_the_person_sees_the_class_hours_pending_until_the_employer_decides(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    c = _open_class(world, [world.person], ["pass"], hours=12)
    _close(c, admin_of(world.institution), world.institution, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(world.person.user)
    body = client.get(reverse("courses:my_enrolments")).content.decode()
    assert "12.0 学时待审核" in body  # the page speaks Chinese by default
    Record.objects.filter(source="institution_class").update(status="approved")
    body = client.get(reverse("courses:my_enrolments")).content.decode()
    assert "12.0 学时已审核通过" in body


@pytest.mark.django_db
def test_a_class_cannot_close_before_its_end_date(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    tomorrow = timezone.localdate() + timedelta(days=1)
    c = _open_class(world, [world.person], ["pass"], start=past_day(1), end=tomorrow)
    with pytest.raises(ValidationError, match="close it on or after"):
        class_close(
            training_class=c, user=admin_of(world.institution), organisation=world.institution
        )


@pytest.mark.django_db
def test_closing_twice_is_refused_and_a_second_run_writes_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    c = _open_class(world, [world.person], ["pass"])
    admin = admin_of(world.institution)
    _close(c, admin, world.institution, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        class_close(training_class=c, user=admin, organisation=world.institution)
    assert class_records_create(class_id=c.pk, actor=admin) == 0
    assert Record.objects.filter(source="institution_class").count() == 1


@pytest.mark.django_db
def test_a_learner_a_rule_refuses_gets_the_reason_and_the_others_their_records(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    unbound = person_create()
    c = _open_class(world, [unbound, world.person], ["pass", "pass"])
    _close(c, admin_of(world.institution), world.institution, django_capture_on_commit_callbacks)
    e_unbound = Enrolment.objects.get(training_class=c, person=unbound)
    e_bound = Enrolment.objects.get(training_class=c, person=world.person)
    assert e_unbound.record_id is None and "employer" in e_unbound.close_error
    assert e_bound.record_id is not None and e_bound.close_error == ""


@pytest.mark.django_db
def test_a_learner_with_the_same_course_gets_hours_added(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    admin = admin_of(world.institution)
    first = _open_class(world, [world.person], ["pass"], hours=8, course="同名课程")
    _close(first, admin, world.institution, django_capture_on_commit_callbacks)
    # Another plan of the same course name (a later run of the course).
    second = _open_class(world, [world.person], ["pass"], hours=6, course="同名课程")
    _close(second, admin, world.institution, django_capture_on_commit_callbacks)
    records = list(Record.objects.filter(person=world.person, title="同名课程"))
    assert [r.hours for r in records] == [Decimal(14)]
    assert set(
        Enrolment.objects.filter(person=world.person, record__isnull=False).values_list(
            "record_id", flat=True
        )
    ) == {records[0].pk}


@pytest.mark.django_db
def test_an_employer_plan_class_writes_approved_inhouse_training(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    c = class_make(plan_make(world.employer, authority=world.authority), status=S.OPEN)
    Enrolment.objects.create(
        training_class=c, person=world.person, status="accepted", result="pass"
    )
    _close(c, admin_of(world.employer), world.employer, django_capture_on_commit_callbacks)
    record = Record.objects.get(source="institution_class", person=world.person)
    assert (record.kind, record.approved_plan, record.institution_name) == (
        "inhouse_training",
        True,
        world.employer.name,
    )


needs_worker = pytest.mark.skipif(
    connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
    reason="the real worker needs PostgreSQL and Redis",
)


@needs_worker
@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_retry_after_a_crash_on_the_real_worker_writes_nothing_twice(
    celery_worker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from courses.tasks import class_records_task

    world = world_create("440100", "440105")
    learners = _learners(world, 5)
    c = _open_class(world, learners, ["pass"] * 5)
    admin = admin_of(world.institution)
    # The close's own task is held back: this test plays its crash, then the worker retries.
    queued: list[tuple[Any, ...]] = []
    monkeypatch.setattr(closing, "queue_on_commit", lambda *args: queued.append(args))
    class_close(training_class=c, user=admin, organisation=world.institution)
    assert queued == [(closing.CLOSE_TASK, c.pk, admin.pk)]

    # The run dies on the 4th learner, in its second chunk of two.
    monkeypatch.setattr(closing, "CLOSE_CHUNK", 2)
    real = closing.class_record_submit
    calls = {"n": 0}

    def dying(**kwargs: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("worker lost")
        return real(**kwargs)

    monkeypatch.setattr(closing, "class_record_submit", dying)
    with pytest.raises(RuntimeError):
        class_records_create(class_id=c.pk, actor=admin)
    # The first chunk was committed; the second rolled back whole.
    assert Record.objects.filter(source="institution_class").count() == 2

    # The retry on the real worker finishes the rest, and a second delivery writes nothing.
    assert class_records_task.delay(c.pk, admin.pk).get(timeout=60) == 3
    assert class_records_task.delay(c.pk, admin.pk).get(timeout=60) == 0
    records = Record.objects.filter(source="institution_class")
    assert sorted(records.values_list("person_id", flat=True)) == sorted(p.pk for p in learners)
    done = Enrolment.objects.filter(training_class=c, record__isnull=False)
    assert done.count() == 5
    assert set(done.values_list("record_id", flat=True)) == set(
        records.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_a_refused_learner_gets_the_record_when_sent_again_after_the_fix(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from courses.services.closing import class_records_retry

    unbound = person_create()
    c = _open_class(world, [unbound], ["pass"])
    admin = admin_of(world.institution)
    _close(c, admin, world.institution, django_capture_on_commit_callbacks)
    assert Enrolment.objects.get(training_class=c).record_id is None
    bind(unbound, world.employer)
    client = Client()
    client.force_login(admin)
    kwargs = {"organisation_id": world.institution.pk, "class_id": c.pk}
    assert "close-retry" in client.get(reverse("courses:org_class", kwargs=kwargs)).content.decode()
    with django_capture_on_commit_callbacks() as queued:
        class_records_retry(training_class=c, user=admin, organisation=world.institution)
    assert len(queued) == 1
    class_records_create(class_id=c.pk, actor=admin)
    enrolment = Enrolment.objects.get(training_class=c)
    assert enrolment.record_id is not None and enrolment.close_error == ""
    assert Record.objects.filter(person=unbound, source="institution_class").count() == 1
