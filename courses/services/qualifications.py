"""Writes of institutions' teaching qualifications (专业培训资格, 004 institution #1/#2,
authority #6): apply per series to the authority of the institution's level, resubmit a
returned one, and the authority's decision on one or many with the three outcomes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import Decision, Organisation, ProfessionalSeries, User, audit_log, can
from courses.audit import (
    NOTICE_QUALIFICATION_APPROVED,
    NOTICE_QUALIFICATION_REJECTED,
    NOTICE_QUALIFICATION_RETURNED,
)
from courses.models import Qualification, QualificationAttachment, ReviewStatus
from courses.services._common import check_decision, check_files, notify_members

_DECISION_STATUS = {
    Decision.APPROVE: ReviewStatus.APPROVED,
    Decision.REJECT: ReviewStatus.REJECTED,
    Decision.RETURN: ReviewStatus.RETURNED,
}
_DECISION_ACTION = {
    Decision.APPROVE: "qualification.approve",
    Decision.REJECT: "qualification.reject",
    Decision.RETURN: "qualification.return",
}
_DECISION_NOTICE = {
    Decision.APPROVE: NOTICE_QUALIFICATION_APPROVED,
    Decision.REJECT: NOTICE_QUALIFICATION_REJECTED,
    Decision.RETURN: NOTICE_QUALIFICATION_RETURNED,
}


def region_and_ancestors(organisation: Organisation) -> list[int]:
    """The ids of `organisation`'s region and the regions above it (district → city →
    province)."""
    region = organisation.region
    ids = [region.pk]
    if region.parent_id is not None:
        ids.append(region.parent_id)
        parent = region.parent
        if parent is not None and parent.parent_id is not None:
            ids.append(parent.parent_id)
    return ids


def qualification_authority(
    *, institution: Organisation, series: ProfessionalSeries
) -> Organisation:
    """The authority that reviews `institution`'s application for `series`: an approved
    authority governing the series at the institution's level, in its region (or the region
    above it).  None or several: a ValidationError that says so."""
    candidates = list(
        Organisation.objects.filter(
            kind=Organisation.Kind.AUTHORITY,
            status=Organisation.Status.APPROVED,
            level=institution.level,
            series=series,
            region_id__in=region_and_ancestors(institution),
        ).order_by("pk")[:2]
    )
    if not candidates:
        raise ValidationError(
            {
                "series": _(
                    "No approved industry authority of your level (%(level)s) governs %(series)s "
                    "in your region yet, so nobody can review this application. Ask the "
                    "authority to register in the system first."
                )
                % {"level": institution.get_level_display(), "series": series.name}
            }
        )
    if len(candidates) > 1:
        raise ValidationError(
            {
                "series": _(
                    "Several industry authorities of your level govern %(series)s in your "
                    "region; the system cannot tell which one reviews you. Contact your HRSS "
                    "office."
                )
                % {"series": series.name}
            }
        )
    return candidates[0]


def _check_institution(actor: User, institution: Organisation) -> None:
    if institution.kind != Organisation.Kind.INSTITUTION:
        raise PermissionDenied(_("Only a teaching institution applies for qualifications."))
    if not can(actor, "act_for_organisation", institution):
        raise PermissionDenied(_("You may not act for this institution."))
    if not institution.is_approved:
        raise ValidationError(_("Your institution's filing has not been accepted by HRSS yet."))


def _attach(qualification: Qualification, files: Sequence[UploadedFile]) -> None:
    for upload in files:
        attachment = QualificationAttachment(
            qualification=qualification, name=str(upload.name)[:120]
        )
        attachment.file.save(str(upload.name), upload, save=False)
        attachment.save()


@transaction.atomic
def qualification_apply(
    *,
    actor: User,
    institution: Organisation,
    series: ProfessionalSeries,
    description: str = "",
    files: Iterable[UploadedFile] = (),
) -> Qualification:
    """Apply for the qualification in `series` (one per series; a rejected one may be
    applied for again).  Checks that `actor` acts for the filed `institution`."""
    _check_institution(actor, institution)
    checked = check_files(files, required=True)
    authority = qualification_authority(institution=institution, series=series)
    existing = (
        Qualification.objects.select_for_update()
        .filter(institution=institution, series=series)
        .first()
    )
    before = ""
    if existing is not None:
        if existing.status == ReviewStatus.RETURNED:
            raise ValidationError(
                _("Your application for %(series)s was returned: change and resubmit it.")
                % {"series": series.name}
            )
        if existing.status != ReviewStatus.REJECTED:
            raise ValidationError(
                _("You already hold or applied for the qualification in %(series)s.")
                % {"series": series.name}
            )
        qualification = existing
        before = existing.status
        qualification.attachments.all().delete()
    else:
        qualification = Qualification(institution=institution, series=series)
    qualification.authority = authority
    qualification.status = ReviewStatus.PENDING
    qualification.description = description.strip()
    qualification.reviewer_reason = ""
    qualification.applied_by = actor
    qualification.applied_at = timezone.now()
    qualification.decided_by = None
    qualification.decided_at = None
    qualification.save()
    _attach(qualification, checked)
    audit_log(
        actor=actor,
        action="qualification.apply",
        target=qualification,
        organisation=institution,
        from_state=before,
        to_state=qualification.status,
    )
    return qualification


@transaction.atomic
def qualification_resubmit(
    *,
    actor: User,
    qualification: Qualification,
    description: str = "",
    files: Iterable[UploadedFile] = (),
) -> Qualification:
    """Send a returned application back for review, with its description changed and any new
    files added.  Checks that `actor` acts for the qualification's institution."""
    locked = (
        Qualification.objects.select_for_update()
        .select_related("institution__region", "series")
        .get(pk=qualification.pk)
    )
    _check_institution(actor, locked.institution)
    if locked.status != ReviewStatus.RETURNED:
        raise ValidationError(_("Only an application returned for changes can be resubmitted."))
    checked = check_files(files, required=False)
    if locked.attachments.count() + len(checked) > 10:
        raise ValidationError({"attachments": _("An application holds at most 10 files.")})
    locked.authority = qualification_authority(institution=locked.institution, series=locked.series)
    locked.description = description.strip()
    locked.status = ReviewStatus.PENDING
    locked.applied_by = actor
    locked.applied_at = timezone.now()
    locked.save()
    _attach(locked, checked)
    audit_log(
        actor=actor,
        action="qualification.resubmit",
        target=locked,
        organisation=locked.institution,
        from_state=ReviewStatus.RETURNED,
        to_state=locked.status,
    )
    return locked


