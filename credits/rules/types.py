"""Plain-data inputs and outputs of the yearly-requirement rules engine.

Everything here is a frozen dataclass holding plain values (``str``, ``int``, ``date``,
``Decimal``, tuples and dicts), so the engine can run without Django and a DB loader can
build the same objects from table rows.  Hours are ``Decimal`` throughout.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

# --- vocabulary ----------------------------------------------------------------------------

PUBLIC = "public"
PROFESSIONAL = "professional"
ELECTIVE = "elective"
CATEGORIES: tuple[str, ...] = (PUBLIC, PROFESSIONAL, ELECTIVE)

KIND_DEGREE_STUDY = "degree_study"
KIND_INHOUSE_TRAINING = "inhouse_training"
KINDS: tuple[str, ...] = (KIND_DEGREE_STUDY, KIND_INHOUSE_TRAINING)

TARGET_WHOLE_YEAR = "whole_year"
TARGET_PROFESSIONAL = "professional"
ACTIVITY_TARGETS: tuple[str, ...] = (TARGET_WHOLE_YEAR, TARGET_PROFESSIONAL)

POLICY_GENERAL = "general"
POLICY_ACCOUNTING = "accounting"
POLICY_ARCHIVES = "archives"

TENTH = Decimal("0.1")
ZERO = Decimal(0)


def quantize_hours(value: Decimal) -> Decimal:
    """Round hours to 0.1 (half up), the precision used everywhere in the engine."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def hours_to_json(value: Decimal) -> int | float:
    """JSON number for hours: an int when whole, else a float with one decimal."""
    q = quantize_hours(value)
    if q == q.to_integral_value():
        return int(q)
    return float(q)


# --- rule data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Scheme:
    """One requirement scheme row: what a year demands for the series it covers.

    ``series_codes`` empty means "every series no more specific scheme covers".  The scheme
    in force on 31 December of a year applies to that year.  ``policy`` names the small
    policy class that applies the scheme (``general``, ``accounting``, ``archives``);
    ``new_post_professional`` is the professional requirement in an archives person's first
    year in post without an archives degree (archives policy only).
    """

    code: str
    series_codes: tuple[str, ...]
    valid_from: date
    valid_to: date | None
    public: Decimal
    professional: Decimal
    elective: Decimal | None
    allows_elective: bool
    total: Decimal
    policy: str = POLICY_GENERAL
    new_post_professional: Decimal | None = None

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def covers(self, series: str) -> bool:
        return not self.series_codes or series in self.series_codes


@dataclass(frozen=True)
class YearSettings:
    """Per-year units and deadlines (see ``settings_for_year`` for years without a row).

    ``declaration_deadline`` closes records reviewed by the employer (and pushed ones);
    ``public_catch_up_deadline`` ends the public-subject study window. They are separate
    windows (``credits.rules.routes.windows_for``).
    """

    year: int
    hours_per_day: Decimal
    minutes_per_hour: int
    declaration_deadline: date
    public_catch_up_deadline: date


@dataclass(frozen=True)
class ActivityConversion:
    """How one kind of activity converts to hours (the accounting credit table).

    ``hours`` is per unit of quantity (per item, per day or per hour, as ``unit`` says).
    ``target`` ``whole_year`` means the activity satisfies the ``series``' whole year:
    its professional requirement and the public requirement.
    """

    code: str
    series: str
    target: str
    hours: Decimal
    unit: str = "item"
    name: str = ""


def _region_rank(region: str, regions: tuple[str, ...]) -> int | None:
    """How specific a rule row's ``region`` is for a person in ``regions`` (most specific
    first): its index there, ``len(regions)`` for a row of every region (``""``), ``None``
    when the row is for another region."""
    if not region:
        return len(regions)
    return regions.index(region) if region in regions else None


@dataclass(frozen=True)
class ActivityCondition:
    """A condition one year's table sets on an activity in one region (the 2023 Guangzhou
    accounting table): ``region`` is a region code, ``""`` for every region.

    ``min_quantity``: the activity counts only when the year's records of it add up to at
    least this quantity (face-to-face training 3 days, online platform 24 hours).
    ``results_from`` / ``results_to``: it counts only when its result was published in the
    window (the record's ``result_date``: other accounting-related exams).
    """

    activity: str
    year: int
    region: str = ""
    min_quantity: Decimal | None = None
    results_from: date | None = None
    results_to: date | None = None


