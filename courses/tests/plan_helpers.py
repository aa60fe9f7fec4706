"""Helpers of the subject guide and course plan tests (s4-plans)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from accounts.models import Organisation, ProfessionalSeries
from courses.models import CoursePlan, GuideCourse, Instructor, Qualification, TrainingClass
from courses.services import guides, plans
from tests.factories import admin_of


def guide_course_published(
    authority: Organisation,
    *,
    year: int = 2026,
    series: str = "engineering",
    name: str = "装配式建筑施工技术",
) -> GuideCourse:
    """A course of `authority`'s published guide of `year` (the guide is created once)."""
    from courses.models import SubjectGuide

    actor = admin_of(authority)
    series_row = ProfessionalSeries.objects.get(code=series)
    guide = SubjectGuide.objects.filter(authority=authority, series=series_row, year=year).first()
    if guide is None:
        guide = guides.guide_create(actor=actor, authority=authority, series=series_row, year=year)
    existing = guide.courses.filter(name=name).first()
    if existing is not None:
        return existing
    if guide.status == SubjectGuide.Status.PUBLISHED:
        return GuideCourse.objects.create(
            guide=guide, name=name, course_type="professional", hours=Decimal(24)
        )
    course = guides.guide_course_add(
        actor=actor, guide=guide, name=name, course_type="professional", hours=Decimal(24)
    )
    guides.guide_publish(actor=actor, guide=guide)
    return GuideCourse.objects.select_related("guide").get(pk=course.pk)


def qualify(institution: Organisation, series: str = "engineering") -> Qualification:
    qualification, _ = Qualification.objects.update_or_create(
        institution=institution,
        series=ProfessionalSeries.objects.get(code=series),
        defaults={"status": "approved"},
    )
    return qualification


def instructor(owner: Organisation, name: str = "王老师", *, enabled: bool = True) -> Instructor:
    return Instructor.objects.create(owner=owner, name=name, enabled=enabled)


def plan_with_class(
    filer: Organisation,
    course: GuideCourse,
    *,
    start: date | None = None,
    today: date | None = None,
) -> tuple[CoursePlan, TrainingClass]:
    """A draft plan of `filer` with one face-to-face class starting `start` (default: 10 days
    after `today`)."""
    today = today or date.today()
    start = start or today + timedelta(days=10)
    actor = admin_of(filer)
    plan = plans.plan_create(actor=actor, filer=filer, course=course)
    training_class = plans.plan_class_save(
        actor=actor,
        plan=plan,
        name=f"{course.name}第1期",
        start_date=start,
        end_date=start + timedelta(days=2),
        hours=Decimal(24),
        capacity=50,
        mode=TrainingClass.Mode.FACE_TO_FACE,
        location="广州市天河区中山大道1号",
    )
    return plan, training_class
