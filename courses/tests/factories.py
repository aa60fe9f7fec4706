"""Plans and classes written directly with the models (the plan services are another part of
issue 9): for the tests of classes, enrolment, results and closing."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Organisation, ProfessionalSeries
from courses.models import CoursePlan, GuideCourse, ReviewStatus, SubjectGuide, TrainingClass

_serial = itertools.count(1)


def past_day(days: int = 3) -> date:
    """A day of this year at least ``days`` ago (or 1 January)."""
    today = timezone.localdate()
    return max(today - timedelta(days=days), today.replace(month=1, day=1))


def plan_make(
    filer: Organisation,
    *,
    authority: Organisation | None = None,
    series: str = "engineering",
    year: int | None = None,
    status: str = ReviewStatus.APPROVED,
    course_name: str | None = None,
    course_type: str = GuideCourse.CourseType.PROFESSIONAL,
    hours: Decimal | int = 16,
) -> CoursePlan:
    year = year or timezone.localdate().year
    series_row = ProfessionalSeries.objects.get(code=series)
    authority = authority or (Organisation.objects.filter(kind="authority").order_by("pk").first())
    assert authority is not None
    guide, _ = SubjectGuide.objects.get_or_create(
        authority=authority,
        series=series_row,
        year=year,
        defaults={"status": SubjectGuide.Status.PUBLISHED, "published_at": timezone.now()},
    )
    course, _ = GuideCourse.objects.get_or_create(
        guide=guide,
        name=course_name or f"专业课程{next(_serial)}",
        defaults={"course_type": course_type, "hours": Decimal(hours)},
    )
    return CoursePlan.objects.create(
        filer=filer,
        course=course,
        year=year,
        series=series_row,
        status=status,
        authority=authority,
    )


def class_make(
    plan: CoursePlan,
    *,
    status: str = TrainingClass.Status.ACCEPTING,
    capacity: int = 30,
    hours: Decimal | int = 16,
    name: str | None = None,
    start: date | None = None,
    end: date | None = None,
    mode: str = TrainingClass.Mode.FACE_TO_FACE,
) -> TrainingClass:
    start = start or past_day(5)
    end = end or max(start, past_day(1))
    return TrainingClass.objects.create(
        plan=plan,
        name=name or f"{plan.course.name}第{next(_serial)}期",
        start_date=start,
        end_date=end,
        hours=Decimal(hours),
        capacity=capacity,
        mode=mode,
        location="广州市天河区" if mode == TrainingClass.Mode.FACE_TO_FACE else "",
        head_teacher="李老师",
        status=status,
    )
