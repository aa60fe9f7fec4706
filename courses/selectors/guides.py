"""Reads of subject guides."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from accounts.api import Organisation, ProfessionalSeries, Region
from courses.models import GuideCourse, SubjectGuide


def authority_guides(authority: Organisation) -> QuerySet[SubjectGuide]:
    """The authority's own guides, newest year first, with their course counts."""
    return (
        SubjectGuide.objects.filter(authority=authority)
        .select_related("series")
        .annotate(course_count=Count("courses"))
        .order_by("-year", "series__sort_order", "pk")
    )


def authority_guide_courses(authority: Organisation) -> QuerySet[GuideCourse]:
    """Every course of the authority's guides (the export)."""
    return (
        GuideCourse.objects.filter(guide__authority=authority)
        .select_related("guide", "guide__series")
        .order_by("-guide__year", "guide__series__sort_order", "name", "pk")
    )


def _regions_up(region: Region) -> list[int]:
    """`region` and every region above it (a district, its city, the province)."""
    ids: list[int] = []
    current: Region | None = region
    while current is not None:
        ids.append(current.pk)
        current = current.parent
    return ids


def visible_published_guides(filer: Organisation) -> QuerySet[SubjectGuide]:
    """Published guides of the authorities of `filer`'s region and the regions above it (a
    guide applies where its authority governs: a Guangzhou filer reads the provincial and the
    Guangzhou guides, not Shenzhen's)."""
    return SubjectGuide.objects.filter(
        status=SubjectGuide.Status.PUBLISHED, authority__region_id__in=_regions_up(filer.region)
    )


def published_guides(
    filer: Organisation, *, year: int | None = None, series_code: str = ""
) -> QuerySet[SubjectGuide]:
    """The published guides `filer` reads (what it picks its plans' courses from)."""
    guides = visible_published_guides(filer)
    if year:
        guides = guides.filter(year=year)
    if series_code:
        guides = guides.filter(series__code=series_code)
    return (
        guides.select_related("series", "authority")
        .annotate(course_count=Count("courses"))
        .order_by("-year", "series__sort_order", "authority__name", "pk")
    )


def published_courses(filer: Organisation) -> QuerySet[GuideCourse]:
    """The courses `filer` may pick for a plan: those of published guides of the series it
    may plan in (an institution: its qualified series; an authority: its own series)."""
    courses = GuideCourse.objects.filter(guide__in=visible_published_guides(filer))
    if filer.kind == Organisation.Kind.INSTITUTION:
        courses = courses.filter(
            guide__series__in=ProfessionalSeries.objects.filter(
                pk__in=filer.qualifications.filter(status="approved").values("series_id")
            )
        )
    elif filer.kind == Organisation.Kind.AUTHORITY:
        courses = courses.filter(guide__series__in=filer.series.all())
    return courses.select_related("guide", "guide__series", "guide__authority").order_by(
        "-guide__year", "guide__series__sort_order", "name", "pk"
    )


def series_choices() -> QuerySet[ProfessionalSeries]:
    return ProfessionalSeries.objects.filter(is_active=True)
