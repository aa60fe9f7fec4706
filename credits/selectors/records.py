"""Reads of the credits app."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.api import (
    Employment,
    Person,
    ProfessionalSeries,
    ProfileFacts,
    Region,
    confirmed_profile_facts,
)
from credits import explain
from credits.models import (
    ActivityCondition,
    ActivityConversion,
    CertificationRoute,
    DegreeStudyRule,
    Evidence,
    GeneralKnowledgeRule,
    Record,
    RequirementScheme,
    SeriesDeadline,
    YearSetting,
)
from credits.rules import (
    Windows,
    default_declaration_deadline,
    defaults,
    evaluate,
    route_for,
    windows_for,
)
from credits.rules import types as rules


def _series_prefetch(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=ProfessionalSeries.objects.only("code").order_by("code"))


# The rule book is cached per process; a version key in the shared cache (Redis) tells every
# process when HRSS edited a rule table (``rulebook_changed``, connected in credits.apps).
RULEBOOK_VERSION_KEY = "credits:rulebook:version"
_rulebook_lock = threading.Lock()
_rulebook_copy: tuple[str, rules.RuleBook] | None = None
# Versions this process set for an edit whose transaction has not committed: a rule book read
# under one of them may hold rows a rollback removes, so it is never kept.
_rulebook_uncommitted: set[str] = set()


def _new_version() -> str:
    return uuid.uuid4().hex


def rulebook_load() -> rules.RuleBook:
    """The rule book as the requirement tables hold it now: the process's copy while the
    shared version key is unchanged (one cache GET), else read again (``rulebook_read``)."""
    global _rulebook_copy
    version = cache.get(RULEBOOK_VERSION_KEY)
    copy = _rulebook_copy
    if version is not None and copy is not None and copy[0] == version:
        return copy[1]
    if version in _rulebook_uncommitted and not connection.in_atomic_block:
        # Outside any transaction, an edit's version still uncommitted was rolled back.
        with _rulebook_lock:
            _rulebook_uncommitted.discard(version)
        cache.set(RULEBOOK_VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(RULEBOOK_VERSION_KEY)
    if version is None:
        # First use (or the key was evicted): start a version every process will share.
        cache.add(RULEBOOK_VERSION_KEY, _new_version(), timeout=None)
        version = cache.get(RULEBOOK_VERSION_KEY)
    book = rulebook_read()
    if version is not None and version not in _rulebook_uncommitted:
        with _rulebook_lock:
            _rulebook_copy = (version, book)
    return book


def rulebook_changed() -> None:
    """A rule table changed: every process reads the rule book again.  Bumped at once (this
    transaction sees its own edit, and the copy read under it is not kept) and again after
    commit (a process that read the old rows between the two must not keep them)."""
    version = _new_version()
    with _rulebook_lock:
        _rulebook_uncommitted.add(version)
    rulebook_forget()
    cache.set(RULEBOOK_VERSION_KEY, version, timeout=None)

    def committed() -> None:
        with _rulebook_lock:
            _rulebook_uncommitted.discard(version)
        cache.set(RULEBOOK_VERSION_KEY, _new_version(), timeout=None)

    transaction.on_commit(committed)


def rulebook_forget() -> None:
    """Drop this process's copy (tests whose rolled-back edits left the version unchanged)."""
    global _rulebook_copy
    with _rulebook_lock:
        _rulebook_copy = None


