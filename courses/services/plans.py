"""Writes of course plans (专业课计划) and their classes: created and edited by the filer
while draft or returned, submitted to the authority of the filer's level, reviewed with the
three outcomes, and once approved filed with the HRSS office of the reviewer's level
(provincial opinions, section 七; 004 institution #3, authority #3/#4, policy #16).

Who reviews, who files and when a plan may be submitted are read in
docs/decisions/0014-plan-filing-window.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import (
    Decision,
    Notice,
    Organisation,
    Region,
    User,
    audit_log,
    notices_send,
)
from courses.models import (
    CourseAttachment,
    CoursePlan,
    GuideCourse,
    Instructor,
    ReviewStatus,
    TrainingClass,
)
from courses.selectors.guides import visible_published_guides
from courses.selectors.integrity import organisation_active_violation
from courses.selectors.qualifications import qualification_held
from portal.uploads import validate_evidence

ATTACHMENT_EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}
FILER_KINDS = (
    Organisation.Kind.INSTITUTION,
    Organisation.Kind.EMPLOYER,
    Organisation.Kind.AUTHORITY,
)
# Administrative levels from the lowest up.
LEVELS = ("district", "city", "province")


# --- Who may file, who reviews, who files the approved plan -----------------------------------


def filer_may_plan(filer: Organisation, series_id: int) -> str:
    """Why `filer` may not file a plan in the series ("" when it may): an approved
    institution holding the series' qualification, an approved employer (in-house training,
    policy #16), or an approved authority governing the series (authority #4)."""
    if filer.kind not in FILER_KINDS:
        return _("Only institutions, employers and authorities file course plans.")
    if not filer.is_approved:
        return _("Your organisation must be approved before it files course plans.")
    if filer.kind == Organisation.Kind.INSTITUTION and not qualification_held(
        institution_id=filer.pk, series_id=series_id
    ):
        return _(
            "Your institution holds no approved teaching qualification for this series: "
            "apply for one first."
        )
    if filer.kind == Organisation.Kind.AUTHORITY and not filer.series.filter(pk=series_id).exists():
        return _("Your authority does not govern this series.")
    return ""


def _region_chain(region: Region, level: str) -> list[Region]:
    """`region` and its parents, from the one at `level` (or `region` itself when it is
    above `level`) up to the province."""
    chain: list[Region] = []
    current: Region | None = region
    while current is not None:
        chain.append(current)
        current = current.parent
    if level in LEVELS:
        floor = LEVELS.index(level)
        chain = [r for r in chain if r.level not in LEVELS or LEVELS.index(r.level) >= floor]
    return chain or [region]


def reviewing_authority_for(filer: Organisation, series_id: int) -> Organisation | None:
    """The organisation that reviews `filer`'s plan in the series (decision 0014).

    - An institution or employer: the nearest approved authority governing the series at the
      filer's level in its region, or above it (an employer's level is its region's).
    - An authority's own plan: its approved parent; a provincial authority's: the provincial
      HRSS office (as for its own application, 004 authority #2).
    """
    if filer.kind == Organisation.Kind.AUTHORITY:
        if filer.parent_id is not None:
            parent = Organisation.objects.filter(
                pk=filer.parent_id, status=Organisation.Status.APPROVED
            ).first()
            return parent
        return _hrss_office_in(_region_chain(filer.region, filer.level))
    chain = _region_chain(filer.region, filer.level or filer.region.level)
    candidates = {
        authority.region_id: authority
        for authority in Organisation.objects.filter(
            kind=Organisation.Kind.AUTHORITY,
            status=Organisation.Status.APPROVED,
            region__in=chain,
            series__pk=series_id,
        )
        .exclude(pk=filer.pk)
        .order_by("-pk")
    }
    for region in chain:
        if region.pk in candidates:
            return candidates[region.pk]
    return None


def _hrss_office_in(chain: Sequence[Region]) -> Organisation | None:
    offices = {
        office.region_id: office
        for office in Organisation.objects.filter(
            kind=Organisation.Kind.HRSS,
            status=Organisation.Status.APPROVED,
            region__in=list(chain),
        ).order_by("-pk")
    }
    for region in chain:
        if region.pk in offices:
            return offices[region.pk]
    return None


def filing_office_for(reviewer: Organisation) -> Organisation | None:
    """The HRSS office an approved plan is filed with (报同级人社部门备案): the office of the
    reviewer's level and region (or the nearest above it); the reviewer itself when an HRSS
    office reviewed."""
    if reviewer.kind == Organisation.Kind.HRSS:
        return reviewer
    return _hrss_office_in(_region_chain(reviewer.region, reviewer.level))