@dataclass(frozen=True)
class GeneralKnowledgeRule:
    """At least ``minimum`` of a series' professional hours must be professional general
    knowledge (专业通识知识) in ``year`` and ``region`` (``""``: every region)."""

    series: str
    year: int
    minimum: Decimal
    region: str = ""


@dataclass(frozen=True)
class DegreeStudyRule:
    """Degree study counts as elective, capped per year, and not for ``excluded_series``."""

    cap_hours: Decimal
    excluded_series: tuple[str, ...]


# Who certifies a record (``CertificationRoute.certifier``).
CERTIFIER_EMPLOYER = "employer"
"""The person's employer reviews it (approve / reject / return)."""
CERTIFIER_AUTOMATIC = "automatic"
"""The approved online platform certifies it on completion; no review."""
CERTIFIER_PLATFORM = "platform"
"""Another body's platform certifies it and pushes it in (education, health, accounting)."""
CERTIFIERS = (CERTIFIER_EMPLOYER, CERTIFIER_AUTOMATIC, CERTIFIER_PLATFORM)


@dataclass(frozen=True)
class CertificationRoute:
    """Who certifies records of a series, category and source in a range of declared years.

    An empty ``series`` / ``category`` / ``source`` or a ``None`` year bound matches any.
    ``platform_name`` and ``platform_url`` say where a person goes when the route is
    ``platform`` (or which platform certifies automatically).
    """

    certifier: str
    series: str = ""
    category: str = ""
    source: str = ""
    year_from: int | None = None
    year_to: int | None = None
    platform_name: str = ""
    platform_url: str = ""

    def matches(self, series: str | None, category: str, source: str, year: int) -> bool:
        return (
            (not self.series or self.series == series)
            and (not self.category or self.category == category)
            and (not self.source or self.source == source)
            and (self.year_from is None or self.year_from <= year)
            and (self.year_to is None or year <= self.year_to)
        )

    @property
    def specificity(self) -> tuple[bool, bool, bool, int]:
        """Series beats source beats category; then the latest start year."""
        return (bool(self.series), bool(self.source), bool(self.category), self.year_from or 0)

    @property
    def elsewhere(self) -> bool:
        """Certified on another body's platform: a person cannot send it to an employer."""
        return self.certifier == CERTIFIER_PLATFORM


@dataclass(frozen=True)
class SeriesDeadline:
    """A series' own declaration deadline for one year (accounting's 补登, 004), replacing
    the year's declaration window for records naming that series (not public ones)."""

    year: int
    series: str
    declaration_deadline: date