def rulebook_read() -> rules.RuleBook:
    """The rule book read from the requirement tables (9 queries, nothing cached).

    Known series are every code of the series catalogue.  Without a degree-study row the
    seeded rule applies.  A year whose declaration deadline is blank closes one year after
    its end.
    """
    schemes = tuple(
        rules.Scheme(
            code=row.code,
            series_codes=tuple(s.code for s in row.series.all()),
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            public=row.public,
            professional=row.professional,
            elective=row.elective,
            allows_elective=row.allows_elective,
            total=row.total,
            policy=row.policy,
            new_post_professional=row.new_post_professional,
        )
        for row in RequirementScheme.objects.order_by("pk").prefetch_related(
            _series_prefetch("series")
        )
    )
    year_settings = tuple(
        rules.YearSettings(
            year=row.year,
            hours_per_day=row.hours_per_day,
            minutes_per_hour=row.minutes_per_hour,
            declaration_deadline=row.declaration_deadline or default_declaration_deadline(row.year),
            public_catch_up_deadline=row.public_catch_up_deadline,
        )
        for row in YearSetting.objects.order_by("year")
    )
    activities = tuple(
        rules.ActivityConversion(
            code=row.code,
            series=row.series.code,
            target=row.target,
            hours=row.hours,
            unit=row.unit,
            name=row.name,
        )
        for row in ActivityConversion.objects.select_related("series").order_by("pk")
    )
    activity_conditions = tuple(
        rules.ActivityCondition(
            activity=row.activity.code,
            year=row.year,
            region=row.region.code if row.region is not None else "",
            min_quantity=row.min_quantity,
            results_from=row.results_from,
            results_to=row.results_to,
        )
        for row in ActivityCondition.objects.select_related("activity", "region").order_by("pk")
    )
    general_knowledge = tuple(
        rules.GeneralKnowledgeRule(
            series=row.series.code,
            year=row.year,
            minimum=row.minimum,
            region=row.region.code if row.region is not None else "",
        )
        for row in GeneralKnowledgeRule.objects.select_related("series", "region").order_by("pk")
    )
    degree_row = (
        DegreeStudyRule.objects.prefetch_related(_series_prefetch("excluded_series"))
        .order_by("pk")
        .first()
    )
    degree_study = (
        rules.DegreeStudyRule(
            cap_hours=degree_row.cap_hours,
            excluded_series=tuple(s.code for s in degree_row.excluded_series.all()),
        )
        if degree_row is not None
        else defaults.DEGREE_STUDY
    )
    known_series = frozenset(ProfessionalSeries.objects.values_list("code", flat=True))
    routes = tuple(
        rules.CertificationRoute(
            certifier=row.certifier,
            series=row.series.code if row.series is not None else "",
            category=row.category,
            source=row.source,
            year_from=row.year_from,
            year_to=row.year_to,
            platform_name=row.platform_name,
            platform_url=row.platform_url,
        )
        for row in CertificationRoute.objects.select_related("series").order_by("pk")
    )
    series_deadlines = tuple(
        rules.SeriesDeadline(
            year=row.year, series=row.series.code, declaration_deadline=row.declaration_deadline
        )
        for row in SeriesDeadline.objects.select_related("series").order_by("year", "pk")
    )
    return rules.RuleBook(
        schemes=schemes,
        year_settings=year_settings,
        activities=activities,
        degree_study=degree_study,
        known_series=known_series,
        min_year=defaults.MIN_YEAR,
        routes=routes,
        series_deadlines=series_deadlines,
        activity_conditions=activity_conditions,
        general_knowledge=general_knowledge,
    )


def person_activities(person: Person) -> list[rules.ActivityConversion]:
    """The rule book's activities of the series the person holds (the declaration form's
    choices; one query for the series, the rule book from its cache)."""
    held = set(person.series.values_list("code", flat=True))
    return [a for a in rulebook_load().activities if a.series in held]


def activity_of(record: Record) -> rules.ActivityConversion | None:
    """The rule book's activity a record was declared as, if any (no query: the rule book
    comes from its cache)."""
    return rulebook_load().activity(record.activity_code) if record.activity_code else None


def region_codes(code: str) -> tuple[str, ...] | None:
    """A region's code, then its parent's and grandparent's (the order the rules take),
    or ``None`` for an unknown code (one query)."""
    row = (
        Region.objects.filter(code=code)
        .values_list("code", "parent__code", "parent__parent__code")
        .first()
    )
    return tuple(c for c in row if c) if row is not None else None


