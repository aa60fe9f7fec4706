"""Online public-subject study: every write (HRSS subjects, enrolment and course year, timed
lessons, in-lesson questions, exams, the public record of a passed course).

Timing (docs/decisions/0015-online-study-timing.md): the browser's player is not trusted; it
only sends heartbeats.  ``lesson_start`` gives the person a new session token (the old one,
in any other tab, stops earning); each ``lesson_beat`` with the newest token credits
``min(wall time since the last accepted heartbeat, the heartbeat interval, how far the
player says it got beyond the credited time, what remains of the lesson)``; a heartbeat whose
claimed position runs ahead of the credited time plus the elapsed wall time (seeking ahead,
a forged request) is refused and credits nothing.  Every service takes ``now`` so tests
drive the clock.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import Organisation, Person, User, audit_log
from courses.models_online import (
    ExamAttempt,
    Lesson,
    LessonProgress,
    OnlineCourse,
    OnlineEnrolment,
    PublicSubject,
    Question,
    StudySession,
)
from credits import api as credits_api

# The institution shown on the public records passed courses create (data, as in the seeds).
PLATFORM_NAME = "广东省专业技术人员继续教育管理系统（公需课学习平台）"


class StudyRefused(ValidationError):
    """A heartbeat or start the server refuses; ``code`` says why (``stale_session``,
    ``ahead``, ``not_started``)."""


@dataclass(frozen=True)
class StudyState:
    """What the player is told after a start or an accepted heartbeat."""

    token: str
    credited_seconds: float
    duration_seconds: int
    lesson_complete: bool
    course_lessons_complete: bool


def _now(now: datetime | None) -> datetime:
    return now if now is not None else timezone.now()


# --- HRSS: public subjects ---------------------------------------------------------------------


@transaction.atomic
def subject_create(
    *,
    actor: User,
    office: Organisation,
    year: int,
    title: str,
    hours: Decimal,
    published: bool = False,
) -> PublicSubject:
    """HRSS adds one of a year's public subjects.  Caller checks: `actor` acts for the HRSS
    `office`."""
    title = title.strip()
    if PublicSubject.objects.filter(year=year, title=title).exists():
        raise ValidationError({"title": _("This year already has a subject with this topic.")})
    subject = PublicSubject.objects.create(
        office=office, year=year, title=title, hours=hours, published=published
    )
    audit_log(
        actor=actor,
        action="online.subject_create",
        target=subject,
        organisation=office,
        to_state="published" if published else "draft",
    )
    return subject


@transaction.atomic
def subject_publish(
    *, actor: User, office: Organisation, subject: PublicSubject, published: bool
) -> PublicSubject:
    """Publish or withdraw a subject of `office`.  Caller checks: `actor` acts for `office`
    and `subject` is the office's (courses.permissions_online)."""
    locked = PublicSubject.objects.select_for_update().get(pk=subject.pk, office=office)
    if locked.published == published:
        return locked
    locked.published = published
    locked.save(update_fields=["published"])
    audit_log(
        actor=actor,
        action="online.subject_publish" if published else "online.subject_withdraw",
        target=locked,
        organisation=office,
        from_state="draft" if published else "published",
        to_state="published" if published else "draft",
    )
    return locked


# --- enrolment and the course year ------------------------------------------------------------


def course_years(course: OnlineCourse) -> list[int]:
    """The years a course counts for: those of its published subjects, newest first."""
    return sorted(
        set(course.subjects.filter(published=True).values_list("year", flat=True)), reverse=True
    )


def _check_year(course: OnlineCourse, year: int, today: date) -> None:
    """The course must count for `year`, which must have begun and whose public-subject
    study window must still be open."""
    if year not in course_years(course):
        raise ValidationError(
            {"year": _("This course does not count for %(year)d.") % {"year": year}}
        )
    if year > today.year:
        raise ValidationError({"year": _("The year %(year)d has not begun.") % {"year": year}})
    _check_window(year, today)


def _check_window(year: int, today: date) -> None:
    closes = credits_api.year_windows(year).public
    if today > closes:
        raise ValidationError(
            _(
                "The public-subject study window for %(year)d closed on %(deadline)s: "
                "this course can no longer count for %(year)d."
            )
            % {"year": year, "deadline": closes.isoformat()},
            code="window_closed",
        )


