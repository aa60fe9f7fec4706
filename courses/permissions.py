"""Courses' object look-ups: every view fetches its object through one of these; a missing
object and one the user may not see both end in 404.  Each part of issue 9 keeps its block."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.api import Organisation, Person
from courses.models import Enrolment, ReviewStatus, TrainingClass

# --- classes and enrolment (s4-classes) -------------------------------------------------------


def get_class_for_filer(organisation: Organisation, class_id: int) -> TrainingClass:
    """A class of a plan ``organisation`` filed (its institution, employer or authority)."""
    return get_object_or_404(
        TrainingClass.objects.select_related("plan__course", "plan__series", "plan__filer"),
        pk=class_id,
        plan__filer=organisation,
    )


def get_enrolment_for_filer(organisation: Organisation, enrolment_id: int) -> Enrolment:
    """An enrolment in a class of a plan ``organisation`` filed."""
    return get_object_or_404(
        Enrolment.objects.select_related("training_class__plan", "person"),
        pk=enrolment_id,
        training_class__plan__filer=organisation,
    )


def get_public_class(class_id: int) -> TrainingClass:
    """A class anyone may see and a person may enrol in: its plan is approved."""
    return get_object_or_404(
        TrainingClass.objects.select_related("plan__course", "plan__series", "plan__filer"),
        pk=class_id,
        plan__status=ReviewStatus.APPROVED,
    )


def get_own_enrolment(person: Person, enrolment_id: int) -> Enrolment:
    return get_object_or_404(
        Enrolment.objects.select_related("training_class__plan__course"),
        pk=enrolment_id,
        person=person,
    )
