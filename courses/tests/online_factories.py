"""Test data for online public-subject study, built through the services where they exist."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile

from accounts.models import Organisation
from courses.models_online import Lesson, OnlineCourse, PublicSubject, Question

SAMPLE_VIDEO = Path(settings.BASE_DIR) / "static" / "courses" / "sample-lesson.webm"


def subject_make(
    *, office: Organisation, year: int, title: str = "", published: bool = True
) -> PublicSubject:
    subject, _ = PublicSubject.objects.get_or_create(
        year=year,
        title=title or f"公需科目 {year}（{office.pk}）",
        defaults={"office": office, "hours": Decimal(30), "published": published},
    )
    return subject


def online_course_make(
    *,
    office: Organisation,
    years: Sequence[int],
    durations: Sequence[int] = (10, 10),
    lesson_questions: int = 1,
    bank: int = 4,
    exam_size: int = 3,
    pass_mark: int = 60,
    hours: Decimal = Decimal(6),
    title: str = "中国式现代化",
    real_video: bool = False,
) -> OnlineCourse:
    """A published course counting for `years`, one lesson per duration (seconds) with
    `lesson_questions` questions each (answer: choice 1), and `bank` exam questions
    (answer: choice 0)."""
    course = OnlineCourse.objects.create(
        title=title, hours=hours, pass_mark=pass_mark, exam_size=exam_size, published=True
    )
    course.subjects.set([subject_make(office=office, year=y) for y in years])
    content = SAMPLE_VIDEO.read_bytes() if real_video else b"\x1aE\xdf\xa3 not a real video"
    for position, seconds in enumerate(durations, start=1):
        lesson = Lesson(
            course=course, position=position, title=f"第{position}讲", duration_seconds=seconds
        )
        lesson.video.save("lesson.webm", ContentFile(content), save=False)
        lesson.save()
        for n in range(lesson_questions):
            Question.objects.create(
                course=course,
                lesson=lesson,
                text=f"第{position}讲 问题{n + 1}",
                choices=["错", "对"],
                answer=1,
            )
    for n in range(bank):
        Question.objects.create(
            course=course, text=f"考试题 {n + 1}", choices=["甲", "乙", "丙"], answer=0
        )
    return course