def person_regions(person_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The region codes whose rules apply to each person (属地管理): their confirmed
    employer's region, then its parent and grandparent (district, city, province); persons
    without a confirmed employer are left out (one query)."""
    rows = Employment.objects.filter(
        person_id__in=person_ids, status=Employment.Status.CONFIRMED
    ).values_list(
        "person_id",
        "employer__region__code",
        "employer__region__parent__code",
        "employer__region__parent__parent__code",
    )
    return {
        person_id: tuple(code for code in codes if code)
        for person_id, *codes in rows.order_by("pk")
    }


# ---------------------------------------------------------------------------------------------
# The person's own records and yearly progress
# ---------------------------------------------------------------------------------------------


def person_records(
    person: Person, *, year: int | None = None, status: str | None = None
) -> QuerySet[Record]:
    """The person's records, newest first, with series and an evidence count (one query)."""
    records = (
        Record.objects.filter(person=person)
        .select_related("series", "entered_by_organisation")
        .annotate(evidence_count=Count("evidence"))
    )
    if year is not None:
        records = records.filter(year=year)
    if status:
        records = records.filter(status=status)
    return records.order_by("-year", "-start_date", "-pk")


ATTENTION_STATUSES = (Record.Status.RETURNED, Record.Status.REJECTED, Record.Status.REVOKED)


def person_attention_records(person_id: int, *, since_year: int) -> QuerySet[Record]:
    """The person's records that were returned, rejected or revoked, declared in
    ``since_year`` or later, most recently decided first (one query)."""
    return (
        Record.objects.filter(
            person_id=person_id, status__in=ATTENTION_STATUSES, year__gte=since_year
        )
        .only("pk", "title", "year", "status", "reviewer_reason", "decided_at")
        .order_by(F("decided_at").desc(nulls_last=True), "-pk")
    )


def person_record_years(person: Person) -> list[int]:
    """The years the person has records for, newest first."""
    return list(
        Record.objects.filter(person=person)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def record_evidence(record: Record) -> QuerySet[Evidence]:
    return Evidence.objects.filter(record=record).order_by("uploaded_at", "pk")


@dataclass(frozen=True)
class CountedRecord:
    """One record of the year and how the evaluator counted it (``None``: not evaluated)."""

    record: Record
    outcome: rules.RecordOutcome | None
    note: str = ""
    category_label: str = ""
    series_name: str = ""
    notes: tuple[str, ...] = ()
    """The evaluator's notes on this record, translated (``credits.explain``)."""


@dataclass(frozen=True)
class ProgressLine:
    """One bar of the progress page: a category, or the professional hours of one series."""

    key: str
    series: str
    required: Decimal
    earned: Decimal

    @property
    def gap(self) -> Decimal:
        return max(self.required - self.earned, Decimal(0))

    @property
    def met(self) -> bool:
        return self.earned >= self.required

    @property
    def percent(self) -> int:
        if self.required <= 0:
            return 100
        return min(int(self.earned * 100 / self.required), 100)


@dataclass(frozen=True)
class YearExplanation:
    """The person's year as the rules engine sees it: approved records only in ``result``;
    ``if_approved`` also counts the records still under review."""

    year: int
    result: rules.EvaluationResult | None
    if_approved: rules.EvaluationResult | None
    counted: tuple[CountedRecord, ...]
    pending: tuple[CountedRecord, ...]
    errors: tuple[str, ...] = ()
    lines: tuple[ProgressLine, ...] = field(default=())
    rules_applied: tuple[str, ...] = ()
    """The evaluator's messages on the year (schemes, shortfalls), translated."""


@dataclass(frozen=True, slots=True)
class RecordRow:
    """The fields of a stored record the evaluator reads, with the series as its code: what
    ``record_input`` and ``record_counts`` work on. Bulk readers build it straight from
    ``values_list`` rows (``RecordRow(*row)``, columns in ``ROW_FIELDS`` order, the series
    replaced by its code) instead of loading model instances."""

    category: str
    series: str | None
    kind: str
    approved_plan: bool | None
    hours: Decimal
    year: int
    activity_code: str
    original_amount: Decimal
    general_knowledge: bool = False
    end_date: date | None = None

    @classmethod
    def of(cls, record: Record) -> RecordRow:
        """The row of a Record instance (``series`` loaded)."""
        return cls(
            category=record.category,
            series=record.series.code if record.series is not None else None,
            kind=record.kind,
            approved_plan=record.approved_plan,
            hours=record.hours,
            year=record.year,
            activity_code=record.activity_code,
            original_amount=record.original_amount,
            general_knowledge=record.general_knowledge,
            end_date=record.end_date,
        )


# The Record columns of a RecordRow, in its field order (``series_id`` where it has the code).
ROW_FIELDS = (
    "category",
    "series_id",
    "kind",
    "approved_plan",
    "hours",
    "year",
    "activity_code",
    "original_amount",
    "general_knowledge",
    "end_date",
)


def _row(record: Record | RecordRow) -> RecordRow:
    return record if isinstance(record, RecordRow) else RecordRow.of(record)


def record_input(record: Record | RecordRow) -> rules.RecordInput:
    """The evaluator's view of one stored record (a Record or its ``RecordRow``): the one
    conversion shared by the progress page and annual validation
    (``credits.services.validation.inputs``)."""
    row = _row(record)
    if row.activity_code:
        return rules.RecordInput(
            category=row.category,
            series=row.series,
            activity=row.activity_code,
            quantity=row.original_amount,
            year=row.year,
            general_knowledge=row.general_knowledge,
            result_date=row.end_date,
        )
    return rules.RecordInput(
        category=row.category,
        series=row.series,
        kind=row.kind or None,
        approved_plan=row.approved_plan,
        hours=row.hours,
        year=row.year,
        general_knowledge=row.general_knowledge,
    )


def first_year_in_post(day: date) -> int:
    """The declared year of an archives person's first year in post (004 archives art. 9,
    "上岗1年内", counted from ``day``): the natural year holding more of the twelve months from
    ``day`` (a tie goes to the earlier year), so a post taken up by early July puts the 80 h
    in that year and one taken up later in the next (docs/decisions/0007-profile-facts.md)."""
    try:
        anniversary = day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        anniversary = date(day.year + 1, 3, 1)
    window = (anniversary - day).days
    in_first_year = (date(day.year, 12, 31) - day).days + 1
    return day.year if 2 * in_first_year >= window else day.year + 1


def profile_of(facts: ProfileFacts | None) -> rules.Profile:
    """The evaluator's profile for a person's confirmed facts (``accounts.api.ProfileFacts``):
    the one conversion shared by the progress page and annual validation.

    Accounting CE starts the year after the qualification or the start of accounting work
    (004 accounting art. 6), so that day's year requires nothing; the archives first year in
    post is ``first_year_in_post``."""
    if facts is None:
        return rules.Profile()
    return rules.Profile(
        accounting_start_year=facts.accounting_start.year if facts.accounting_start else None,
        archives_new_post_year=(
            first_year_in_post(facts.archives_post) if facts.archives_post else None
        ),
        archives_degree=facts.archives_degree,
    )


def person_profiles(person_ids: list[int] | None = None) -> dict[int, rules.Profile]:
    """The evaluator's profile of every person of ``person_ids`` (``None``: everyone) with a
    confirmed fact; the others have the empty profile. One query."""
    return {pk: profile_of(facts) for pk, facts in confirmed_profile_facts(person_ids).items()}


def person_profile(person_id: int) -> rules.Profile:
    """One person's evaluator profile (the empty one without confirmed facts). One query."""
    return person_profiles([person_id]).get(person_id, rules.Profile())


def record_counts(
    record: Record | RecordRow,
    *,
    held: frozenset[str] | tuple[str, ...],
    book: rules.RuleBook,
) -> bool:
    """Whether a stored record (a Record or its ``RecordRow``) can count for a person holding
    ``held``: the one filter shared by the progress page and annual validation. A record the
    evaluator would refuse (a series or an activity of a series the person does not hold, an
    unknown kind or activity, a professional record without a series) counts nothing and
    never blocks the person's year."""
    row = _row(record)
    if row.series is not None and row.series not in held:
        return False
    if row.kind and (row.kind not in rules.KINDS or row.activity_code):
        return False
    if row.activity_code:
        conversion = book.activity(row.activity_code)
        return conversion is not None and conversion.series in held
    return row.series is not None or row.category != rules.PROFESSIONAL


def _counted(record: Record, outcome: rules.RecordOutcome, names: explain.Names) -> CountedRecord:
    return CountedRecord(
        record,
        outcome,
        category_label=str(Record.Category(outcome.category).label),
        series_name=names.series.get(outcome.series or "", outcome.series or ""),
        notes=tuple(explain.render_all(outcome.notes, names)),
    )


def _display_names() -> explain.Names:
    """Names of every series and scheme a rules message may mention (two queries)."""
    return explain.Names(
        series=dict(ProfessionalSeries.objects.values_list("code", "name")),
        schemes=dict(RequirementScheme.objects.values_list("code", "name")),
    )


def _evaluate(
    year: int,
    held: tuple[str, ...],
    records: list[Record],
    book: rules.RuleBook,
    today: date,
    names: explain.Names,
    profile: rules.Profile,
) -> tuple[rules.EvaluationResult | None, list[CountedRecord], list[str]]:
    """Evaluate the records whose series the person still holds; the others are listed
    with a note and count nothing."""
    usable = [r for r in records if record_counts(r, held=held, book=book)]
    skipped = [
        CountedRecord(r, None, _("Not counted: you no longer hold this series."))
        for r in records
        if not record_counts(r, held=held, book=book)
    ]
    try:
        result = evaluate(
            rules.EvaluationInput(
                year=year,
                series=held,
                profile=profile,
                records=tuple(record_input(r) for r in usable),
            ),
            book,
            today=today,
        )
    except rules.EvaluationError as exc:
        messages = [explain.render(m, names) for msgs in exc.errors.values() for m in msgs]
        return None, [CountedRecord(r, None) for r in records], messages
    counted = [
        _counted(r, outcome, names) for r, outcome in zip(usable, result.records, strict=True)
    ]
    return result, counted + skipped, []


def _lines(result: rules.EvaluationResult, series_names: dict[str, str]) -> list[ProgressLine]:
    lines = [ProgressLine(rules.PUBLIC, "", result.required.public, result.earned.public)]
    for code, required in result.required.professional.items():
        earned = result.earned.professional.get(code, Decimal(0))
        lines.append(
            ProgressLine(rules.PROFESSIONAL, series_names.get(code, code), required, earned)
        )
    if result.required.elective:
        lines.append(
            ProgressLine(rules.ELECTIVE, "", result.required.elective, result.earned.elective)
        )
    return lines


def person_year_explanation(
    person: Person, year: int, *, today: date | None = None
) -> YearExplanation:
    """The person's progress in ``year``: required and earned hours per category and series,
    and the evaluator's explanation of each approved record (fixed number of queries)."""
    today = today if today is not None else timezone.localdate()
    series = list(person.series.order_by("code"))
    held = tuple(s.code for s in series)
    names = {s.code: s.name for s in series}
    records = list(
        Record.objects.filter(
            person=person,
            year=year,
            status__in=(Record.Status.APPROVED, Record.Status.SUBMITTED),
        )
        .select_related("series")
        .order_by("start_date", "pk")
    )
    approved = [r for r in records if r.status == Record.Status.APPROVED]
    submitted = [r for r in records if r.status == Record.Status.SUBMITTED]
    if not held:
        return YearExplanation(
            year=year,
            result=None,
            if_approved=None,
            counted=tuple(CountedRecord(r, None) for r in approved),
            pending=tuple(CountedRecord(r, None) for r in submitted),
            errors=(_("Choose your professional series in your profile first."),),
        )
    book = rulebook_load()
    display = _display_names()
    profile = person_profile(person.pk)
    result, counted, errors = _evaluate(year, held, approved, book, today, display, profile)
    if_approved, with_pending, _errors = _evaluate(
        year, held, approved + submitted, book, today, display, profile
    )
    pending_ids = {r.pk for r in submitted}
    return YearExplanation(
        year=year,
        result=result,
        if_approved=if_approved,
        counted=tuple(counted),
        pending=tuple(c for c in with_pending if c.record.pk in pending_ids),
        errors=tuple(errors),
        lines=tuple(_lines(result, names)) if result is not None else (),
        rules_applied=tuple(explain.render_all(result.messages, display)) if result else (),
    )


# ---------------------------------------------------------------------------------------------
# Certification routes and yearly windows (decision 0008)
# ---------------------------------------------------------------------------------------------


def certification_route(
    series: str | None, category: str, source: str, year: int
) -> rules.CertificationRoute:
    """Who certifies a record of ``series`` (a code, or ``None``), ``category`` and
    ``source`` (``Record.Source``) declared for ``year`` (no query while the rule book is
    cached)."""
    return route_for(
        rulebook_load().routes, series=series, category=category, source=source, year=year
    )


def year_windows(year: int) -> Windows:
    """The last days ``year`` accepts records (public study, declarations, series' own)."""
    return windows_for(year, rulebook_load())


@dataclass(frozen=True)
class WindowRow:
    """One year still open for records, as the declaration form shows it."""

    year: int
    public: date
    declaration: date
    public_open: bool
    series: tuple[tuple[str, date], ...] = ()
    """(series name, deadline) for the person's series with their own deadline."""


def _window_row(year: int, book: rules.RuleBook, names: dict[str, str], today: date) -> WindowRow:
    windows = windows_for(year, book)
    return WindowRow(
        year=year,
        public=windows.public,
        declaration=windows.declaration,
        public_open=windows.public >= today,
        series=tuple((names[code], day) for code, day in windows.series if code in names),
    )


def year_window(series: list[ProfessionalSeries], year: int, *, today: date) -> WindowRow:
    """``year``'s windows with the own deadlines of ``series`` (for the progress page)."""
    return _window_row(year, rulebook_load(), {s.code: s.name for s in series}, today)


def open_windows(series: list[ProfessionalSeries], *, today: date) -> list[WindowRow]:
    """The years that still accept some record on ``today`` (newest first), with their windows
    and the own deadlines of ``series`` (no query while the rule book is cached)."""
    book = rulebook_load()
    names = {s.code: s.name for s in series}
    rows = [
        _window_row(year, book, names, today) for year in range(today.year, book.min_year - 1, -1)
    ]
    return [
        row
        for row in rows
        if max([row.public, row.declaration, *(day for _name, day in row.series)]) >= today
    ]


@dataclass(frozen=True)
class RouteElsewhere:
    """Records of one of the person's series that another platform certifies."""

    series: str
    categories: str
    """The categories' names, joined for display."""
    platform_name: str
    platform_url: str


def routes_elsewhere(series: list[ProfessionalSeries], *, year: int) -> list[RouteElsewhere]:
    """For each of ``series``, the categories a person cannot send to the employer in
    ``year`` because another platform certifies them, and that platform."""
    book = rulebook_load()
    found: list[RouteElsewhere] = []
    for one in series:
        by_platform: dict[tuple[str, str], list[str]] = {}
        for category in Record.Category:
            route = route_for(
                book.routes,
                series=one.code,
                category=category.value,
                source=Record.Source.SELF_DECLARED,
                year=year,
            )
            if route.elsewhere:
                key = (route.platform_name, route.platform_url)
                by_platform.setdefault(key, []).append(str(category.label))
        found.extend(
            RouteElsewhere(one.name, pgettext("list separator", ", ").join(labels), name, url)
            for (name, url), labels in by_platform.items()
        )
    return found
