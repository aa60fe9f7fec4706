"""Online public-subject study: server-side timing, refusals, exam gating and retakes, the
automatic public record (idempotent, window), the course year and its lock."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import AuditEntry
from courses.models_online import ExamAttempt, Lesson, LessonProgress, OnlineCourse, OnlineEnrolment
from courses.services import online as services
from courses.tests.online_factories import online_course_make
from credits import api as credits_api
from credits.models import Record, YearSummary
from tests.factories import World, person_create


def at(day: str, seconds: float = 0) -> datetime:
    """A controllable clock: 09:00 local time on `day`, plus `seconds`."""
    base = timezone.make_aware(datetime.fromisoformat(f"{day}T09:00:00"))
    return base + timedelta(seconds=seconds)


T0 = "2023-06-01"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are matched in English (the site's default language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def eager_celery(settings: Any) -> Iterator[None]:
    from portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = was


@pytest.fixture
def course(world: World) -> OnlineCourse:
    return online_course_make(office=world.hrss, years=(2023, 2022), durations=(10, 10))


@pytest.fixture
def enrolment(world: World, course: OnlineCourse) -> OnlineEnrolment:
    return services.enrolment_create(person=world.person, course=course, year=2023, now=at(T0))


def first_lesson(course: OnlineCourse) -> Lesson:
    return course.lessons.order_by("position").first()  # type: ignore[return-value]


def credited(enrolment: OnlineEnrolment, lesson: Lesson) -> float:
    return LessonProgress.objects.get(enrolment=enrolment, lesson=lesson).credited_ms / 1000


def watch(world: World, enrolment: OnlineEnrolment, lesson: Lesson, start: datetime) -> datetime:
    """Study the whole lesson honestly (a heartbeat every 5 s) and answer its questions."""
    state = services.lesson_start(
        person=world.person, enrolment=enrolment, lesson=lesson, now=start
    )
    seconds = 0
    while seconds < lesson.duration_seconds:
        seconds = min(seconds + 5, lesson.duration_seconds)
        services.lesson_beat(
            person=world.person,
            enrolment=enrolment,
            lesson=lesson,
            token=state.token,
            position=seconds,
            now=start + timedelta(seconds=seconds),
        )
    services.lesson_answer(
        person=world.person,
        enrolment=enrolment,
        lesson=lesson,
        answers={q.pk: q.answer for q in lesson.questions.all()},
        now=start + timedelta(seconds=seconds),
    )
    return start + timedelta(seconds=seconds + 1)


def watch_all(world: World, enrolment: OnlineEnrolment, start: datetime) -> datetime:
    for lesson in Lesson.objects.filter(course_id=enrolment.course_id).order_by("position"):
        start = watch(world, enrolment, lesson, start)
    return start


def answer_all(attempt: ExamAttempt, *, right: bool) -> dict[int, int]:
    from courses.models_online import Question

    return {
        q.pk: q.answer if right else q.answer + 1
        for q in Question.objects.filter(pk__in=attempt.question_ids)
    }


# --- timing -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_time_is_credited_as_the_server_sees_it_pass(
    world: World, enrolment: OnlineEnrolment
) -> None:
    lesson = first_lesson(enrolment.course)
    state = services.lesson_start(
        person=world.person, enrolment=enrolment, lesson=lesson, now=at(T0)
    )
    services.lesson_beat(
        person=world.person,
        enrolment=enrolment,
        lesson=lesson,
        token=state.token,
        position=5,
        now=at(T0, 5),
    )
    assert credited(enrolment, lesson) == 5
    # A beat 1 s later claiming 8 s earns 1 s at most, however far the player says it is.
    services.lesson_beat(
        person=world.person,
        enrolment=enrolment,
        lesson=lesson,
        token=state.token,
        position=8,
        now=at(T0, 6),
    )
    assert credited(enrolment, lesson) == 6
    final = services.lesson_beat(
        person=world.person,
        enrolment=enrolment,
        lesson=lesson,
        token=state.token,
        position=10,
        now=at(T0, 10),
    )
    assert credited(enrolment, lesson) == 10
    # Watched, but the lesson's question is not answered yet.
    assert final.credited_seconds == 10 and not final.lesson_complete


@pytest.mark.django_db
def test_one_heartbeat_earns_at_most_the_interval(
    world: World, enrolment: OnlineEnrolment, settings: Any
) -> None:
    settings.ONLINE_HEARTBEAT_SECONDS = 3
    lesson = first_lesson(enrolment.course)
    state = services.lesson_start(
        person=world.person, enrolment=enrolment, lesson=lesson, now=at(T0)
    )
    # The tab sat paused for a minute: the beat after it earns one interval, not 60 s.
    services.lesson_beat(
        person=world.person,
        enrolment=enrolment,
        lesson=lesson,
        token=state.token,
        position=9,
        now=at(T0, 60),
    )
    assert credited(enrolment, lesson) == 3


@pytest.mark.django_db
def test_never_more_than_the_player_says_it_played(
    world: World, enrolment: OnlineEnrolment
) -> None:
    lesson = first_lesson(enrolment.course)
    state = services.lesson_start(
        person=world.person, enrolment=enrolment, lesson=lesson, now=at(T0)
    )
    # Five seconds passed but the player was buffering: it played two.
    services.lesson_beat(
        person=world.person,
        enrolment=enrolment,
        lesson=lesson,
        token=state.token,
        position=2,
        now=at(T0, 5),
    )
    assert credited(enrolment, lesson) == 2


@pytest.mark.django_db
def test_a_forged_position_ahead_of_the_elapsed_time_is_refused(
    world: World, enrolment: OnlineEnrolment
) -> None:
    lesson = first_lesson(enrolment.course)
    state = services.lesson_start(
        person=world.person, enrolment=enrolment, lesson=lesson, now=at(T0)
    )
    with pytest.raises(services.StudyRefused) as refused:
        services.lesson_beat(
            person=world.person,
            enrolment=enrolment,
            lesson=lesson,
            token=state.token,
            position=600,
            now=at(T0, 1),
        )
    assert refused.value.code == "ahead"
    assert credited(enrolment, lesson) == 0


@pytest.mark.django_db
def test_seeking_ahead_is_refused_and_earns_nothing(
    world: World, enrolment: OnlineEnrolment
) -> None:
    lesson = first_lesson(enrolment.course)
    state = services.lesson_start(
        person=world.person, enrolment=enrolment, lesson=lesson, now=at(T0)
    )
    services.lesson_beat(
        person=world.person,
        enrolment=enrolment,
        lesson=lesson,
        token=state.token,
        position=3,
        now=at(T0, 3),
    )
    # Dragged from 3 s to 9 s within a second.
    with pytest.raises(services.StudyRefused):
        services.lesson_beat(
            person=world.person,
            enrolment=enrolment,
            lesson=lesson,
            token=state.token,
            position=9,
            now=at(T0, 4),
        )
    assert credited(enrolment, lesson) == 3


@pytest.mark.django_db
def test_a_second_tab_replaces_the_first_which_earns_nothing(
    world: World, enrolment: OnlineEnrolment
) -> None:
    lesson = first_lesson(enrolment.course)
    first = services.lesson_start(
        person=world.person, enrolment=enrolment, lesson=lesson, now=at(T0)
    )
    second = services.lesson_start(
        person=world.person, enrolment=enrolment, lesson=lesson, now=at(T0, 1)
    )
    assert first.token != second.token
    with pytest.raises(services.StudyRefused) as refused:
        services.lesson_beat(
            person=world.person,
            enrolment=enrolment,
            lesson=lesson,
            token=first.token,
            position=5,
            now=at(T0, 5),
        )
    assert refused.value.code == "stale_session"
    services.lesson_beat(
        person=world.person,
        enrolment=enrolment,
        lesson=lesson,
        token=second.token,
        position=4,
        now=at(T0, 5),
    )
    assert credited(enrolment, lesson) == 4


@pytest.mark.django_db
def test_a_replayed_heartbeat_earns_nothing_more(world: World, enrolment: OnlineEnrolment) -> None:
    lesson = first_lesson(enrolment.course)
    state = services.lesson_start(
        person=world.person, enrolment=enrolment, lesson=lesson, now=at(T0)
    )
    # Requests arriving at the same instant (a retry, two tabs sharing a token), each claiming
    # a little more within the jitter tolerance: the wall time is counted once.
    for position in (5, 6, 7):
        services.lesson_beat(
            person=world.person,
            enrolment=enrolment,
            lesson=lesson,
            token=state.token,
            position=position,
            now=at(T0, 5),
        )
    assert credited(enrolment, lesson) == 5


@pytest.mark.django_db
def test_studying_two_lessons_at_once_earns_only_in_the_newest(
    world: World, enrolment: OnlineEnrolment
) -> None:
    one, two = Lesson.objects.filter(course_id=enrolment.course_id).order_by("position")
    first = services.lesson_start(person=world.person, enrolment=enrolment, lesson=one, now=at(T0))
    services.lesson_start(person=world.person, enrolment=enrolment, lesson=two, now=at(T0))
    with pytest.raises(services.StudyRefused):
        services.lesson_beat(
            person=world.person,
            enrolment=enrolment,
            lesson=one,
            token=first.token,
            position=5,
            now=at(T0, 5),
        )
    assert credited(enrolment, one) == 0


@pytest.mark.django_db
def test_a_heartbeat_without_a_started_lesson_is_refused(
    world: World, enrolment: OnlineEnrolment
) -> None:
    lesson = first_lesson(enrolment.course)
    with pytest.raises(services.StudyRefused) as refused:
        services.lesson_beat(
            person=world.person,
            enrolment=enrolment,
            lesson=lesson,
            token="00000000-0000-0000-0000-000000000000",
            position=1,
            now=at(T0, 1),
        )
    assert refused.value.code == "not_started"


@pytest.mark.django_db
def test_another_person_cannot_study_in_my_enrolment(
    world: World, enrolment: OnlineEnrolment
) -> None:
    intruder = person_create()
    with pytest.raises(PermissionDenied):
        services.lesson_start(
            person=intruder, enrolment=enrolment, lesson=first_lesson(enrolment.course), now=at(T0)
        )


@pytest.mark.django_db
def test_a_lesson_completes_with_its_time_and_its_questions_and_is_audited(
    world: World, enrolment: OnlineEnrolment
) -> None:
    lesson = first_lesson(enrolment.course)
    state = services.lesson_start(
        person=world.person, enrolment=enrolment, lesson=lesson, now=at(T0)
    )
    for second in (5, 10):
        services.lesson_beat(
            person=world.person,
            enrolment=enrolment,
            lesson=lesson,
            token=state.token,
            position=second,
            now=at(T0, second),
        )
    question = lesson.questions.get()
    wrong = services.lesson_answer(
        person=world.person,
        enrolment=enrolment,
        lesson=lesson,
        answers={question.pk: 0},
        now=at(T0, 11),
    )
    assert (wrong.wrong, wrong.lesson_complete) == (1, False)
    right = services.lesson_answer(
        person=world.person,
        enrolment=enrolment,
        lesson=lesson,
        answers={question.pk: 1},
        now=at(T0, 12),
    )
    assert right.lesson_complete
    assert (
        AuditEntry.objects.filter(
            action="online.lesson_complete", target_id=str(enrolment.pk)
        ).count()
        == 1
    )


# --- year ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_course_year_must_be_one_of_the_course_and_already_begun(
    world: World, course: OnlineCourse
) -> None:
    with pytest.raises(ValidationError, match="does not count for 2021"):
        services.enrolment_create(person=world.person, course=course, year=2021, now=at(T0))
    future = online_course_make(office=world.hrss, years=(2024,), title="未来课程")
    with pytest.raises(ValidationError, match="has not begun"):
        services.enrolment_create(person=world.person, course=future, year=2024, now=at(T0))


@pytest.mark.django_db
def test_the_year_can_change_while_studying_and_locks_once_complete(
    world: World, enrolment: OnlineEnrolment
) -> None:
    changed = services.enrolment_year_change(
        person=world.person, enrolment=enrolment, year=2022, now=at("2022-12-01")
    )
    assert changed.year == 2022
    assert AuditEntry.objects.filter(action="online.year_change").exists()
    services.enrolment_year_change(person=world.person, enrolment=enrolment, year=2023, now=at(T0))
    start = watch_all(world, enrolment, at(T0))
    attempt = services.exam_start(person=world.person, enrolment=enrolment, now=start)
    services.exam_submit(
        person=world.person, attempt=attempt, answers=answer_all(attempt, right=True), now=start
    )
    with pytest.raises(ValidationError, match="locked"):
        services.enrolment_year_change(
            person=world.person, enrolment=enrolment, year=2022, now=start
        )


# --- exam ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_exam_opens_only_after_every_lesson(world: World, enrolment: OnlineEnrolment) -> None:
    one = first_lesson(enrolment.course)
    start = watch(world, enrolment, one, at(T0))
    with pytest.raises(ValidationError) as refused:
        services.exam_start(person=world.person, enrolment=enrolment, now=start)
    assert refused.value.code == "lessons_incomplete"
    two = Lesson.objects.filter(course_id=enrolment.course_id).exclude(pk=one.pk).get()
    start = watch(world, enrolment, two, start)
    attempt = services.exam_start(person=world.person, enrolment=enrolment, now=start)
    assert len(attempt.question_ids) == enrolment.course.exam_size


@pytest.mark.django_db
def test_a_failed_exam_can_be_retaken_with_a_new_draw_and_the_server_grades(
    world: World,
    enrolment: OnlineEnrolment,
    eager_celery: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    start = watch_all(world, enrolment, at(T0))
    first = services.exam_start(
        person=world.person, enrolment=enrolment, now=start, rng=random.Random(1)
    )
    # Answers to questions not drawn are ignored: they cannot make up for wrong ones.
    from courses.models_online import Question

    others = Question.objects.filter(course_id=enrolment.course_id, lesson__isnull=True).exclude(
        pk__in=first.question_ids
    )
    answers = answer_all(first, right=False) | {q.pk: q.answer for q in others}
    failed = services.exam_submit(person=world.person, attempt=first, answers=answers, now=start)
    assert (failed.passed, failed.score) == (False, 0)
    assert AuditEntry.objects.filter(action="online.exam_fail").exists()
    assert not Record.objects.filter(person=world.person, source="public_course").exists()
    with pytest.raises(ValidationError, match="submitted already"):
        services.exam_submit(
            person=world.person, attempt=first, answers=answer_all(first, right=True), now=start
        )

    second = services.exam_start(
        person=world.person, enrolment=enrolment, now=start, rng=random.Random(2)
    )
    assert second.number == 2 and second.pk != first.pk
    with django_capture_on_commit_callbacks(execute=True):
        passed = services.exam_submit(
            person=world.person, attempt=second, answers=answer_all(second, right=True), now=start
        )
    assert (passed.passed, passed.score) == (True, 100)
    record = Record.objects.get(person=world.person, source="public_course")
    assert (record.status, record.category, record.year, record.hours) == (
        "approved",
        "public",
        2023,
        Decimal(6),
    )
    assert record.employer_id is None and record.decided_at is not None
    assert (record.start_date.isoformat(), record.end_date.isoformat()) == (T0, T0)
    enrolment.refresh_from_db()
    assert enrolment.record_id == record.pk and enrolment.is_complete
    for action in ("online.exam_pass", "online.course_complete", "record.certify_automatic"):
        assert AuditEntry.objects.filter(action=action).exists(), action
    # The year's summary was refreshed after commit: the public hours count.
    assert YearSummary.objects.get(person=world.person, year=2023).public_earned == Decimal(6)


@pytest.mark.django_db
def test_passing_twice_never_creates_a_second_record(
    world: World, enrolment: OnlineEnrolment
) -> None:
    start = watch_all(world, enrolment, at(T0))
    attempt = services.exam_start(person=world.person, enrolment=enrolment, now=start)
    services.exam_submit(
        person=world.person, attempt=attempt, answers=answer_all(attempt, right=True), now=start
    )
    with pytest.raises(ValidationError, match="passed this course already"):
        services.exam_start(person=world.person, enrolment=enrolment, now=start)
    # Credits itself returns the existing record when asked again.
    record, created = credits_api.public_course_record(
        person=world.person,
        year=2023,
        title=enrolment.course.title,
        hours=Decimal(6),
        start_date=start.date(),
        end_date=start.date() + timedelta(days=2),
        today=start.date() + timedelta(days=2),
    )
    assert not created and record.pk == enrolment_record_id(enrolment)
    assert Record.objects.filter(person=world.person, source="public_course").count() == 1


def enrolment_record_id(enrolment: OnlineEnrolment) -> int | None:
    enrolment.refresh_from_db()
    return enrolment.record_id


@pytest.mark.django_db
def test_a_course_passed_after_31_december_counts_while_the_window_is_open(
    world: World, course: OnlineCourse
) -> None:
    # 2023's public window closes 2024-04-30 (seed 004).
    assert credits_api.year_windows(2023).public.isoformat() == "2024-04-30"
    enrolment = services.enrolment_create(
        person=world.person, course=course, year=2023, now=at("2023-12-20")
    )
    start = watch_all(world, enrolment, at("2024-03-01"))
    attempt = services.exam_start(person=world.person, enrolment=enrolment, now=start)
    services.exam_submit(
        person=world.person, attempt=attempt, answers=answer_all(attempt, right=True), now=start
    )
    record = Record.objects.get(person=world.person, source="public_course")
    assert (record.year, record.start_date.isoformat(), record.end_date.isoformat()) == (
        2023,
        "2023-12-20",
        "2024-03-01",
    )


@pytest.mark.django_db
def test_nothing_counts_for_a_year_whose_window_closed(world: World, course: OnlineCourse) -> None:
    enrolment = services.enrolment_create(
        person=world.person, course=course, year=2023, now=at("2024-04-01")
    )
    start = watch_all(world, enrolment, at("2024-04-30"))
    attempt = services.exam_start(person=world.person, enrolment=enrolment, now=start)
    closed = at("2024-05-01")
    with pytest.raises(ValidationError, match="closed on 2024-04-30"):
        services.exam_submit(
            person=world.person,
            attempt=attempt,
            answers=answer_all(attempt, right=True),
            now=closed,
        )
    attempt.refresh_from_db()
    assert attempt.is_open
    assert not Record.objects.filter(person=world.person, source="public_course").exists()
    with pytest.raises(ValidationError, match="closed on 2024-04-30"):
        services.enrolment_create(person=person_create(), course=course, year=2023, now=closed)
