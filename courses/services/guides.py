"""Writes of subject guides (专业科目指南): an authority's yearly guide of professional courses
for one of its series, drafted, then published (001 #1: in the first quarter); plans pick
their course from a published guide."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import Organisation, ProfessionalSeries, User, audit_log
from courses.models import GuideCourse, SubjectGuide


def _check_authority(authority: Organisation) -> None:
    if authority.kind != Organisation.Kind.AUTHORITY or not authority.is_approved:
        raise ValidationError(_("Only an approved industry authority publishes subject guides."))


def _check_draft(guide: SubjectGuide) -> None:
    if guide.status != SubjectGuide.Status.DRAFT:
        raise ValidationError(_("A published guide can no longer be changed."))


@transaction.atomic
def guide_create(
    *, actor: User, authority: Organisation, series: ProfessionalSeries, year: int
) -> SubjectGuide:
    """A draft guide of `authority` for one of the series it governs.

    Caller checks: `actor` may act for `authority`."""
    _check_authority(authority)
    if not authority.series.filter(pk=series.pk).exists():
        raise ValidationError({"series": _("Your authority does not govern this series.")})
    if SubjectGuide.objects.filter(authority=authority, series=series, year=year).exists():
        raise ValidationError(
            {
                "year": _("Your authority already has a guide for %(year)d in this series.")
                % {"year": year}
            }
        )
    guide = SubjectGuide.objects.create(authority=authority, series=series, year=year)
    audit_log(
        actor=actor,
        action="guide.create",
        target=guide,
        organisation=authority,
        to_state=guide.status,
    )
    return guide


@transaction.atomic
def guide_course_add(
    *,
    actor: User,
    guide: SubjectGuide,
    name: str,
    course_type: str,
    hours: Decimal,
    description: str = "",
) -> GuideCourse:
    """Add a course to a draft guide (names are unique within a guide).

    Caller checks: `actor` may act for the guide's authority."""
    guide = SubjectGuide.objects.select_for_update().get(pk=guide.pk)
    _check_draft(guide)
    if hours <= 0:
        raise ValidationError({"hours": _("Hours must be more than 0.")})
    if GuideCourse.objects.filter(guide=guide, name=name).exists():
        raise ValidationError({"name": _("This guide already has a course with this name.")})
    try:
        with transaction.atomic():
            course = GuideCourse.objects.create(
                guide=guide,
                name=name,
                course_type=course_type,
                hours=hours,
                description=description,
            )
    except IntegrityError as exc:  # a concurrent add of the same name
        raise ValidationError(
            {"name": _("This guide already has a course with this name.")}
        ) from exc
    audit_log(
        actor=actor,
        action="guide.course_add",
        target=guide,
        organisation=guide.authority,
        reason=name,
    )
    return course


@transaction.atomic
def guide_course_remove(*, actor: User, course: GuideCourse) -> None:
    """Remove a course from a draft guide.

    Caller checks: `actor` may act for the guide's authority."""
    guide = SubjectGuide.objects.select_for_update().get(pk=course.guide_id)
    _check_draft(guide)
    name = course.name
    course.delete()
    audit_log(
        actor=actor,
        action="guide.course_remove",
        target=guide,
        organisation=guide.authority,
        reason=name,
    )


@transaction.atomic
def guide_publish(*, actor: User, guide: SubjectGuide) -> SubjectGuide:
    """Publish a draft guide with at least one course; filers can then pick its courses.

    Caller checks: `actor` may act for the guide's authority."""
    guide = SubjectGuide.objects.select_for_update().get(pk=guide.pk)
    _check_draft(guide)
    if not guide.courses.exists():
        raise ValidationError(_("Add at least one course before publishing the guide."))
    guide.status = SubjectGuide.Status.PUBLISHED
    guide.published_at = timezone.now()
    guide.save(update_fields=["status", "published_at", "updated_at"])
    audit_log(
        actor=actor,
        action="guide.publish",
        target=guide,
        organisation=guide.authority,
        from_state=SubjectGuide.Status.DRAFT,
        to_state=guide.status,
    )
    return guide