@dataclass(frozen=True)
class ReviewResult:
    decided: int
    skipped: int


@transaction.atomic
def qualifications_review(
    *,
    reviewer: User,
    authority: Organisation,
    qualification_ids: Sequence[int],
    decision: str,
    reason: str = "",
) -> ReviewResult:
    """Decide pending applications sent to `authority`, one or many (004 authority #6);
    ids that are not pending with `authority` are skipped.  Each decision is audited and
    the institution's members are told.  Checks that `reviewer` reviews for `authority`."""
    if authority.kind != Organisation.Kind.AUTHORITY or not can(
        reviewer, "review_organisations", authority
    ):
        raise PermissionDenied(_("You may not review applications for this organisation."))
    checked = check_decision(decision, reason)
    reason = reason.strip()
    ids = sorted(set(qualification_ids))
    rows = list(
        Qualification.objects.select_for_update(of=("self",))
        .select_related("institution", "series")
        .filter(Q(pk__in=ids), authority=authority, status=ReviewStatus.PENDING)
        .order_by("pk")
    )
    now = timezone.now()
    for qualification in rows:
        qualification.status = _DECISION_STATUS[checked]
        qualification.reviewer_reason = reason
        qualification.decided_by = reviewer
        qualification.decided_at = now
        qualification.save(
            update_fields=["status", "reviewer_reason", "decided_by", "decided_at", "updated_at"]
        )
        audit_log(
            actor=reviewer,
            action=_DECISION_ACTION[checked],
            target=qualification,
            organisation=qualification.institution,
            from_state=ReviewStatus.PENDING,
            to_state=qualification.status,
            reason=reason,
        )
        notify_members(
            qualification.institution,
            kind=_DECISION_NOTICE[checked],
            params={"by": authority.name, "series": qualification.series.name, "reason": reason},
            link=reverse(
                "courses:qualifications",
                kwargs={"organisation_id": qualification.institution_id},
            ),
        )
    return ReviewResult(decided=len(rows), skipped=len(ids) - len(rows))