# --- The filing window -------------------------------------------------------------------------


@dataclass(frozen=True)
class FilingWindow:
    """The days a plan with a class starting on `start` may be submitted (inclusive)."""

    start: date
    earliest: date | None
    latest: date

    def contains(self, day: date) -> bool:
        return day <= self.latest and (self.earliest is None or day >= self.earliest)


def filing_window(start: date) -> FilingWindow:
    """From ``COURSES_PLAN_WINDOW_MAX_DAYS`` before `start` (0: no earliest day) up to
    ``COURSES_PLAN_WINDOW_MIN_DAYS`` before it (decision 0014)."""
    max_days = settings.COURSES_PLAN_WINDOW_MAX_DAYS
    min_days = settings.COURSES_PLAN_WINDOW_MIN_DAYS
    return FilingWindow(
        start=start,
        earliest=start - timedelta(days=max_days) if max_days > 0 else None,
        latest=start - timedelta(days=min_days),
    )


def _window_error(window: FilingWindow) -> str:
    if window.earliest is None:
        return _("The class starting %(start)s must be filed on or before %(latest)s.") % {
            "start": window.start.isoformat(),
            "latest": window.latest.isoformat(),
        }
    return _("The class starting %(start)s must be filed between %(earliest)s and %(latest)s.") % {
        "start": window.start.isoformat(),
        "earliest": window.earliest.isoformat(),
        "latest": window.latest.isoformat(),
    }


# --- Plans and their classes -------------------------------------------------------------------


def _check_editable(plan: CoursePlan) -> None:
    if not plan.is_editable:
        raise ValidationError(
            _("This plan is %(status)s: only a draft or returned plan can be changed.")
            % {"status": plan.get_status_display()}
        )


def _check_course(course: GuideCourse, filer: Organisation) -> None:
    """The course is in a published guide `filer` reads (of its region or above)."""
    if not visible_published_guides(filer).filter(pk=course.guide_id).exists():
        raise ValidationError({"course": _("Pick a course of a published subject guide.")})


def _locked(plan: CoursePlan) -> CoursePlan:
    return (
        CoursePlan.objects.select_related("filer", "course")
        .select_for_update(of=("self",))
        .get(pk=plan.pk)
    )


@transaction.atomic
def plan_create(
    *, actor: User, filer: Organisation, course: GuideCourse, description: str = ""
) -> CoursePlan:
    """A draft plan of `filer` for a course of a published guide (its year and series are the
    guide's).

    Caller checks: `actor` may act for `filer`."""
    _check_course(course, filer)
    reason = filer_may_plan(filer, course.guide.series_id)
    if reason:
        raise ValidationError(reason)
    plan = CoursePlan.objects.create(
        filer=filer,
        course=course,
        year=course.guide.year,
        series_id=course.guide.series_id,
        description=description,
        created_by=actor,
    )
    audit_log(
        actor=actor, action="plan.create", target=plan, organisation=filer, to_state=plan.status
    )
    return plan


@transaction.atomic
def plan_update(
    *, actor: User, plan: CoursePlan, course: GuideCourse, description: str = ""
) -> CoursePlan:
    """Change a draft or returned plan's course and description.

    Caller checks: `actor` may act for the plan's filer."""
    plan = _locked(plan)
    _check_editable(plan)
    _check_course(course, plan.filer)
    reason = filer_may_plan(plan.filer, course.guide.series_id)
    if reason:
        raise ValidationError(reason)
    changes: dict[str, tuple[object, object]] = {}
    if plan.course_id != course.pk:
        changes["course"] = (plan.course.name, course.name)
    if plan.description != description:
        changes["description"] = (plan.description, description)
    plan.course = course
    plan.year = course.guide.year
    plan.series_id = course.guide.series_id
    plan.description = description
    plan.save()
    if changes:
        audit_log(
            actor=actor,
            action="plan.update",
            target=plan,
            organisation=plan.filer,
            changes=changes,
        )
    return plan


