"""What other apps may use of the credits app: nothing else of it is imported from outside."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from accounts.api import Person, User
from credits.models import Record, YearSeriesSummary, YearSummary
from credits.rules import (
    CertificationRoute,
    EvaluationError,
    EvaluationInput,
    EvaluationResult,
    Profile,
    RecordInput,
    Windows,
    evaluate,
)
from credits.selectors import changes
from credits.selectors import records as selectors
from credits.selectors.records import person_attention_records, region_codes, rulebook_load
from credits.services import class_records, validation
from credits.services.class_records import ClassRecord
from credits.services.partner_sync import OUTCOMES as PARTNER_OUTCOMES
from credits.services.partner_sync import PartnerPush, PartnerReceipt
from credits.services.partner_sync import partner_records_push as _partner_records_push
from credits.services.public_course import public_course_record_create
from credits.services.records import RecordDraft, record_create
from credits.sheets import Column as SheetColumn
from credits.sheets import LineError, SheetError, sheet_format, sheet_rows
from credits.sheets import template_csv as sheet_template_csv
from credits.sheets import template_xlsx as sheet_template_xlsx
from credits.signals import year_summary_changed
from credits.suggestions import GapSuggestion, Shortfall, progress_suggestions_register

# The choices of a record's fields, for other apps' inputs (the partner sync API).
RecordAssessment = Record.Assessment
RecordCategory = Record.Category
RecordForm = Record.Form
RecordKind = Record.Kind
RecordStatus = Record.Status
RecordUnit = Record.Unit

__all__ = [
    "PARTNER_OUTCOMES",
    "CertificationRoute",
    "ClassRecord",
    "EvaluationError",
    "EvaluationResult",
    "GapSuggestion",
    "LineError",
    "PartnerPush",
    "PartnerReceipt",
    "Profile",
    "RecordAssessment",
    "RecordCategory",
    "RecordDraft",
    "RecordForm",
    "RecordInput",
    "RecordKind",
    "RecordStatus",
    "RecordUnit",
    "SheetColumn",
    "SheetError",
    "Shortfall",
    "Windows",
    "YearSummary",
    "certification_route",
    "class_record_submit",
    "compliant_person_ids",
    "evaluate_year",
    "external_records_of_person",
    "external_status_counts",
    "partner_records_push",
    "person_records_needing_attention",
    "progress_suggestions_register",
    "public_course_record",
    "record_changes",
    "record_create",
    "record_status",
    "region_codes",
    "sheet_format",
    "sheet_rows",
    "sheet_template_csv",
    "sheet_template_xlsx",
    "summaries_refresh_now",
    "year_counted_records",
    "year_explanation",
    "year_is_compliant",
    "year_series_summaries",
    "year_summary",
    "year_summary_changed",
    "year_windows",
]


def evaluate_year(
    *,
    year: int,
    series: Iterable[str],
    profile: Profile | None = None,
    records: Iterable[RecordInput] = (),
    today: date | None = None,
) -> EvaluationResult:
    """Check one person's year against the requirements the database holds now.

    Raises ``EvaluationError`` (``errors`` maps field paths such as ``records[1].series`` to
    messages) on invalid input.  ``today`` defaults to the local date; it bounds the year.
    """
    data = EvaluationInput(
        year=year,
        series=tuple(series),
        profile=profile if profile is not None else Profile(),
        records=tuple(records),
    )
    return evaluate(
        data, rulebook_load(), today=today if today is not None else timezone.localdate()
    )


# --- who certifies what, and until when (decision 0008) ---------------------------------------


def certification_route(
    series: str | None, category: str, source: str, year: int
) -> CertificationRoute:
    """Who certifies a record of ``series`` (a code or ``None``), ``category``, ``source``
    (``Record.Source`` value) and declared ``year``: ``certifier`` is ``employer``,
    ``automatic`` or ``platform`` (then ``platform_name`` / ``platform_url`` say where);
    ``elsewhere`` is true when no employer may certify it."""
    return selectors.certification_route(series, category, source, year)


def year_windows(year: int) -> Windows:
    """The last days ``year`` accepts records: ``public`` (public-subject study window),
    ``declaration`` (other records), ``series`` (a series' own deadline);
    ``deadline(category=…, series=…)`` picks the one that applies."""
    return selectors.year_windows(year)


# --- annual validation (年度验证), for the certificates app ----------------------------------


def year_summary(*, person_id: int, year: int) -> YearSummary | None:
    """The stored summary of one person-year, or ``None`` if it was never computed."""
    return YearSummary.objects.filter(person_id=person_id, year=year).first()


def year_series_summaries(*, person_id: int, year: int) -> list[YearSeriesSummary]:
    """The stored professional figures of one person-year per series, with the series
    loaded, in the catalogue's order (one query)."""
    return list(
        YearSeriesSummary.objects.filter(person_id=person_id, year=year)
        .select_related("series")
        .order_by("series__sort_order", "series__code")
    )


def year_counted_records(*, person_id: int, year: int) -> list[Record]:
    """The approved records of one person-year (what the year's summary counts), oldest
    first, with their series loaded (one query)."""
    return list(
        Record.objects.filter(person_id=person_id, year=year, status=Record.Status.APPROVED)
        .select_related("series")
        .order_by("start_date", "pk")
    )


def person_records_needing_attention(
    *, person_id: int, since_year: int, limit: int = 10
) -> list[Record]:
    """The person's returned, rejected and revoked records declared in ``since_year`` or
    later, newest decision first, at most ``limit`` (for the person's home page)."""
    return list(person_attention_records(person_id, since_year=since_year)[:limit])


def year_is_compliant(*, person_id: int, year: int) -> bool:
    """Whether the stored summary says the year's quota is met (no summary: not met)."""
    return YearSummary.objects.filter(person_id=person_id, year=year, compliant=True).exists()


def compliant_person_ids(*, year: int) -> QuerySet[YearSummary, int]:
    """Ids of the persons whose stored summary of ``year`` meets the quota (a lazy query,
    usable as a subquery: ``Person.objects.filter(pk__in=compliant_person_ids(year=…))``)."""
    return (
        YearSummary.objects.filter(year=year, compliant=True)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )


def year_explanation(*, person: Person, year: int, today: date | None = None) -> EvaluationResult:
    """The evaluator's full answer over the person's approved records of the year, record by
    record (for the progress page).  Raises ``EvaluationError`` when the person holds no
    series."""
    return validation.year_explanation(person=person, year=year, today=today)


def summaries_refresh_now(*, person_id: int, year: int) -> YearSummary | None:
    """Recompute one person-year synchronously (the "recount" button); the stored row."""
    return validation.summary_refresh_one(person_id=person_id, year=year)


# --- online public-subject study (courses app) -----------------------------------------------


def public_course_record(
    *,
    person: Person,
    year: int,
    title: str,
    hours: Decimal,
    start_date: date,
    end_date: date,
    institution_name: str = "",
    today: date | None = None,
) -> tuple[Record, bool]:
    """The approved public record of ``year`` for a passed online public course (source
    ``public_course``, certified automatically by its route, no employer review), and whether
    it was created by this call.  Idempotent: one open public-course record per person, year
    and ``title``; calling again returns the existing one with ``False``.  Every declaration
    rule applies (public-subject study window of ``year``, route, dates): a refusal raises
    ``ValidationError``.  The year's summary is refreshed after commit."""
    return public_course_record_create(
        person=person,
        year=year,
        title=title,
        hours=hours,
        start_date=start_date,
        end_date=end_date,
        institution_name=institution_name,
        today=today,
    )


# --- records written by closing classes (courses) ---------------------------------------------


def class_record_submit(
    *, person: Person, data: ClassRecord, actor: User | None, today: date | None = None
) -> int:
    """Write a passed learner's hours of a closed class as a professional record under the
    learner's employer's review, or add them to the learner's open record with the same
    content in the same year; the record's id.  Every declaration rule applies
    (``credits.services.class_records``); raises ``ValidationError`` and writes nothing
    when one fails.  Call inside the transaction that marks the learner done."""
    return class_records.class_record_submit(person=person, data=data, actor=actor, today=today).pk


def record_status(record_ids: Iterable[int]) -> dict[int, str]:
    """The status of each record by id (one query), e.g. to show class hours as pending."""
    return dict(Record.objects.filter(pk__in=list(record_ids)).values_list("pk", "status"))


# --- the sync partners' changes feed (partners app, decision 0017) -----------------------------


def record_changes(
    *,
    source: str,
    after: tuple[int, int] | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[Record]:
    """Up to ``limit`` records pushed by ``source`` (``Record.external_source``) in the order
    of their last change, after the position ``after`` (the ``(change_xid, change_seq)`` of
    the last record read), changed at or after ``since``; person, series and revoking office
    loaded. Reading on from the last record's position never skips nor repeats a change,
    whatever commits meanwhile (``credits.selectors.changes``)."""
    return changes.record_changes(source=source, after=after, since=since, limit=limit)


def external_records_of_person(*, source: str, person_id: int) -> bool:
    """Whether ``source`` pushed any record (in any state) of the person."""
    return changes.source_holds_person(source=source, person_id=person_id)


def external_status_counts(*, sources: list[str]) -> dict[str, dict[str, int]]:
    """How many records each of ``sources`` has in the portal, per status
    (``{source: {status: count}}``, one aggregate query; for HRSS's partner dashboard)."""
    return changes.status_counts(sources)


# --- records pushed by sync partners (partners app; docs/decisions/0016-partner-sync.md) ----


def partner_records_push(
    *,
    source: str,
    sender: str,
    pushes: Sequence[PartnerPush],
    series_scope: Collection[str],
    category_scope: Collection[str],
    today: date | None = None,
) -> list[PartnerReceipt]:
    """Create, update or withdraw a sync partner's records, each on its own: one
    ``PartnerReceipt`` per ``PartnerPush`` in order (``outcome`` one of
    ``PARTNER_OUTCOMES``: accepted, updated, unchanged, withdrawn, rejected + ``errors``).

    ``source`` names the partner in ``Record.external_source`` (e.g. ``"partner:7"``),
    ``sender`` is its name for the audit log; ``series_scope`` (series codes) and
    ``category_scope`` (``Record.Category`` values) are what it may push.  Every declaration
    rule applies; accepted records are approved at once (certified by the partner, source
    ``sync_partner``); the person-years touched are recomputed after commit, and
    certificates follow.  A fixed number of queries per call: pass chunks of at most a few
    thousand pushes (their records stay locked until the call's transaction ends)."""
    return _partner_records_push(
        source=source,
        sender=sender,
        pushes=pushes,
        series_scope=series_scope,
        category_scope=category_scope,
        today=today,
    )
