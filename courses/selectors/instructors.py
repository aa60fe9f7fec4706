"""Reads of instructors (师资)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from courses.models import Instructor


def instructors_of(owner_id: int, *, search: str = "") -> QuerySet[Instructor]:
    """An institution's or employer's instructors, enabled and disabled, by name."""
    qs = Instructor.objects.filter(owner_id=owner_id)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(specialty__icontains=search))
    return qs.order_by("name", "pk")


def enabled_instructors(owner_id: int) -> QuerySet[Instructor]:
    """The instructors a class of `owner_id` may have (enabled ones only): what the class
    forms offer and what the class services accept."""
    return Instructor.objects.filter(owner_id=owner_id, enabled=True).order_by("name", "pk")