@transaction.atomic
def plan_class_save(
    *,
    actor: User,
    plan: CoursePlan,
    name: str,
    start_date: date,
    end_date: date,
    hours: Decimal,
    capacity: int,
    mode: str,
    location: str = "",
    head_teacher: str = "",
    instructors: Iterable[Instructor] = (),
    training_class: TrainingClass | None = None,
) -> TrainingClass:
    """Add a class to a draft or returned plan, or change one of its classes.

    Only enabled instructors of the plan's filer teach; a face-to-face class has a location.
    Caller checks: `actor` may act for the plan's filer."""
    plan = _locked(plan)
    _check_editable(plan)
    errors: dict[str, str] = {}
    if end_date < start_date:
        errors["end_date"] = _("The class cannot end before it starts.")
    if hours <= 0:
        errors["hours"] = _("Hours must be more than 0.")
    if capacity < 1:
        errors["capacity"] = _("A class has at least one place.")
    if mode == TrainingClass.Mode.FACE_TO_FACE and not location.strip():
        errors["location"] = _("Give the location of a face-to-face class.")
    chosen = list(instructors)
    allowed = set(
        Instructor.objects.filter(
            owner_id=plan.filer_id, enabled=True, pk__in=[i.pk for i in chosen]
        ).values_list("pk", flat=True)
    )
    if any(i.pk not in allowed for i in chosen):
        errors["instructors"] = _("Only enabled instructors of your organisation can teach.")
    if errors:
        raise ValidationError(errors)
    created = training_class is None
    if training_class is None:
        training_class = TrainingClass(plan=plan)
    elif training_class.plan_id != plan.pk:
        raise ValidationError(_("This class is not part of the plan."))
    training_class.name = name
    training_class.start_date = start_date
    training_class.end_date = end_date
    training_class.hours = hours
    training_class.capacity = capacity
    training_class.mode = mode
    training_class.location = location
    training_class.head_teacher = head_teacher
    training_class.save()
    training_class.instructors.set(chosen)
    audit_log(
        actor=actor,
        action="plan.class_add" if created else "plan.class_update",
        target=plan,
        organisation=plan.filer,
        reason=f"{name} ({start_date.isoformat()})",
    )
    return training_class


@transaction.atomic
def plan_class_remove(*, actor: User, training_class: TrainingClass) -> None:
    """Remove a class from a draft or returned plan.

    Caller checks: `actor` may act for the plan's filer."""
    plan = _locked(training_class.plan)
    _check_editable(plan)
    label = f"{training_class.name} ({training_class.start_date.isoformat()})"
    training_class.instructors.clear()
    CourseAttachment.objects.filter(training_class=training_class).delete()
    training_class.delete()
    audit_log(
        actor=actor, action="plan.class_remove", target=plan, organisation=plan.filer, reason=label
    )


@transaction.atomic
def plan_attachment_add(*, actor: User, plan: CoursePlan, upload: UploadedFile) -> CourseAttachment:
    """Attach a PDF, JPEG or PNG (checked by content) to a draft or returned plan.

    Caller checks: `actor` may act for the plan's filer."""
    plan = _locked(plan)
    _check_editable(plan)
    kind = validate_evidence(upload)
    name = (upload.name or "attachment").rsplit("/", 1)[-1][:120]
    attachment = CourseAttachment(plan=plan, name=name)
    # The stored name's extension is the detected type's, never the one the user gave.
    attachment.file.save(f"attachment.{ATTACHMENT_EXTENSIONS[kind]}", upload, save=False)
    attachment.save()
    audit_log(actor=actor, action="plan.attach", target=plan, organisation=plan.filer, reason=name)
    return attachment


@transaction.atomic
def plan_attachment_remove(*, actor: User, attachment: CourseAttachment) -> None:
    """Remove an attachment of a draft or returned plan (the stored file goes after commit).

    Caller checks: `actor` may act for the plan's filer."""
    plan = _locked(attachment.plan)
    _check_editable(plan)
    name, file = attachment.name, attachment.file
    attachment.delete()
    storage, file_name = file.storage, file.name
    if file_name:
        transaction.on_commit(lambda: storage.delete(file_name))
    audit_log(actor=actor, action="plan.detach", target=plan, organisation=plan.filer, reason=name)


@transaction.atomic
def plan_submit(*, actor: User, plan: CoursePlan, today: date | None = None) -> CoursePlan:
    """Send a draft or returned plan to its reviewing authority.

    Refused: without classes; when the filer has an active integrity violation, may not
    plan in the series, or no authority fits; when a class starts outside the filing window.
    Caller checks: `actor` may act for the plan's filer."""
    today = today or timezone.localdate()
    plan = _locked(plan)
    _check_editable(plan)
    filer = plan.filer
    violation = organisation_active_violation(organisation_id=filer.pk, today=today)
    if violation is not None:
        raise ValidationError(
            _(
                "Your organisation has an integrity violation in force until %(date)s: it "
                "cannot file new course plans before then."
            )
            % {"date": violation.clears_on.isoformat()},
            code="violation",
        )
    reason = filer_may_plan(filer, plan.series_id)
    if reason:
        raise ValidationError(reason)
    starts = sorted(set(plan.classes.values_list("start_date", flat=True)))
    if not starts:
        raise ValidationError(_("Add at least one class before submitting the plan."))
    errors = [_window_error(w) for w in map(filing_window, starts) if not w.contains(today)]
    if errors:
        raise ValidationError(errors, code="window")
    authority = reviewing_authority_for(filer, plan.series_id)
    if authority is None:
        raise ValidationError(
            _(
                "No approved authority governing %(series)s at your organisation's level or "
                "above reviews course plans in your region yet: contact your industry "
                "authority."
            )
            % {"series": plan.series.name},
            code="no_authority",
        )
    from_state = plan.status
    plan.status = ReviewStatus.PENDING
    plan.authority = authority
    plan.submitted_at = timezone.now()
    plan.reviewer_reason = ""
    plan.save(
        update_fields=["status", "authority", "submitted_at", "reviewer_reason", "updated_at"]
    )
    audit_log(
        actor=actor,
        action="plan.submit",
        target=plan,
        organisation=filer,
        from_state=from_state,
        to_state=plan.status,
    )
    return plan


