"""Reads of institutions' teaching qualifications."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from accounts.api import Organisation, ProfessionalSeries
from courses.models import Qualification, ReviewStatus


def qualification_held(*, institution_id: int, series_id: int) -> bool:
    """Whether the institution holds an approved qualification for the series (only then
    may it plan classes in that series)."""
    return Qualification.objects.filter(
        institution_id=institution_id, series_id=series_id, status=ReviewStatus.APPROVED
    ).exists()


def institution_qualifications(institution_id: int) -> QuerySet[Qualification]:
    """An institution's applications and qualifications, one per series, with their
    attachments (three queries for any number)."""
    return (
        Qualification.objects.filter(institution_id=institution_id)
        .select_related("series", "authority")
        .prefetch_related("attachments")
        .order_by("series__sort_order", "series__code")
    )


def qualification_queue(
    authority_id: int, *, status: str = ReviewStatus.PENDING
) -> QuerySet[Qualification]:
    """Applications sent to the authority (pending first by default), oldest first, with
    their attachments."""
    qs = Qualification.objects.filter(authority_id=authority_id)
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("institution__region", "series")
        .prefetch_related("attachments")
        .order_by("applied_at", "pk")
    )


def pending_qualification_count(authority_id: int) -> int:
    return Qualification.objects.filter(
        authority_id=authority_id, status=ReviewStatus.PENDING
    ).count()


def filed_institutions(*, search: str = "", series_code: str = "") -> QuerySet[Organisation]:
    """The institutions HRSS accepted (the public list of art. 15), each with the series it
    holds a qualification in (``approved_qualifications``); two queries a page."""
    qs = Organisation.objects.filter(
        kind=Organisation.Kind.INSTITUTION, status=Organisation.Status.APPROVED
    )
    if search:
        qs = qs.filter(name__icontains=search)
    if series_code:
        qs = qs.filter(
            qualifications__series__code=series_code,
            qualifications__status=ReviewStatus.APPROVED,
        )
    return (
        qs.select_related("region")
        .prefetch_related(
            Prefetch(
                "qualifications",
                queryset=Qualification.objects.filter(status=ReviewStatus.APPROVED)
                .select_related("series")
                .order_by("series__sort_order", "series__code"),
                to_attr="approved_qualifications",
            )
        )
        .order_by("level", "name", "pk")
        .distinct()
    )


def qualification_series_choices() -> QuerySet[ProfessionalSeries]:
    return ProfessionalSeries.objects.filter(is_active=True)
