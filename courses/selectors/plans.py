"""Reads of course plans: the filer's list, the reviewer's queue, the HRSS filed list."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from accounts.api import AuditEntry, Organisation
from courses.models import CoursePlan, ReviewStatus, TrainingClass

_LIST_RELATED = ("course", "series", "filer", "authority", "hrss_office")


def _with_class_counts(plans: QuerySet[CoursePlan]) -> QuerySet[CoursePlan]:
    return plans.select_related(*_LIST_RELATED).annotate(class_count=Count("classes"))


def filer_plans(filer: Organisation, *, status: str = "") -> QuerySet[CoursePlan]:
    plans = CoursePlan.objects.filter(filer=filer)
    if status:
        plans = plans.filter(status=status)
    return _with_class_counts(plans).order_by("-year", "-created_at", "-pk")


def review_queue(
    reviewer: Organisation, *, status: str = ReviewStatus.PENDING
) -> QuerySet[CoursePlan]:
    """Plans sent to `reviewer`, oldest submission first."""
    plans = CoursePlan.objects.filter(authority=reviewer)
    if status:
        plans = plans.filter(status=status)
    return _with_class_counts(plans).order_by("submitted_at", "pk")


def review_queue_count(reviewer: Organisation) -> int:
    return CoursePlan.objects.filter(authority=reviewer, status=ReviewStatus.PENDING).count()


def filed_plans(office: Organisation, *, year: int | None = None) -> QuerySet[CoursePlan]:
    """Approved plans filed with the HRSS office (read only)."""
    plans = CoursePlan.objects.filter(hrss_office=office, status=ReviewStatus.APPROVED)
    if year:
        plans = plans.filter(year=year)
    return _with_class_counts(plans).order_by("-decided_at", "-pk")


def plan_classes(plan: CoursePlan) -> QuerySet[TrainingClass]:
    return (
        TrainingClass.objects.filter(plan=plan)
        .prefetch_related(Prefetch("instructors"))
        .order_by("start_date", "pk")
    )


def plan_history(plan: CoursePlan) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(target_type="courses.courseplan", target_id=str(plan.pk))
        .select_related("actor")
        .order_by("-at", "-pk")
    )
