"""Demo data of the courses app for ``make run`` (called by ``seed_demo`` after the credits
demo, like certificates/demo.py); each part of the app adds its own block.

Institutions, qualifications, instructors, integrity (s4-orgs): the demo institution
(login ``institution``, Guangzhou, city level) holds an approved qualification in higher
education and waits for Guangzhou's education bureau (``edu_city``) on education; it and the
demo employer keep instructors; another filed institution (``institution2``) has an
integrity violation in force, recorded by the provincial HRSS office with evidence.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.api import Decision, Organisation, ProfessionalSeries, User
from courses.models import Instructor, Qualification
from courses.services.instructors import instructor_add, instructor_set_enabled
from courses.services.integrity import violation_record
from courses.services.qualifications import qualification_apply, qualifications_review

_DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, _DEMO_PDF, content_type="application/pdf")


def _org_of(username: str) -> Organisation | None:
    return Organisation.objects.filter(memberships__user__username=username).first()


@transaction.atomic
def _orgs_demo_load() -> None:
    institution = _org_of("institution")
    education = _org_of("edu_city")
    other = _org_of("institution2")
    employer = _org_of("employer")
    province_hrss = _org_of("hrss")
    if None in (institution, education, other, employer, province_hrss):
        return
    assert institution and education and other and employer and province_hrss
    if Qualification.objects.filter(institution=institution).exists():
        return  # loaded already
    actor = User.objects.get(username="institution")
    reviewer = User.objects.get(username="edu_city")
    approved = qualification_apply(
        actor=actor,
        institution=institution,
        series=ProfessionalSeries.objects.get(code="higher_education"),
        description="高等学校教师继续教育基地，专职教师 40 人，多媒体教室 12 间。",
        files=[_pdf("办学许可证.pdf"), _pdf("师资名单.pdf")],
    )
    qualifications_review(
        reviewer=reviewer,
        authority=education,
        qualification_ids=[approved.pk],
        decision=Decision.APPROVE,
    )
    qualification_apply(
        actor=actor,
        institution=institution,
        series=ProfessionalSeries.objects.get(code="education"),
        description="中小学教师培训方向，已开设课程 8 门。",
        files=[_pdf("中小学教师培训方案.pdf")],
    )
    for name, title, specialty in (
        ("陈明", "教授", "高等教育管理"),
        ("林芳", "副教授", "教育心理学"),
        ("黄伟", "高级讲师", "课程设计"),
    ):
        instructor_add(actor=actor, owner=institution, name=name, title=title, specialty=specialty)
    retired = Instructor.objects.get(owner=institution, name="黄伟")
    instructor_set_enabled(actor=actor, instructor=retired, enabled=False)
    employer_admin = User.objects.get(username="employer")
    for name, title, specialty in (
        ("周强", "高级工程师", "建筑施工安全"),
        ("吴敏", "工程师", "BIM"),
    ):
        instructor_add(
            actor=employer_admin, owner=employer, name=name, title=title, specialty=specialty
        )
    today = timezone.localdate()
    violation_record(
        actor=User.objects.get(username="hrss"),
        recorder=province_hrss,
        party_organisation=other,
        reason="未按备案的专业课计划组织教学，虚报培训学时。",
        occurred_on=today - dt.timedelta(days=20),
        clears_on=today + dt.timedelta(days=345),
        evidence=_pdf("核查记录.pdf"),
    )


def demo_extra_load() -> None:
    _orgs_demo_load()
    # --- subject guides and course plans (s4-plans) ---
    from courses.demo_plans import demo_plans_load

    demo_plans_load()
    # --- classes and enrolment (s4-classes) ---
    from courses.demo_classes import demo_classes_load

    demo_classes_load()
    # --- online public-subject study (s4-online) ---
    from courses.demo_online import demo_online_load

    demo_online_load()
