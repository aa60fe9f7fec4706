"""Helpers of the institution, qualification, instructor and integrity tests (s4-orgs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Organisation, ProfessionalSeries
from courses.models import (
    CoursePlan,
    GuideCourse,
    Instructor,
    ReviewStatus,
    SubjectGuide,
    TrainingClass,
)
from tests.factories import PDF_BYTES


def pdf(name: str = "licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def html_named_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "licence.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )


def engineering() -> ProfessionalSeries:
    return ProfessionalSeries.objects.get(code="engineering")


def class_with(instructor: Instructor, authority: Organisation) -> TrainingClass:
    """A class of `instructor`'s owner that has `instructor` (built directly: the class
    services belong to another part)."""
    guide = SubjectGuide.objects.create(
        authority=authority, series=engineering(), year=2026, status=SubjectGuide.Status.PUBLISHED
    )
    course = GuideCourse.objects.create(guide=guide, name="建筑安全", hours=Decimal("8"))
    plan = CoursePlan.objects.create(
        filer=instructor.owner,
        course=course,
        year=2026,
        series=engineering(),
        status=ReviewStatus.APPROVED,
    )
    training_class = TrainingClass.objects.create(
        plan=plan,
        name="第一期",
        start_date=dt.date(2026, 5, 1),
        end_date=dt.date(2026, 5, 2),
        hours=Decimal("8"),
        capacity=30,
        location="广州",
    )
    training_class.instructors.add(instructor)
    return training_class