# --- Review --------------------------------------------------------------------------------------

DECISION_STATUS: dict[str, str] = {
    Decision.APPROVE: ReviewStatus.APPROVED,
    Decision.REJECT: ReviewStatus.REJECTED,
    Decision.RETURN: ReviewStatus.RETURNED,
}
DECISION_NOTICE: dict[str, str] = {
    Decision.APPROVE: Notice.Kind.PLAN_APPROVED,
    Decision.REJECT: Notice.Kind.PLAN_REJECTED,
    Decision.RETURN: Notice.Kind.PLAN_RETURNED,
}


@dataclass
class PlanReviewResult:
    """How many of the requested plans were decided; the rest were left alone (no longer
    pending, or not this reviewer's)."""

    decided: int = 0
    skipped: int = 0


@transaction.atomic
def plans_review(
    *,
    reviewer: User,
    reviewer_organisation: Organisation,
    plan_ids: Sequence[int],
    decision: str,
    reason: str = "",
) -> PlanReviewResult:
    """Approve, reject or return the pending plans among `plan_ids` that
    `reviewer_organisation` reviews (one by one or in batch, 004 authority #3). An approved
    plan is filed with the HRSS office of the reviewer's level (``hrss_office``); the filer's
    members get a notice of every decision.

    Caller checks: `reviewer` may review for `reviewer_organisation`."""
    if decision not in DECISION_STATUS:
        raise ValidationError(_("Choose approve, reject or return."))
    if decision != Decision.APPROVE and not reason.strip():
        raise ValidationError(_("Give a reason when you reject or return."))
    office = None
    if decision == Decision.APPROVE:
        office = filing_office_for(reviewer_organisation)
        if office is None:
            raise ValidationError(
                _(
                    "No approved HRSS office of your level is in the system to file approved "
                    "plans with: approval is not possible yet."
                )
            )
    wanted = sorted(set(plan_ids))
    plans = list(
        CoursePlan.objects.select_for_update(of=("self",))
        .select_related("course")
        .filter(pk__in=wanted, authority=reviewer_organisation, status=ReviewStatus.PENDING)
        .order_by("pk")
    )
    result = PlanReviewResult(skipped=len(wanted) - len(plans))
    now = timezone.now()
    status = DECISION_STATUS[decision]
    members = _members_by_organisation({plan.filer_id for plan in plans})
    notices: list[Notice] = []
    for plan in plans:
        plan.status = status
        plan.decided_by = reviewer
        plan.decided_at = now
        plan.reviewer_reason = reason
        plan.hrss_office = office if decision == Decision.APPROVE else None
        plan.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "reviewer_reason",
                "hrss_office",
                "updated_at",
            ]
        )
        audit_log(
            actor=reviewer,
            action=f"plan.{decision}",
            target=plan,
            organisation=reviewer_organisation,
            from_state=ReviewStatus.PENDING,
            to_state=status,
            reason=reason,
        )
        params = {
            "title": f"{plan.year} {plan.course.name}",
            "by": reviewer_organisation.name,
            "reason": reason,
            "office": office.name if office else "",
        }
        link = reverse(
            "courses:plan_detail", kwargs={"organisation_id": plan.filer_id, "plan_id": plan.pk}
        )
        notices.extend(
            Notice(recipient_id=user_id, kind=DECISION_NOTICE[decision], params=params, link=link)
            for user_id in members.get(plan.filer_id, [])
        )
        result.decided += 1
    notices_send(notices)
    return result


def _members_by_organisation(organisation_ids: set[int]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {}
    rows = User.objects.filter(
        memberships__organisation_id__in=organisation_ids, is_active=True
    ).values_list("memberships__organisation_id", "pk")
    for organisation_id, user_id in rows:
        members.setdefault(organisation_id, []).append(user_id)
    return members
