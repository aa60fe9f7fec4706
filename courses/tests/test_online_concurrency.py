"""Two submissions of the same passing exam at once (two tabs, a double click) create one
public record: the enrolment row is locked, the second submission finds the attempt graded."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from courses.models_online import ExamAttempt, Lesson, Question
from courses.services import online as services
from courses.tests.online_factories import online_course_make
from credits.models import Record
from tests.factories import world_create

needs_postgresql = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="row locks need PostgreSQL (SQLite serialises writers); runs under `make test`",
)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_passes_create_one_record() -> None:
    world = world_create("440100", "440105")
    course = online_course_make(office=world.hrss, years=(2023,), durations=(5,))
    start = timezone.make_aware(datetime(2023, 6, 1, 9))
    enrolment = services.enrolment_create(person=world.person, course=course, year=2023, now=start)
    lesson = Lesson.objects.get(course=course)
    state = services.lesson_start(
        person=world.person, enrolment=enrolment, lesson=lesson, now=start
    )
    services.lesson_beat(
        person=world.person,
        enrolment=enrolment,
        lesson=lesson,
        token=state.token,
        position=5,
        now=start + timedelta(seconds=5),
    )
    services.lesson_answer(
        person=world.person,
        enrolment=enrolment,
        lesson=lesson,
        answers={q.pk: q.answer for q in lesson.questions.all()},
        now=start + timedelta(seconds=6),
    )
    attempt = services.exam_start(person=world.person, enrolment=enrolment, now=start)
    answers = {q.pk: q.answer for q in Question.objects.filter(pk__in=attempt.question_ids)}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            services.exam_submit(person=world.person, attempt=attempt, answers=answers, now=start)
            outcomes.append("passed")
        except ValidationError as exc:
            outcomes.append(exc.code or "refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["passed", "submitted"]
    assert Record.objects.filter(person=world.person, source="public_course").count() == 1
    assert ExamAttempt.objects.filter(enrolment=enrolment, passed=True).count() == 1
