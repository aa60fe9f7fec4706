"""Demo subject guide and course plans for ``make run`` (s4-plans).

The provincial authority's published guide of this year for its series; an approved plan of
the demo institution with a class (filed with the provincial HRSS office), a plan of the
institution waiting for review, and the demo employer's approved in-house training plan.
Idempotent: nothing is made twice. What the demo needs and may not exist yet (the
institution's qualification, instructors) is made here through the models.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.api import Decision, Organisation, User
from courses.models import (
    CoursePlan,
    GuideCourse,
    Instructor,
    Qualification,
    ReviewStatus,
    SubjectGuide,
    TrainingClass,
)
from courses.services import guides, plans

COURSES = (
    ("装配式建筑设计与施工技术", "professional", Decimal(24)),
    ("建筑信息模型（BIM）应用实务", "professional", Decimal(16)),
    ("工程建设标准与法规通识", "general_knowledge", Decimal(12)),
)


def _member(username: str) -> tuple[User, Organisation] | None:
    user = User.objects.filter(username=username).first()
    if user is None:
        return None
    organisation = Organisation.objects.filter(memberships__user=user).first()
    return (user, organisation) if organisation else None


@transaction.atomic
def demo_plans_load() -> None:
    authority = _member("authority")
    institution = _member("institution")
    employer = _member("employer")
    if authority is None or institution is None or employer is None:
        return
    authority_user, authority_org = authority
    series = authority_org.series.filter(code="engineering").first()
    if series is None:
        return
    year = timezone.localdate().year
    if SubjectGuide.objects.filter(authority=authority_org, series=series, year=year).exists():
        return  # loaded already
    guide = guides.guide_create(
        actor=authority_user, authority=authority_org, series=series, year=year
    )
    courses = [
        guides.guide_course_add(
            actor=authority_user, guide=guide, name=name, course_type=kind, hours=hours
        )
        for name, kind, hours in COURSES
    ]
    guides.guide_publish(actor=authority_user, guide=guide)

    institution_user, institution_org = institution
    Qualification.objects.get_or_create(
        institution=institution_org,
        series=series,
        defaults={"status": ReviewStatus.APPROVED, "authority": authority_org},
    )
    teacher, _ = Instructor.objects.get_or_create(
        owner=institution_org, name="林教授", defaults={"title": "教授级高级工程师"}
    )
    approved = _plan(institution_user, institution_org, courses[0], teacher, days=20)
    _plan(institution_user, institution_org, courses[1], teacher, days=25)  # left pending

    employer_user, employer_org = employer
    trainer, _ = Instructor.objects.get_or_create(
        owner=employer_org, name="赵工", defaults={"title": "高级工程师"}
    )
    in_house = _plan(employer_user, employer_org, courses[2], trainer, days=15)
    plans.plans_review(
        reviewer=authority_user,
        reviewer_organisation=authority_org,
        plan_ids=[approved.pk, in_house.pk],
        decision=Decision.APPROVE,
    )


def _plan(
    user: User, filer: Organisation, course: GuideCourse, teacher: Instructor, *, days: int
) -> CoursePlan:
    """A plan of `filer` with one class starting in `days` days, submitted for review."""
    plan = plans.plan_create(
        actor=user, filer=filer, course=course, description="演示：年度专业科目培训计划"
    )
    start = timezone.localdate() + timedelta(days=days)
    plans.plan_class_save(
        actor=user,
        plan=plan,
        name=f"{course.name}（第1期）",
        start_date=start,
        end_date=start + timedelta(days=2),
        hours=course.hours,
        capacity=80,
        mode=TrainingClass.Mode.FACE_TO_FACE,
        location="广州市番禺区大学城外环西路230号",
        head_teacher=teacher.name,
        instructors=[teacher],
    )
    return plans.plan_submit(actor=user, plan=plan)
