"""Reads of classes and enrolments: scoped querysets with what their pages show loaded in
a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accounts.api import Organisation, Person
from courses.models import Enrolment, ReviewStatus, TrainingClass

_CLASS_RELATED = ("plan__course", "plan__series", "plan__filer")


def public_classes(
    *,
    name: str = "",
    course: str = "",
    course_type: str = "",
    status: str = "",
    institution: str = "",
    series: str = "",
    q: str = "",
) -> QuerySet[TrainingClass]:
    """培训开班信息查询: the classes of approved plans, filtered; soonest start first.
    ``institution`` matches the filer's name (or its id, when all digits); ``q`` matches
    the class or course name."""
    rows = TrainingClass.objects.filter(plan__status=ReviewStatus.APPROVED).select_related(
        *_CLASS_RELATED
    )
    if name:
        rows = rows.filter(name__icontains=name)
    if course:
        rows = rows.filter(plan__course__name__icontains=course)
    if course_type:
        rows = rows.filter(plan__course__course_type=course_type)
    if status:
        rows = rows.filter(status=status)
    if institution:
        if institution.isdigit():
            rows = rows.filter(plan__filer_id=int(institution))
        else:
            rows = rows.filter(plan__filer__name__icontains=institution)
    if series:
        rows = rows.filter(plan__series__code=series)
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(plan__course__name__icontains=q))
    return rows.order_by("-start_date", "-pk")


def filer_classes(organisation: Organisation, *, status: str = "") -> QuerySet[TrainingClass]:
    """The classes of the plans ``organisation`` filed."""
    rows = TrainingClass.objects.filter(plan__filer=organisation).select_related(*_CLASS_RELATED)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by("-start_date", "-pk")


def class_enrolments(training_class: TrainingClass) -> QuerySet[Enrolment]:
    """A class's enrolments with their persons and records, in the order they came."""
    return (
        Enrolment.objects.filter(training_class=training_class)
        .select_related("person", "record")
        .order_by("created_at", "pk")
    )


def person_enrolments(person: Person) -> QuerySet[Enrolment]:
    """The person's enrolments, newest class first, with the class, course, filer and the
    record closing wrote (its status says whether the hours are still pending)."""
    return (
        Enrolment.objects.filter(person=person)
        .select_related("training_class__plan__course", "training_class__plan__filer", "record")
        .order_by("-training_class__start_date", "-pk")
    )


def person_enrolled_class_ids(person: Person | None) -> set[int]:
    """Ids of the classes ``person`` holds a place in (none without a person)."""
    if person is None:
        return set()
    return set(
        Enrolment.objects.filter(person=person, status__in=Enrolment.HOLDING_STATUSES).values_list(
            "training_class_id", flat=True
        )
    )


def class_row(training_class: TrainingClass) -> dict[str, Any]:
    """One class as the public search and its JSON show it."""
    plan = training_class.plan
    return {
        "id": training_class.pk,
        "name": training_class.name,
        "course_name": plan.course.name,
        "course_type": plan.course.course_type,
        "series": plan.series.code,
        "institution": plan.filer.name,
        "institution_id": plan.filer_id,
        "start_date": training_class.start_date,
        "end_date": training_class.end_date,
        "hours": training_class.hours,
        "capacity": training_class.capacity,
        "enrolled": training_class.enrolled,
        "status": training_class.status,
        "mode": training_class.mode,
    }
