"""Demo data of online public-subject study for ``make run``: HRSS published public subjects
for this year and last year, and a course counting for both with two short lessons playing the
sample video committed in ``static/courses/sample-lesson.webm`` (served locally, no CDN),
in-lesson questions and an exam bank."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.api import Organisation, User
from courses.models_online import Lesson, OnlineCourse, PublicSubject, Question
from courses.services.online import subject_create

SAMPLE_VIDEO = Path(settings.BASE_DIR) / "static" / "courses" / "sample-lesson.webm"
SAMPLE_SECONDS = 10

_EXAM = (
    ("中国式现代化是（ ）的现代化。", ["人口规模巨大", "人口规模较小", "只追求经济增长"], 0),
    ("高质量发展的首要任务是（ ）。", ["推动高质量发展", "扩大规模", "降低标准"], 0),
    ("新发展理念包括（ ）。", ["创新、协调、绿色、开放、共享", "速度优先", "规模优先"], 0),
    ("专业技术人员每年公需科目学习不少于（ ）学时。", ["30", "12", "90"], 0),
    ("公需科目学时由系统（ ）。", ["自动申报和认定", "由单位审核", "不予认定"], 0),
)


@transaction.atomic
def demo_online_load() -> None:
    hrss = User.objects.filter(username="hrss").first()
    if hrss is None or OnlineCourse.objects.exists():
        return
    office = Organisation.objects.get(memberships__user=hrss)
    year = timezone.localdate().year
    subjects = []
    for each in (year - 1, year):
        subject = PublicSubject.objects.filter(year=each, title="中国式现代化").first()
        if subject is None:
            subject = subject_create(
                actor=hrss,
                office=office,
                year=each,
                title="中国式现代化",
                hours=Decimal(30),
                published=True,
            )
        subjects.append(subject)
    course = OnlineCourse.objects.create(
        title="中国式现代化的理论与实践",
        description="公需科目示范课程：两讲视频（不可拖动进度），每讲一道课间问答，完成后参加课后考试。",
        hours=Decimal(6),
        pass_mark=60,
        exam_size=3,
        published=True,
    )
    course.subjects.set(subjects)
    content = SAMPLE_VIDEO.read_bytes()
    for position, title in enumerate(("第一讲 中国式现代化的本质要求", "第二讲 推动高质量发展"), 1):
        lesson = Lesson(
            course=course, position=position, title=title, duration_seconds=SAMPLE_SECONDS
        )
        lesson.video.save("sample-lesson.webm", ContentFile(content), save=False)
        lesson.save()
        Question.objects.create(
            course=course,
            lesson=lesson,
            text=f"{title}：本讲内容属于公需科目吗？",
            choices=["不属于", "属于"],
            answer=1,
        )
    for text, choices, answer in _EXAM:
        Question.objects.create(course=course, text=text, choices=choices, answer=answer)