@dataclass(frozen=True)
class RuleBook:
    """All rule data the evaluator needs, passed in explicitly."""

    schemes: tuple[Scheme, ...]
    year_settings: tuple[YearSettings, ...]
    activities: tuple[ActivityConversion, ...]
    degree_study: DegreeStudyRule
    known_series: frozenset[str]
    min_year: int = 2010
    max_hours_per_record: Decimal = Decimal(366 * 24)
    routes: tuple[CertificationRoute, ...] = ()
    series_deadlines: tuple[SeriesDeadline, ...] = ()
    activity_conditions: tuple[ActivityCondition, ...] = ()
    general_knowledge: tuple[GeneralKnowledgeRule, ...] = ()

    def memo(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()``, once per ``key`` for this rule book: what is derived from its rows
        alone (a year's settings, windows, a route) is computed once, not once per record
        checked (a 10,000-record push, docs/decisions/0019).  The book is immutable, so a
        value never goes stale; an edited rule table gives a new book."""
        memo: dict[Hashable, Any] = self.__dict__.setdefault("_memo", {})
        try:
            return memo[key]
        except KeyError:
            value = memo[key] = compute()
            return value

    def activity(self, code: str) -> ActivityConversion | None:
        for conversion in self.activities:
            if conversion.code == code:
                return conversion
        return None

    def activity_condition(
        self, code: str, year: int, regions: tuple[str, ...]
    ) -> ActivityCondition | None:
        """The condition on activity ``code`` in ``year`` for a person in ``regions`` (most
        specific first): the row of the most specific region, else the row of every region."""
        return _most_specific(
            (row for row in self.activity_conditions if row.activity == code and row.year == year),
            regions,
        )

    def general_knowledge_for(
        self, series: str, year: int, regions: tuple[str, ...]
    ) -> GeneralKnowledgeRule | None:
        """The general-knowledge minimum of ``series`` in ``year`` for a person in
        ``regions`` (the most specific region's row), or ``None``."""
        return _most_specific(
            (row for row in self.general_knowledge if row.series == series and row.year == year),
            regions,
        )


_Regional = TypeVar("_Regional", ActivityCondition, GeneralKnowledgeRule)
_T = TypeVar("_T")


def _most_specific(rows: Iterable[_Regional], regions: tuple[str, ...]) -> _Regional | None:
    ranked = [
        (rank, row) for row in rows if (rank := _region_rank(row.region, regions)) is not None
    ]
    return min(ranked, key=lambda pair: pair[0])[1] if ranked else None


# --- input ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """Facts about the person that change requirements.

    ``accounting_start_year``: year the accounting qualification was obtained or accounting
    work started; accounting requires nothing up to and including that year.
    ``archives_new_post_year`` / ``archives_degree``: first year in an archives post and
    whether the person holds an archives degree (``False`` in that year → 80 h professional).
    """

    accounting_start_year: int | None = None
    archives_new_post_year: int | None = None
    archives_degree: bool | None = None
    regions: tuple[str, ...] = ()
    """Codes of the region whose rules apply to the person (属地管理: the employer's
    district), most specific first, then its city and province; empty when unknown."""


@dataclass(frozen=True)
class RecordInput:
    """One CE record as declared.

    Exactly one amount: ``hours``, ``days``, ``minutes`` or ``activity`` (with an optional
    ``quantity``, default 1).  ``year`` is optional; when set and different from the
    evaluated year the record counts 0 (hours never carry over).
    """

    category: str
    series: str | None = None
    kind: str | None = None
    approved_plan: bool | None = None
    hours: Decimal | None = None
    days: Decimal | None = None
    minutes: Decimal | None = None
    activity: str | None = None
    quantity: Decimal | None = None
    year: int | None = None
    general_knowledge: bool = False
    """Professional general knowledge (专业通识知识): counts toward the year's minimum of
    it, where one is set, when the record counts as professional."""
    result_date: date | None = None
    """When the activity's result was published (an exam's score), for a results window."""


@dataclass(frozen=True)
class EvaluationInput:
    year: int
    series: tuple[str, ...]
    profile: Profile = field(default_factory=Profile)
    records: tuple[RecordInput, ...] = ()


# --- output --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    public: Decimal
    elective: Decimal
    professional: dict[str, Decimal]

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "public": hours_to_json(self.public),
            "elective": hours_to_json(self.elective),
            "professional": {s: hours_to_json(h) for s, h in self.professional.items()},
        }


@dataclass(frozen=True)
class RecordOutcome:
    """How one record counted: ``category`` is where it counted (may differ from declared)."""

    index: int
    category: str
    series: str | None
    hours: Decimal
    notes: tuple[str, ...] = ()

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "category": self.category,
            "series": self.series,
            "hours": hours_to_json(self.hours),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class EvaluationResult:
    year: int
    compliant: bool
    required: Breakdown
    earned: Breakdown
    shortfall: Breakdown
    records: tuple[RecordOutcome, ...]
    messages: tuple[str, ...]
    schemes: dict[str, str] = field(default_factory=dict)
    """series code → code of the scheme applied to it (not part of the JSON shape)."""

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "compliant": self.compliant,
            "required": self.required.to_json_dict(),
            "earned": self.earned.to_json_dict(),
            "shortfall": self.shortfall.to_json_dict(),
            "records": [r.to_json_dict() for r in self.records],
            "messages": list(self.messages),
        }


class EvaluationError(ValueError):
    """Invalid input; ``errors`` maps a field path (``records[3].series``) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{path}: {', '.join(msgs)}" for path, msgs in errors.items()))
