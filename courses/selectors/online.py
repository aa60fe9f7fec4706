"""Reads of online public-subject study: scoped querysets with a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from accounts.api import Organisation, Person
from courses.models_online import (
    ExamAttempt,
    Lesson,
    LessonProgress,
    OnlineCourse,
    OnlineEnrolment,
    PublicSubject,
    Question,
)


def published_subjects() -> QuerySet[PublicSubject]:
    return PublicSubject.objects.filter(published=True)


def published_courses() -> QuerySet[OnlineCourse]:
    """Published courses of at least one published subject, with those subjects prefetched
    (``published_subjects``) and their lesson count (two queries in all)."""
    return (
        OnlineCourse.objects.filter(published=True, subjects__published=True)
        .distinct()
        .annotate(lesson_count=Count("lessons", distinct=True))
        .prefetch_related(
            Prefetch(
                "subjects",
                queryset=published_subjects().order_by("-year", "title"),
                to_attr="published_subjects",
            )
        )
        .order_by("title", "pk")
    )


def person_enrolments(person: Person) -> QuerySet[OnlineEnrolment]:
    """The person's courses with the lessons done and the course's lesson count."""
    return (
        OnlineEnrolment.objects.filter(person=person)
        .select_related("course")
        .annotate(
            lessons_done=Count(
                "progress", filter=Q(progress__completed_at__isnull=False), distinct=True
            ),
            lesson_count=Count("course__lessons", distinct=True),
        )
        .order_by("-created_at", "-pk")
    )


@dataclass(frozen=True)
class LessonRow:
    lesson: Lesson
    credited_seconds: int
    complete: bool


def enrolment_lessons(enrolment: OnlineEnrolment) -> list[LessonRow]:
    """Each lesson of the course with the person's credited time (two queries)."""
    progress = {p.lesson_id: p for p in LessonProgress.objects.filter(enrolment=enrolment)}
    rows = []
    for lesson in Lesson.objects.filter(course_id=enrolment.course_id).order_by("position", "pk"):
        row = progress.get(lesson.pk)
        rows.append(
            LessonRow(
                lesson=lesson,
                credited_seconds=(row.credited_ms // 1000) if row else 0,
                complete=bool(row and row.completed_at),
            )
        )
    return rows


def enrolment_attempts(enrolment: OnlineEnrolment) -> QuerySet[ExamAttempt]:
    return ExamAttempt.objects.filter(enrolment=enrolment).order_by("-number")


def lesson_questions(lesson: Lesson) -> list[Question]:
    return list(lesson.questions.order_by("pk"))


def lesson_progress(enrolment: OnlineEnrolment, lesson: Lesson) -> LessonProgress | None:
    return LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).first()


def attempt_questions(attempt: ExamAttempt) -> list[Question]:
    """The attempt's questions in the order they were drawn."""
    by_pk = {q.pk: q for q in Question.objects.filter(pk__in=attempt.question_ids)}
    return [by_pk[pk] for pk in attempt.question_ids if pk in by_pk]


def office_subjects(office: Organisation) -> QuerySet[PublicSubject]:
    """The subjects an HRSS office published or drafted, with their course count."""
    return (
        PublicSubject.objects.filter(office=office)
        .annotate(course_count=Count("courses", distinct=True))
        .order_by("-year", "title")
    )
