"""Reads of the employer review queue and the HRSS recheck pages, already scoped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from accounts.models import Organisation, ProfessionalSeries, Region
from accounts.permissions import bound_now, reviewable_organisations
from credits.models import RecheckItem, RecheckSample, Record

# ?sort= value → ORDER BY; anything else falls back to the default.
REVIEW_SORTS: dict[str, tuple[str, ...]] = {
    "start_date": ("start_date", "pk"),
    "-start_date": ("-start_date", "-pk"),
    "year": ("year", "pk"),
    "-year": ("-year", "-pk"),
    "hours": ("hours", "pk"),
    "-hours": ("-hours", "-pk"),
    "person": ("person__real_name", "pk"),
    "-person": ("-person__real_name", "-pk"),
    "submitted": ("created_at", "pk"),
    "-submitted": ("-created_at", "-pk"),
}
DEFAULT_REVIEW_SORT = "submitted"


@dataclass(frozen=True)
class ReviewFilters:
    """The queue's filters; an empty value means "any"."""

    status: str = Record.Status.SUBMITTED
    year: int | None = None
    category: str = ""
    series_code: str = ""
    source: str = ""
    person: str = ""  # a name (part of it) or an ID number


def review_queue(
    employer: Organisation, *, filters: ReviewFilters, sort: str = DEFAULT_REVIEW_SORT
) -> QuerySet[Record]:
    """`employer`'s records matching `filters`, sorted by a whitelisted field; only records of
    persons it employs now (a former employer no longer sees or decides them)."""
    qs = Record.objects.filter(bound_now(employer.pk), employer_id=employer.pk)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.series_code:
        qs = qs.filter(series__code=filters.series_code)
    if filters.source:
        qs = qs.filter(source=filters.source)
    person = filters.person.strip()
    if person:
        qs = qs.filter(Q(person__real_name__icontains=person) | Q(person__id_number=person.upper()))
    order = REVIEW_SORTS.get(sort, REVIEW_SORTS[DEFAULT_REVIEW_SORT])
    return qs.select_related("person", "series").order_by(*order)


def review_queue_ids(employer: Organisation, *, filters: ReviewFilters) -> list[int]:
    """The ids of every record the queue shows for `filters` (for "all matching")."""
    return list(
        review_queue(employer, filters=filters)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def review_queue_next(employer: Organisation, *, after: Record) -> Record | None:
    """The next record still under review in the queue's default order (oldest first), after
    `after`; else the first one; ``None`` when nothing waits."""
    waiting = Record.objects.filter(
        employer_id=employer.pk, status=Record.Status.SUBMITTED
    ).exclude(pk=after.pk)
    later = Q(created_at__gt=after.created_at) | Q(created_at=after.created_at, pk__gt=after.pk)
    order = REVIEW_SORTS[DEFAULT_REVIEW_SORT]
    return waiting.filter(later).order_by(*order).first() or waiting.order_by(*order).first()


def records_waiting_count(employer: Organisation) -> int:
    """How many of `employer`'s records wait for its review."""
    return Record.objects.filter(employer_id=employer.pk, status=Record.Status.SUBMITTED).count()


def series_choices() -> QuerySet[ProfessionalSeries]:
    return ProfessionalSeries.objects.filter(is_active=True).order_by("sort_order", "code")


# ---------------------------------------------------------------------------------------------
# HRSS recheck
# ---------------------------------------------------------------------------------------------


def recheck_employers(office: Organisation) -> QuerySet[Organisation]:
    """The employers whose approved records `office` may recheck (its region scope)."""
    return reviewable_organisations(office).filter(kind=Organisation.Kind.EMPLOYER)


def recheck_regions(office: Organisation) -> QuerySet[Region]:
    """`office`'s region and the regions below it."""
    region_id = office.region_id
    return Region.objects.filter(
        Q(pk=region_id) | Q(parent_id=region_id) | Q(parent__parent_id=region_id)
    ).order_by("code")


def recheck_candidates(
    office: Organisation,
    *,
    year: int | None = None,
    series_code: str = "",
    region_code: str = "",
    employer_id: int | None = None,
) -> QuerySet[Record]:
    """Approved records of employers in `office`'s scope, narrowed by the given filters."""
    employers = recheck_employers(office)
    if region_code:
        employers = employers.filter(
            Q(region__code=region_code)
            | Q(region__parent__code=region_code)
            | Q(region__parent__parent__code=region_code)
        )
    if employer_id:
        employers = employers.filter(pk=employer_id)
    qs = Record.objects.filter(
        status=Record.Status.APPROVED, employer_id__in=employers.values("pk")
    )
    if year:
        qs = qs.filter(year=year)
    if series_code:
        qs = qs.filter(series__code=series_code)
    return qs


def recheck_samples(office: Organisation) -> QuerySet[RecheckSample]:
    return (
        RecheckSample.objects.filter(office_id=office.pk)
        .select_related("created_by")
        .annotate(
            pending=Count("items", filter=Q(items__outcome=RecheckItem.Outcome.PENDING)),
            revoked=Count("items", filter=Q(items__outcome=RecheckItem.Outcome.REVOKED)),
        )
        .order_by("-created_at", "-pk")
    )


def recheck_open_samples(office: Organisation) -> list[tuple[int, datetime, int]]:
    """`office`'s samples that still hold undecided items, newest first, as
    ``(sample id, drawn at, undecided items)`` (one query)."""
    return list(
        RecheckItem.objects.filter(sample__office_id=office.pk, outcome=RecheckItem.Outcome.PENDING)
        .values("sample_id", "sample__created_at")
        .annotate(pending=Count("pk"))
        .order_by("-sample__created_at", "-sample_id")
        .values_list("sample_id", "sample__created_at", "pending")
    )


def recheck_items(sample: RecheckSample) -> QuerySet[RecheckItem]:
    return (
        RecheckItem.objects.filter(sample_id=sample.pk)
        .select_related("record", "record__person", "record__series", "record__employer")
        .order_by("pk")
    )
