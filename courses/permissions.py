"""Object look-ups of the courses app for a user's organisation or person: a missing object
and another's object both end in 404 (accounts.permissions is the pattern)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.api import Organisation, Person
from courses.models import Instructor, Qualification, QualificationAttachment, Violation

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
