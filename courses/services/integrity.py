"""Writes of integrity violations (信用管理, policy #16; provincial regulation art. 29):
HRSS (for parties in its area) and authorities (for their series, in their area) record a
violation against an institution, an employer or a person, with evidence and a clearing
date, and may clear it early with a reason."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import (
    Employment,
    Organisation,
    Person,
    ProfessionalSeries,
    User,
    audit_log,
    can,
    notice_send,
)
from courses.audit import NOTICE_VIOLATION_CLEARED, NOTICE_VIOLATION_RECORDED
from courses.models import Violation
from courses.services._common import check_files, notify_members
from courses.services.qualifications import region_and_ancestors

RECORDER_KINDS = (Organisation.Kind.HRSS, Organisation.Kind.AUTHORITY)
PARTY_KINDS = (Organisation.Kind.INSTITUTION, Organisation.Kind.EMPLOYER)
RECORD_PERM = "review_organisations"


def _covers_region(recorder: Organisation, region_ids: list[int]) -> bool:
    """A provincial office covers everything; any other covers its region and below
    (`region_ids`: the party's region and the regions above it)."""
    return recorder.level == "province" or recorder.region_id in region_ids


def _person_region_ids(person: Person) -> list[int]:
    """The regions of the employer that employs `person` now (none: no region)."""
    employment = (
        Employment.objects.filter(person=person, status=Employment.Status.CONFIRMED)
        .select_related("employer__region__parent")
        .first()
    )
    return region_and_ancestors(employment.employer) if employment else []


def check_recorder(actor: User, recorder: Organisation) -> None:
    if recorder.kind not in RECORDER_KINDS or not recorder.is_approved:
        raise PermissionDenied(_("Only HRSS offices and industry authorities record violations."))
    if not can(actor, RECORD_PERM, recorder):
        raise PermissionDenied(_("You may not record violations for this organisation."))


def _check_scope(
    recorder: Organisation,
    *,
    party_organisation: Organisation | None,
    party_person: Person | None,
    series: ProfessionalSeries | None,
) -> None:
    if recorder.kind == Organisation.Kind.AUTHORITY:
        if series is None:
            raise ValidationError({"series": _("Choose the series the violation concerns.")})
        if not recorder.series.filter(pk=series.pk).exists():
            raise ValidationError(
                {"series": _("Your authority does not govern %(series)s.") % {"series": series}}
            )
    if party_organisation is not None:
        regions = region_and_ancestors(party_organisation)
    else:
        assert party_person is not None
        regions = _person_region_ids(party_person)
    if not _covers_region(recorder, regions):
        raise ValidationError(
            _("This party is outside your area: the office or authority of its region records it.")
        )


@transaction.atomic
def violation_record(
    *,
    actor: User,
    recorder: Organisation,
    reason: str,
    occurred_on: date,
    clears_on: date,
    party_organisation: Organisation | None = None,
    party_person: Person | None = None,
    series: ProfessionalSeries | None = None,
    evidence: UploadedFile | None = None,
) -> Violation:
    """Record a violation against one party (an institution or employer, or a person).

    Checks that `actor` records for `recorder` (HRSS or an authority) and that the party is
    in its area (and, for an authority, that it governs `series`)."""
    check_recorder(actor, recorder)
    if (party_organisation is None) == (party_person is None):
        raise ValidationError(_("Name one party: an institution, an employer or a person."))
    if party_organisation is not None and (
        party_organisation.kind not in PARTY_KINDS or not party_organisation.is_approved
    ):
        raise ValidationError(_("Violations are recorded against institutions and employers."))
    _check_scope(
        recorder, party_organisation=party_organisation, party_person=party_person, series=series
    )
    today = timezone.localdate()
    if occurred_on > today:
        raise ValidationError(
            {"occurred_on": _("The date of the violation cannot be in the future.")}
        )
    if clears_on < today:
        raise ValidationError({"clears_on": _("The clearing date cannot be in the past.")})
    files = check_files([evidence] if evidence is not None else [], required=True, field="evidence")
    violation = Violation(
        party_organisation=party_organisation,
        party_person=party_person,
        recorded_by=recorder,
        series=series,
        reason=reason.strip(),
        occurred_on=occurred_on,
        clears_on=clears_on,
        created_by=actor,
    )
    violation.full_clean(exclude=["evidence"])
    violation.evidence.save(str(files[0].name), files[0], save=False)
    violation.save()
    audit_log(
        actor=actor,
        action="violation.record",
        target=violation,
        organisation=recorder,
        to_state="active",
        reason=violation.reason,
    )
    _notify(violation, NOTICE_VIOLATION_RECORDED, reason=violation.reason)
    return violation


def _notify(violation: Violation, kind: str, *, reason: str) -> None:
    params = {
        "by": violation.recorded_by.name,
        "clears_on": f"{violation.clears_on:%Y-%m-%d}",
        "reason": reason,
    }
    if violation.party_organisation is not None:
        organisation = violation.party_organisation
        notify_members(
            organisation,
            kind=kind,
            params={**params, "party": organisation.name},
            link=reverse("courses:org_integrity", kwargs={"organisation_id": organisation.pk}),
        )
    elif violation.party_person is not None:
        notice_send(
            recipient_id=violation.party_person.user_id,
            kind=kind,
            params={**params, "party": violation.party_person.real_name},
            link=reverse("courses:my_integrity"),
        )


@transaction.atomic
def violation_clear(
    *, actor: User, recorder: Organisation, violation: Violation, reason: str
) -> Violation:
    """Clear an active violation before its clearing date, with a reason.  Checks that
    `actor` records for `recorder` and that `recorder` recorded it (a provincial HRSS office
    may clear any)."""
    check_recorder(actor, recorder)
    locked = (
        Violation.objects.select_for_update(of=("self",))
        .select_related("recorded_by", "party_organisation", "party_person")
        .get(pk=violation.pk)
    )
    provincial_hrss = recorder.kind == Organisation.Kind.HRSS and recorder.level == "province"
    if locked.recorded_by_id != recorder.pk and not provincial_hrss:
        raise PermissionDenied(_("Only the organisation that recorded it clears a violation."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for clearing it early.")})
    today = timezone.localdate()
    if locked.cleared_at is not None or locked.clears_on < today:
        raise ValidationError(_("This violation is no longer in force."))
    locked.cleared_at = timezone.now()
    locked.cleared_reason = reason.strip()
    locked.save(update_fields=["cleared_at", "cleared_reason"])
    audit_log(
        actor=actor,
        action="violation.clear",
        target=locked,
        organisation=recorder,
        from_state="active",
        to_state="cleared",
        reason=locked.cleared_reason,
    )
    _notify(locked, NOTICE_VIOLATION_CLEARED, reason=locked.cleared_reason)
    return locked