@transaction.atomic
def enrolment_create(
    *, person: Person, course: OnlineCourse, year: int, now: datetime | None = None
) -> OnlineEnrolment:
    """The person chooses a published course and the year it counts for.  Caller checks:
    `person` is the logged-in user's own."""
    today = timezone.localdate(_now(now))
    if not course.published:
        raise ValidationError(_("This course is not open for study."))
    _check_year(course, year, today)
    if OnlineEnrolment.objects.filter(person=person, course=course).exists():
        raise ValidationError(_("You are already studying this course."), code="enrolled")
    enrolment = OnlineEnrolment.objects.create(
        person=person, course=course, year=year, created_at=_now(now)
    )
    audit_log(actor=person.user, action="online.enrol", target=enrolment, to_state=str(year))
    return enrolment


def _own_enrolment(person: Person, enrolment: OnlineEnrolment) -> OnlineEnrolment:
    locked = (
        OnlineEnrolment.objects.select_for_update().select_related("course").get(pk=enrolment.pk)
    )
    if locked.person_id != person.pk:
        raise PermissionDenied(_("This study belongs to someone else."))
    return locked


@transaction.atomic
def enrolment_year_change(
    *, person: Person, enrolment: OnlineEnrolment, year: int, now: datetime | None = None
) -> OnlineEnrolment:
    """Change the course year while studying; it locks once the course is complete (seed 004
    person #8: "学习完成后立即锁定不可修改")."""
    locked = _own_enrolment(person, enrolment)
    if locked.is_complete:
        raise ValidationError(
            _("The course is complete: its year %(year)d is locked.") % {"year": locked.year},
            code="locked",
        )
    if year == locked.year:
        return locked
    _check_year(locked.course, year, timezone.localdate(_now(now)))
    before = locked.year
    locked.year = year
    locked.save(update_fields=["year"])
    audit_log(
        actor=person.user,
        action="online.year_change",
        target=locked,
        from_state=str(before),
        to_state=str(year),
        changes={"year": (before, year)},
    )
    return locked


# --- timed lessons ------------------------------------------------------------------------------


def _lesson_of(enrolment: OnlineEnrolment, lesson: Lesson) -> None:
    if lesson.course_id != enrolment.course_id:
        raise PermissionDenied(_("This lesson is not part of the course."))


def _lesson_done(lesson: Lesson, progress: LessonProgress) -> bool:
    if progress.credited_ms < lesson.duration_seconds * 1000:
        return False
    needed = set(lesson.questions.values_list("pk", flat=True))
    return needed <= set(progress.answered)


def _all_lessons_done(enrolment: OnlineEnrolment) -> bool:
    total = Lesson.objects.filter(course_id=enrolment.course_id).count()
    done = LessonProgress.objects.filter(enrolment=enrolment, completed_at__isnull=False).count()
    return total > 0 and done >= total


def _complete_if_done(
    *,
    person: Person,
    enrolment: OnlineEnrolment,
    lesson: Lesson,
    progress: LessonProgress,
    now: datetime,
) -> None:
    if progress.completed_at is None and _lesson_done(lesson, progress):
        progress.completed_at = now
        progress.save(update_fields=["completed_at"])
        audit_log(
            actor=person.user,
            action="online.lesson_complete",
            target=enrolment,
            to_state="lesson_complete",
            reason=lesson.title,
        )


def _state(
    session: StudySession, lesson: Lesson, progress: LessonProgress, enrolment: OnlineEnrolment
) -> StudyState:
    return StudyState(
        token=str(session.token),
        credited_seconds=progress.credited_ms / 1000,
        duration_seconds=lesson.duration_seconds,
        lesson_complete=progress.completed_at is not None,
        course_lessons_complete=_all_lessons_done(enrolment),
    )


