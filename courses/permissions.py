"""Courses' object look-ups: every view fetches its object through one of these; a missing
object and one the user may not see both end in 404.  Each part of issue 9 keeps its block."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.api import Organisation, Person
from courses.models import (
    CourseAttachment,
    CoursePlan,
    Enrolment,
    GuideCourse,
    Instructor,
    Qualification,
    QualificationAttachment,
    ReviewStatus,
    SubjectGuide,
    TrainingClass,
    Violation,
)
from courses.selectors.guides import visible_published_guides

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


# --- institutions, qualifications, instructors, integrity (s4-orgs) -------------------------


def get_own_qualification(institution: Organisation, qualification_id: int) -> Qualification:
    """One of `institution`'s applications."""
    return get_object_or_404(
        Qualification.objects.select_related("series", "authority"),
        pk=qualification_id,
        institution_id=institution.pk,
    )


def get_qualification_for_authority(
    authority: Organisation, qualification_id: int
) -> Qualification:
    """An application sent to `authority` for review."""
    return get_object_or_404(
        Qualification.objects.select_related("series", "institution__region"),
        pk=qualification_id,
        authority_id=authority.pk,
    )


def get_qualification_attachment(
    organisation: Organisation, qualification_id: int, attachment_id: int
) -> QualificationAttachment:
    """A file of an application that `organisation` filed (institution) or reviews
    (authority)."""
    scope = (
        {"qualification__institution_id": organisation.pk}
        if organisation.kind == Organisation.Kind.INSTITUTION
        else {"qualification__authority_id": organisation.pk}
    )
    return get_object_or_404(
        QualificationAttachment.objects.all(),
        pk=attachment_id,
        qualification_id=qualification_id,
        **scope,
    )


def get_own_instructor(owner: Organisation, instructor_id: int) -> Instructor:
    """One of `owner`'s instructors."""
    return get_object_or_404(
        Instructor.objects.select_related("owner"), pk=instructor_id, owner_id=owner.pk
    )


def get_violation_for_recorder(recorder: Organisation, violation_id: int) -> Violation:
    """A violation `recorder` recorded (a provincial HRSS office: any)."""
    qs = Violation.objects.select_related("recorded_by", "party_organisation", "party_person")
    if not (recorder.kind == Organisation.Kind.HRSS and recorder.level == "province"):
        qs = qs.filter(recorded_by_id=recorder.pk)
    return get_object_or_404(qs, pk=violation_id)


def get_violation_evidence_for_party(
    *, organisation: Organisation | None = None, person: Person | None = None, violation_id: int
) -> Violation:
    """A violation recorded against `organisation` or `person` (its evidence is theirs to
    see)."""
    if organisation is not None:
        return get_object_or_404(
            Violation.objects.all(), pk=violation_id, party_organisation_id=organisation.pk
        )
    assert person is not None
    return get_object_or_404(Violation.objects.all(), pk=violation_id, party_person_id=person.pk)


# --- end s4-orgs -------------------------------------------------------------------------------


# --- subject guides and course plans (s4-plans) -------------------------------------------------


def get_guide_for_authority(authority: Organisation, guide_id: int) -> SubjectGuide:
    """One of `authority`'s own guides."""
    return get_object_or_404(
        SubjectGuide.objects.select_related("series", "authority"), pk=guide_id, authority=authority
    )


def get_guide_course_for_authority(
    authority: Organisation, guide_id: int, guide_course_id: int
) -> GuideCourse:
    return get_object_or_404(
        GuideCourse.objects.select_related("guide"),
        pk=guide_course_id,
        guide_id=guide_id,
        guide__authority=authority,
    )


def get_published_guide(filer: Organisation, guide_id: int) -> SubjectGuide:
    """A published guide `filer` reads (of its region or above); a draft is a 404."""
    return get_object_or_404(
        visible_published_guides(filer).select_related("series", "authority"), pk=guide_id
    )


def get_plan_for_filer(filer: Organisation, plan_id: int) -> CoursePlan:
    """One of `filer`'s own plans."""
    return get_object_or_404(
        CoursePlan.objects.select_related(
            "course", "course__guide", "series", "filer", "authority", "hrss_office"
        ),
        pk=plan_id,
        filer=filer,
    )


def get_plan_class_for_filer(
    filer: Organisation, plan_id: int, plan_class_id: int
) -> TrainingClass:
    return get_object_or_404(
        TrainingClass.objects.select_related("plan", "plan__filer"),
        pk=plan_class_id,
        plan_id=plan_id,
        plan__filer=filer,
    )


def get_plan_attachment(
    organisation: Organisation, plan_id: int, plan_attachment_id: int
) -> CourseAttachment:
    """An attachment of a plan `organisation` filed, reviews, or has on file (HRSS)."""
    attachment = get_object_or_404(
        CourseAttachment.objects.select_related("plan"), pk=plan_attachment_id, plan_id=plan_id
    )
    plan = attachment.plan
    if organisation.pk not in (plan.filer_id, plan.authority_id, plan.hrss_office_id):
        raise_404()
    return attachment


def get_plan_for_reviewer(reviewer: Organisation, plan_id: int) -> CoursePlan:
    """A plan sent to `reviewer` (pending or already decided by it)."""
    return get_object_or_404(
        CoursePlan.objects.select_related(
            "course", "course__guide", "series", "filer", "authority", "hrss_office"
        ),
        pk=plan_id,
        authority=reviewer,
    )


def get_plan_for_office(office: Organisation, plan_id: int) -> CoursePlan:
    """An approved plan filed with the HRSS office."""
    return get_object_or_404(
        CoursePlan.objects.select_related(
            "course", "course__guide", "series", "filer", "authority", "hrss_office"
        ),
        pk=plan_id,
        hrss_office=office,
        status="approved",
    )


def raise_404() -> None:
    from django.http import Http404

    raise Http404
