"""Reads of the employer review queue and the HRSS recheck pages, already scoped."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Q, QuerySet
from django.utils.dateparse import parse_datetime

from accounts.api import (
    Organisation,
    ProfessionalSeries,
    Region,
    bound_now,
    reviewable_organisations,
)
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
# Sorts an index serves over every status ((employer, created_at, id)); the others have an
# index only with a status filter ((employer, status, <field>, id)), and sorting by the
# person's name has none. See docs/decisions/0006-fast-under-load.md.
SORTS_INDEXED_FOR_ANY_STATUS = frozenset({"submitted", "-submitted"})
SORTS_INDEXED_WITH_STATUS = frozenset(REVIEW_SORTS) - {"person", "-person"}
# Counts stop at this many rows ("more than 10,000"); a sort without an index is honoured
# only below it (sorting at most this many rows in memory is cheap).
COUNT_CAP = 10_000


@dataclass(frozen=True)
class ReviewFilters:
    """The queue's filters; an empty value means "any"."""

    status: str = Record.Status.SUBMITTED
    year: int | None = None
    category: str = ""
    series_code: str = ""
    source: str = ""
    person: str = ""  # a name (part of it) or an ID number


def sort_is_indexed(sort: str, filters: ReviewFilters) -> bool:
    """Whether an index of the records table serves `sort` under `filters`."""
    if sort in SORTS_INDEXED_FOR_ANY_STATUS:
        return True
    return bool(filters.status) and sort in SORTS_INDEXED_WITH_STATUS


def review_queue_filtered(employer: Organisation, *, filters: ReviewFilters) -> QuerySet[Record]:
    """`employer`'s records matching `filters`, unsorted; only records of persons it employs
    now (a former employer no longer sees or decides them)."""
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
    return qs


def review_queue(
    employer: Organisation, *, filters: ReviewFilters, sort: str = DEFAULT_REVIEW_SORT
) -> QuerySet[Record]:
    """`employer`'s records matching `filters` (``review_queue_filtered``), sorted by a
    whitelisted field."""
    order = REVIEW_SORTS.get(sort, REVIEW_SORTS[DEFAULT_REVIEW_SORT])
    qs = review_queue_filtered(employer, filters=filters)
    return qs.select_related("person", "series").order_by(*order)


def capped_count(qs: QuerySet[Record], cap: int | None = None) -> int | None:
    """How many rows `qs` holds, or ``None`` when more than `cap` (``COUNT_CAP``): a COUNT
    over a LIMITed subquery, which stops reading after cap + 1 rows."""
    cap = COUNT_CAP if cap is None else cap
    count = qs.order_by()[: cap + 1].count()
    return count if count <= cap else None


# --- Keyset pagination ("?after=<sort value>,<id>") ------------------------------------------


def _keyset_value(field: str, raw: str) -> object | None:
    """`raw` parsed as the sort field's type; ``None`` when it does not parse."""
    try:
        if field == "created_at":
            return parse_datetime(raw)
        if field == "start_date":
            return date.fromisoformat(raw)
        if field == "year":
            return int(raw)
        if field == "hours":
            return Decimal(raw)
    except (ValueError, InvalidOperation):
        return None
    return raw  # the person's name


def keyset_cursor(record: Record, sort: str) -> str:
    """The `after` value that continues the queue sorted by `sort` after `record`."""
    field = REVIEW_SORTS.get(sort, REVIEW_SORTS[DEFAULT_REVIEW_SORT])[0].lstrip("-")
    value: object = record.person.real_name if field == "person__real_name" else None
    if value is None:
        value = getattr(record, field)
    text = value.isoformat() if isinstance(value, date | datetime) else str(value)
    return f"{text},{record.pk}"


def keyset_after(qs: QuerySet[Record], *, sort: str, after: str) -> QuerySet[Record] | None:
    """`qs` (sorted by `sort`) from the row after the cursor `after` on; ``None`` for a cursor
    that does not parse.  The redundant ``>=`` keeps the first column an index range."""
    field_order = REVIEW_SORTS.get(sort, REVIEW_SORTS[DEFAULT_REVIEW_SORT])[0]
    field = field_order.lstrip("-")
    raw_value, _, raw_id = after.rpartition(",")
    value = _keyset_value(field, raw_value)
    if value is None or not raw_id.isdigit() or int(raw_id) > 2**63 - 1:
        return None
    pk = int(raw_id)
    if field_order.startswith("-"):
        bound = Q(**{f"{field}__lte": value})
        later = Q(**{f"{field}__lt": value}) | Q(pk__lt=pk)
    else:
        bound = Q(**{f"{field}__gte": value})
        later = Q(**{f"{field}__gt": value}) | Q(pk__gt=pk)
    return qs.filter(bound & later)


PAGE_NUMBER_LIMIT = 50  # numbered pages up to here; later pages continue by keyset cursor


@dataclass(frozen=True)
class QueuePage:
    """One page of the review queue and how to reach its neighbours."""

    records: list[Record]
    count: int | None  # None: more than COUNT_CAP
    sort: str  # the sort applied (the default when the asked one was refused)
    sort_refused: bool  # the asked sort has no index and the set is too large to sort
    number: int | None  # None on a keyset page
    previous_page: int | None  # on a keyset page: 1 (back to the first page)
    next_page: int | None
    next_after: str  # the keyset cursor of the next page, when it has no number

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.previous_page or self.next_page or self.next_after)


def review_queue_page(
    employer: Organisation,
    *,
    filters: ReviewFilters,
    sort: str = DEFAULT_REVIEW_SORT,
    page_number: str | None = None,
    after: str = "",
    per_page: int = 20,
) -> QueuePage:
    """The page of the queue asked for by number (up to ``PAGE_NUMBER_LIMIT``) or by keyset
    cursor `after`; always two queries: a capped count and the page's rows.  A sort without
    an index is honoured only while the count is exact (at most ``COUNT_CAP`` rows)."""
    sort = sort if sort in REVIEW_SORTS else DEFAULT_REVIEW_SORT
    count = capped_count(review_queue_filtered(employer, filters=filters))
    refused = count is None and not sort_is_indexed(sort, filters)
    if refused:
        sort = DEFAULT_REVIEW_SORT
    qs = review_queue(employer, filters=filters, sort=sort)
    keyset = keyset_after(qs, sort=sort, after=after) if after else None
    if keyset is not None:
        rows = list(keyset[: per_page + 1])
        number: int | None = None
        previous: int | None = 1
    else:
        last = PAGE_NUMBER_LIMIT
        if count is not None:
            last = max(1, min(last, -(-count // per_page)))
        try:
            number = min(max(int(page_number or 1), 1), last)
        except ValueError:
            number = 1
        offset = (number - 1) * per_page
        rows = list(qs[offset : offset + per_page + 1])
        previous = number - 1 or None
    more = len(rows) > per_page
    rows = rows[:per_page]
    next_page = number + 1 if more and number is not None and number < PAGE_NUMBER_LIMIT else None
    next_after = keyset_cursor(rows[-1], sort) if more and next_page is None else ""
    return QueuePage(
        records=rows,
        count=count,
        sort=sort,
        sort_refused=refused,
        number=number,
        previous_page=previous,
        next_page=next_page,
        next_after=next_after,
    )


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