@transaction.atomic
def lesson_start(
    *, person: Person, enrolment: OnlineEnrolment, lesson: Lesson, now: datetime | None = None
) -> StudyState:
    """Open (or reopen) a lesson: a new session token replaces the person's previous one, in
    whatever tab or lesson it was; time counts from now.  Caller checks: `person` is the
    logged-in user's own."""
    now = _now(now)
    locked = _own_enrolment(person, enrolment)
    _lesson_of(locked, lesson)
    if not locked.is_complete:
        _check_window(locked.year, timezone.localdate(now))
    progress, _created = LessonProgress.objects.get_or_create(enrolment=locked, lesson=lesson)
    session, created = StudySession.objects.select_for_update().get_or_create(
        person=person,
        defaults={"lesson": lesson, "enrolment": locked, "started_at": now, "last_beat_at": now},
    )
    if not created:
        session.lesson = lesson
        session.enrolment = locked
        session.token = StudySession._meta.get_field("token").get_default()
        session.started_at = now
        session.last_beat_at = now
        session.save()
    return _state(session, lesson, progress, locked)


@transaction.atomic
def lesson_beat(
    *,
    person: Person,
    enrolment: OnlineEnrolment,
    lesson: Lesson,
    token: str,
    position: float,
    now: datetime | None = None,
) -> StudyState:
    """A heartbeat of the player: `position` is where it says it is (seconds).  Credits the
    time the server saw pass, never more; refuses a stale token (another tab or lesson was
    opened since) and a position ahead of what time allows (seeking ahead, forged requests).
    Caller checks: `person` is the logged-in user's own."""
    now = _now(now)
    locked = _own_enrolment(person, enrolment)
    _lesson_of(locked, lesson)
    session = StudySession.objects.select_for_update().filter(person=person).first()
    if session is None:
        raise StudyRefused(_("Start the lesson first."), code="not_started")
    if (
        str(session.token) != str(token)
        or session.lesson_id != lesson.pk
        or session.enrolment_id != locked.pk
    ):
        raise StudyRefused(
            _(
                "You opened a lesson in another window: only the newest window counts. "
                "Reload this page to study here."
            ),
            code="stale_session",
        )
    progress = LessonProgress.objects.select_for_update().get(enrolment=locked, lesson=lesson)
    elapsed_ms = max(0, int((now - session.last_beat_at).total_seconds() * 1000))
    position_ms = int(position * 1000)
    tolerance_ms = settings.ONLINE_POSITION_TOLERANCE_SECONDS * 1000
    if position_ms > progress.credited_ms + elapsed_ms + tolerance_ms:
        raise StudyRefused(
            _(
                "The video cannot be skipped: the time you studied is counted by the server "
                "(%(credited)d of %(duration)d seconds)."
            )
            % {"credited": progress.credited_ms // 1000, "duration": lesson.duration_seconds},
            code="ahead",
        )
    remaining_ms = max(0, lesson.duration_seconds * 1000 - progress.credited_ms)
    gain = min(
        elapsed_ms,
        settings.ONLINE_HEARTBEAT_SECONDS * 1000,
        max(0, position_ms - progress.credited_ms),
        remaining_ms,
    )
    if gain:
        progress.credited_ms += gain
        progress.save(update_fields=["credited_ms"])
    session.last_beat_at = now
    session.save(update_fields=["last_beat_at"])
    _complete_if_done(person=person, enrolment=locked, lesson=lesson, progress=progress, now=now)
    return _state(session, lesson, progress, locked)


@dataclass(frozen=True)
class AnswerResult:
    correct: int
    wrong: int
    lesson_complete: bool


@transaction.atomic
def lesson_answer(
    *,
    person: Person,
    enrolment: OnlineEnrolment,
    lesson: Lesson,
    answers: Mapping[int, int],
    now: datetime | None = None,
) -> AnswerResult:
    """Answer the lesson's questions (question id → chosen position); correct answers are
    kept, wrong ones may be tried again.  Caller checks: `person` is the logged-in user's own."""
    now = _now(now)
    locked = _own_enrolment(person, enrolment)
    _lesson_of(locked, lesson)
    progress, _created = LessonProgress.objects.select_for_update().get_or_create(
        enrolment=locked, lesson=lesson
    )
    answered = set(progress.answered)
    correct = wrong = 0
    for question in lesson.questions.all():
        if question.pk not in answers:
            continue
        if answers[question.pk] == question.answer:
            answered.add(question.pk)
            correct += 1
        else:
            wrong += 1
    if answered != set(progress.answered):
        progress.answered = sorted(answered)
        progress.save(update_fields=["answered"])
    _complete_if_done(person=person, enrolment=locked, lesson=lesson, progress=progress, now=now)
    return AnswerResult(
        correct=correct, wrong=wrong, lesson_complete=progress.completed_at is not None
    )


# --- the exam ----------------------------------------------------------------------------------


@transaction.atomic
def exam_start(
    *,
    person: Person,
    enrolment: OnlineEnrolment,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> ExamAttempt:
    """Draw an exam from the course's bank: only once every lesson is complete, not after the
    course was passed; an attempt still open is returned as it is.  Caller checks: `person` is
    the logged-in user's own."""
    now = _now(now)
    locked = _own_enrolment(person, enrolment)
    if locked.is_complete:
        raise ValidationError(_("You passed this course already."), code="passed")
    if not _all_lessons_done(locked):
        raise ValidationError(
            _("The exam opens once every lesson is complete."), code="lessons_incomplete"
        )
    _check_window(locked.year, timezone.localdate(now))
    open_attempt = locked.attempts.filter(submitted_at__isnull=True).first()
    if open_attempt is not None:
        return open_attempt
    bank = list(
        Question.objects.filter(course_id=locked.course_id, lesson__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not bank:
        raise ValidationError(_("This course has no exam questions yet."), code="no_questions")
    drawn = (rng or random.SystemRandom()).sample(bank, min(locked.course.exam_size, len(bank)))
    number = (locked.attempts.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return ExamAttempt.objects.create(
        enrolment=locked, number=number, question_ids=drawn, started_at=now
    )


def _record_dates(enrolment: OnlineEnrolment, today: date) -> tuple[date, date]:
    """The record's span: from the day study began (within the course year) to the day the
    exam was passed (in the year or its catch-up window)."""
    year = enrolment.year
    began = timezone.localdate(enrolment.created_at)
    start = min(max(began, date(year, 1, 1)), date(year, 12, 31))
    return start, max(today, start)


@transaction.atomic
def exam_submit(
    *,
    person: Person,
    attempt: ExamAttempt,
    answers: Mapping[int, int],
    now: datetime | None = None,
) -> ExamAttempt:
    """Grade an open attempt on the server (answers to questions not drawn are ignored).
    Passing completes the course (its year locks) and creates the year's approved public
    record through credits; a closed study window refuses the submission.  Caller checks:
    `person` is the logged-in user's own."""
    now = _now(now)
    today = timezone.localdate(now)
    enrolment = _own_enrolment(person, attempt.enrolment)
    locked = ExamAttempt.objects.select_for_update().get(pk=attempt.pk, enrolment=enrolment)
    if not locked.is_open:
        raise ValidationError(_("This exam was submitted already."), code="submitted")
    if enrolment.is_complete:
        raise ValidationError(_("You passed this course already."), code="passed")
    _check_window(enrolment.year, today)
    questions = {q.pk: q for q in Question.objects.filter(pk__in=locked.question_ids)}
    correct = sum(
        1
        for pk in locked.question_ids
        if pk in questions and answers.get(pk) == questions[pk].answer
    )
    total = len(locked.question_ids)
    locked.correct = correct
    locked.score = correct * 100 // total if total else 0
    locked.passed = locked.score >= enrolment.course.pass_mark
    locked.submitted_at = now
    locked.save(update_fields=["correct", "score", "passed", "submitted_at"])
    audit_log(
        actor=person.user,
        action="online.exam_pass" if locked.passed else "online.exam_fail",
        target=enrolment,
        to_state="passed" if locked.passed else "failed",
        reason=f"{locked.score}%",
    )
    if locked.passed:
        _course_complete(person=person, enrolment=enrolment, now=now)
    return locked


def _course_complete(*, person: Person, enrolment: OnlineEnrolment, now: datetime) -> None:
    """Lock the year and create the public record (once: the enrolment row is locked and keeps
    the record's id; credits itself returns an existing record)."""
    today = timezone.localdate(now)
    start, end = _record_dates(enrolment, today)
    record, created = credits_api.public_course_record(
        person=person,
        year=enrolment.year,
        title=enrolment.course.title,
        hours=enrolment.course.hours,
        start_date=start,
        end_date=end,
        institution_name=PLATFORM_NAME,
        today=today,
    )
    enrolment.completed_at = now
    enrolment.record_id = record.pk
    enrolment.save(update_fields=["completed_at", "record_id"])
    audit_log(
        actor=person.user,
        action="online.course_complete",
        target=enrolment,
        to_state="complete",
        reason=record.title if created else "",
    )
