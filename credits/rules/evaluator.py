"""The yearly-requirement rules engine: a pure function over plain data.

``evaluate(data, rules, today=...)`` takes an ``EvaluationInput`` and a ``RuleBook`` and
returns an ``EvaluationResult``; it reads no globals, no clock and no database.  What a year
requires is data (``Scheme`` rows with effective dates); the few behaviours that data alone
cannot express live in small policy classes chosen by ``Scheme.policy``.

Readings of the rules (see /work/shared/DOMAIN.md, "Yearly requirements"):

* Scheme choice: a series uses the scheme in force for it on 31 December of the year; a
  scheme naming the series beats a catch-all scheme (``series_codes`` empty), and among
  equals the latest ``valid_from`` wins.  So accounting uses the general legacy scheme in
  2017 and the accounting scheme from 2018.
* Several series: public and elective are required once, at the largest requirement among
  the person's schemes (elective: among schemes that allow elective; 0 if none does);
  professional is required per series.  Surplus in one category or series never makes up
  another's shortfall.
* Units: days x the year's ``hours_per_day``; minutes are floored to whole hours
  (``floor(minutes / minutes_per_hour)``: 90 min = 2 h, 100 min = 2 h, 44 min = 0 h).
  Hours are rounded to 0.1 (half up).
* No elective (accounting, archives): an elective record counts 0 only when none of the
  person's schemes allows elective.  A person who also holds a general-scheme series still
  has an elective requirement, and elective hours count toward it.
* Degree study (kind ``degree_study``) always counts as elective, at most the rule's cap
  (72 h) over all degree-study records of the year, in record order.  It counts 0 for the
  rule's excluded series (none seeded: education and health certify it themselves,
  decision 0008): when the record names a series, that series decides;
  when it names none, it counts 0 only if every series the person holds is excluded.
* In-house training (kind ``inhouse_training``) without an approved plan
  (``approved_plan`` not ``True``, so unknown counts as not approved) counts as elective,
  never professional or public.
* Accounting requires nothing (0 professional, and it adds no public or elective) for years
  up to and including ``accounting_start_year``.  Its records still count.
* Archives requires ``Scheme.new_post_professional`` (80 h) instead of 60 in
  ``archives_new_post_year`` when ``archives_degree`` is ``False`` (``None`` = unknown: 60).
* Accounting activities count as professional hours of the activity's series whatever
  category was declared.  ``whole_year`` activities also meet that series' professional
  requirement and the public requirement (earned is raised to the required hours); they do
  not meet another series' professional or the elective requirement.
* A record whose optional ``year`` differs from the evaluated year counts 0.
* Conditions of a year's table in the person's region (``RuleBook.activity_conditions``,
  the 2023 Guangzhou accounting table; the most specific region of ``Profile.regions`` wins):
  an activity with ``min_quantity`` counts only when the year's records of it add up to at
  least that quantity (face-to-face training 3 days, online platform 24 hours), else every
  one of them counts 0; an activity with a results window counts only when its
  ``result_date`` falls in the window (both ends included; no date: 0).
* Professional general knowledge (通识, ``RuleBook.general_knowledge``): where a year and
  region set a minimum for a series, the series' professional requirement is met only when
  its professional hours from records marked ``general_knowledge`` reach the minimum too;
  the shortfall is the larger of the two gaps.  A whole-year activity meets it.  It does
  not apply when the series requires no professional hours that year.
* See docs/decisions/0011-accounting-activities.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from .defaults import DEFAULT_HOURS_PER_DAY, DEFAULT_MINUTES_PER_HOUR
from .messages import Message, gettext_noop
from .types import (
    CATEGORIES,
    ELECTIVE,
    KIND_DEGREE_STUDY,
    KIND_INHOUSE_TRAINING,
    KINDS,
    POLICY_ACCOUNTING,
    POLICY_ARCHIVES,
    POLICY_GENERAL,
    PROFESSIONAL,
    PUBLIC,
    TARGET_WHOLE_YEAR,
    ZERO,
    ActivityConversion,
    Breakdown,
    EvaluationError,
    EvaluationInput,
    EvaluationResult,
    Profile,
    RecordInput,
    RecordOutcome,
    RuleBook,
    Scheme,
    YearSettings,
    quantize_hours,
)

# --- rule data look-ups --------------------------------------------------------------------


def settings_for_year(
    year: int,
    overrides: Iterable[YearSettings],
    *,
    default_hours_per_day: Decimal = DEFAULT_HOURS_PER_DAY,
    default_minutes_per_hour: int = DEFAULT_MINUTES_PER_HOUR,
) -> YearSettings:
    """The settings row for ``year``, or a default when there is none.

    The default carries the units (``hours_per_day``, ``minutes_per_hour``) forward from the
    latest earlier row (so 2019 keeps 2018's 6 h days and 2022 keeps 2021's 8 h days), falls
    back to the given defaults when no earlier row exists, ends the public-subject study
    window on 31 December of the year (no catch-up unless HRSS publishes one) and closes
    declarations one year after the year's end (``default_declaration_deadline``).
    """
    rows = list(overrides)
    for row in rows:
        if row.year == year:
            return row
    earlier = [row for row in rows if row.year < year]
    base = max(earlier, key=lambda row: row.year) if earlier else None
    year_end = date(year, 12, 31)
    return YearSettings(
        year=year,
        hours_per_day=base.hours_per_day if base else default_hours_per_day,
        minutes_per_hour=base.minutes_per_hour if base else default_minutes_per_hour,
        declaration_deadline=default_declaration_deadline(year),
        public_catch_up_deadline=year_end,
    )


def default_declaration_deadline(year: int) -> date:
    """A year whose declaration deadline HRSS did not set: one year after the year's end
    (004 person #15 declares last year's records this year, under last year)."""
    return date(year + 1, 12, 31)


def scheme_for(series: str, year: int, schemes: Iterable[Scheme]) -> Scheme | None:
    """The scheme in force for ``series`` on 31 December of ``year`` (specific beats general)."""
    year_end = date(year, 12, 31)
    candidates = [s for s in schemes if s.covers(series) and s.in_force_on(year_end)]
    if not candidates:
        return None
    return max(candidates, key=lambda s: (bool(s.series_codes), s.valid_from))


# --- policies ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesRequirement:
    """What one series requires in one year, after its scheme's policy is applied."""

    series: str
    scheme: Scheme
    public: Decimal
    professional: Decimal
    elective: Decimal
    allows_elective: bool
    messages: tuple[Message, ...] = ()


class GeneralPolicy:
    """The scheme row's numbers as they stand."""

    def requirement(
        self, series: str, scheme: Scheme, year: int, profile: Profile
    ) -> SeriesRequirement:
        elective = (scheme.elective or ZERO) if scheme.allows_elective else ZERO
        return SeriesRequirement(
            series=series,
            scheme=scheme,
            public=scheme.public,
            professional=scheme.professional,
            elective=elective,
            allows_elective=scheme.allows_elective,
        )


class AccountingPolicy(GeneralPolicy):
    """Accounting CE starts the year after the qualification / start of accounting work."""

    def requirement(
        self, series: str, scheme: Scheme, year: int, profile: Profile
    ) -> SeriesRequirement:
        base = super().requirement(series, scheme, year, profile)
        start = profile.accounting_start_year
        if start is not None and year <= start:
            return replace(
                base,
                public=ZERO,
                professional=ZERO,
                elective=ZERO,
                messages=(
                    Message(
                        gettext_noop(
                            "%(series)s: nothing required in %(year)s, CE starts after %(start)s"
                        ),
                        series=series,
                        year=year,
                        start=start,
                    ),
                ),
            )
        return base


class ArchivesPolicy(GeneralPolicy):
    """New in an archives post without an archives degree: more professional hours."""

    def requirement(
        self, series: str, scheme: Scheme, year: int, profile: Profile
    ) -> SeriesRequirement:
        base = super().requirement(series, scheme, year, profile)
        new_post = scheme.new_post_professional
        if (
            new_post is not None
            and profile.archives_new_post_year == year
            and profile.archives_degree is False
        ):
            return replace(
                base,
                professional=max(base.professional, new_post),
                messages=(
                    Message(
                        gettext_noop(
                            "%(series)s: %(hours)s h professional required in the first year "
                            "in post without an archives degree"
                        ),
                        series=series,
                        hours=_fmt(new_post),
                    ),
                ),
            )
        return base


POLICIES: Mapping[str, GeneralPolicy] = {
    POLICY_GENERAL: GeneralPolicy(),
    POLICY_ACCOUNTING: AccountingPolicy(),
    POLICY_ARCHIVES: ArchivesPolicy(),
}


def requirement_for(series: str, scheme: Scheme, year: int, profile: Profile) -> SeriesRequirement:
    policy = POLICIES.get(scheme.policy)
    if policy is None:
        raise ValueError(f"scheme {scheme.code!r} names unknown policy {scheme.policy!r}")
    return policy.requirement(series, scheme, year, profile)


# --- formatting ----------------------------------------------------------------------------


def _fmt(value: Decimal) -> str:
    """Hours for notes and messages: ``16``, ``7.5``."""
    q = quantize_hours(value)
    return str(int(q)) if q == q.to_integral_value() else str(q)


def _fmt_raw(value: Decimal) -> str:
    """An input amount as given, without exponent or trailing zeros: ``2``, ``0.5``."""
    return format(value.normalize(), "f")


# --- validation and conversion -------------------------------------------------------------

_AMOUNT_FIELDS = ("hours", "days", "minutes", "activity")


@dataclass(frozen=True)
class _Converted:
    hours: Decimal
    notes: tuple[Message, ...]
    conversion: ActivityConversion | None


class _Errors:
    def __init__(self) -> None:
        self.by_path: dict[str, list[str]] = {}

    def add(self, path: str, message: Message) -> None:
        self.by_path.setdefault(path, []).append(message)

    def __len__(self) -> int:
        return sum(len(messages) for messages in self.by_path.values())


def _validate_header(
    data: EvaluationInput, rules: RuleBook, today: date, errors: _Errors
) -> list[SeriesRequirement]:
    max_year = today.year + 1
    year_ok = rules.min_year <= data.year <= max_year
    if not year_ok:
        errors.add(
            "year",
            Message(
                gettext_noop("year must be between %(min)s and %(max)s"),
                min=rules.min_year,
                max=max_year,
            ),
        )
    if not data.series:
        errors.add("series", Message(gettext_noop("at least one series is required")))
    requirements: list[SeriesRequirement] = []
    seen: set[str] = set()
    for series in data.series:
        if series not in rules.known_series:
            errors.add("series", Message(gettext_noop("unknown series %(code)r"), code=series))
            continue
        if series in seen:
            errors.add("series", Message(gettext_noop("duplicate series %(code)r"), code=series))
            continue
        seen.add(series)
        if not year_ok:
            continue
        scheme = scheme_for(series, data.year, rules.schemes)
        if scheme is None:
            errors.add(
                "series",
                Message(
                    gettext_noop("no requirement scheme for %(code)r in %(year)s"),
                    code=series,
                    year=data.year,
                ),
            )
            continue
        requirements.append(requirement_for(series, scheme, data.year, data.profile))
    return requirements


def _check_amount(path: str, name: str, value: Decimal | None, errors: _Errors) -> None:
    if value is None:
        return
    if not value.is_finite():
        errors.add(f"{path}.{name}", Message(gettext_noop("must be a finite number")))
    elif value <= 0:
        errors.add(f"{path}.{name}", Message(gettext_noop("must be greater than 0")))


def _validate_record(
    index: int,
    record: RecordInput,
    held: frozenset[str],
    rules: RuleBook,
    settings: YearSettings,
    errors: _Errors,
) -> _Converted | None:
    """Validate one record and convert its amount to hours (``None`` when invalid)."""
    path = f"records[{index}]"
    before = len(errors)

    if record.category not in CATEGORIES:
        errors.add(
            f"{path}.category",
            Message(gettext_noop("unknown category %(code)r"), code=record.category),
        )
    if record.kind is not None and record.kind not in KINDS:
        errors.add(f"{path}.kind", Message(gettext_noop("unknown kind %(code)r"), code=record.kind))
    if record.series is not None:
        if record.series not in rules.known_series:
            errors.add(
                f"{path}.series",
                Message(gettext_noop("unknown series %(code)r"), code=record.series),
            )
        elif record.series not in held:
            errors.add(
                f"{path}.series",
                Message(
                    gettext_noop("series %(code)r is not one of the person's"),
                    code=record.series,
                ),
            )
    elif record.category == PROFESSIONAL and record.activity is None:
        errors.add(f"{path}.series", Message(gettext_noop("a professional record needs a series")))

    given = [name for name in _AMOUNT_FIELDS if getattr(record, name) is not None]
    if not given:
        errors.add(
            path, Message(gettext_noop("one of hours, days, minutes or activity is required"))
        )
    elif len(given) > 1:
        errors.add(
            path,
            Message(
                gettext_noop("only one of hours, days, minutes or activity allowed: %(given)s"),
                given=str(given),
            ),
        )
    if record.quantity is not None and record.activity is None:
        errors.add(
            f"{path}.quantity",
            Message(gettext_noop("quantity is only allowed with an activity")),
        )
    for name in ("hours", "days", "minutes", "quantity"):
        _check_amount(path, name, getattr(record, name), errors)

    conversion: ActivityConversion | None = None
    if record.activity is not None:
        conversion = rules.activity(record.activity)
        if conversion is None:
            errors.add(
                f"{path}.activity",
                Message(gettext_noop("unknown activity %(code)r"), code=record.activity),
            )
        elif conversion.series not in held:
            errors.add(
                f"{path}.activity",
                Message(
                    gettext_noop(
                        "activity %(code)r counts for series %(series_code)r, "
                        "which the person does not hold"
                    ),
                    code=conversion.code,
                    series_code=conversion.series,
                ),
            )
        elif record.series is not None and record.series != conversion.series:
            errors.add(
                f"{path}.series",
                Message(
                    gettext_noop("activity %(code)r counts for series %(series_code)r"),
                    code=conversion.code,
                    series_code=conversion.series,
                ),
            )
        if record.kind is not None:
            errors.add(
                f"{path}.kind", Message(gettext_noop("kind cannot be combined with an activity"))
            )

    if len(errors) > before:
        return None

    notes: list[Message] = []
    if record.hours is not None:
        field = "hours"
        hours = quantize_hours(record.hours)
        if hours != record.hours:
            notes.append(
                Message(
                    gettext_noop("rounded %(given)s h to %(hours)s h"),
                    given=_fmt_raw(record.hours),
                    hours=_fmt(hours),
                )
            )
    elif record.days is not None:
        field = "days"
        hours = quantize_hours(record.days * settings.hours_per_day)
        notes.append(
            Message(
                gettext_noop("converted %(days)s days x %(per_day)s h = %(hours)s h"),
                days=_fmt_raw(record.days),
                per_day=_fmt(settings.hours_per_day),
                hours=_fmt(hours),
            )
        )
    elif record.minutes is not None:
        field = "minutes"
        per_hour = Decimal(settings.minutes_per_hour)
        hours = record.minutes // per_hour
        remainder = record.minutes - hours * per_hour
        minute_params = {
            "minutes": _fmt_raw(record.minutes),
            "per_hour": str(per_hour),
            "hours": _fmt(hours),
        }
        if remainder:
            notes.append(
                Message(
                    gettext_noop(
                        "converted %(minutes)s min / %(per_hour)s = %(hours)s h, "
                        "%(dropped)s min dropped"
                    ),
                    dropped=_fmt_raw(remainder),
                    **minute_params,
                )
            )
        else:
            notes.append(
                Message(
                    gettext_noop("converted %(minutes)s min / %(per_hour)s = %(hours)s h"),
                    **minute_params,
                )
            )
    else:
        assert conversion is not None
        field = "quantity" if record.quantity is not None else "activity"
        quantity = record.quantity if record.quantity is not None else Decimal(1)
        hours = quantize_hours(quantity * conversion.hours)
        notes.append(
            Message(
                gettext_noop(
                    "converted %(series)s activity %(activity)s: "
                    "%(quantity)s x %(per_item)s h = %(hours)s h"
                ),
                series=conversion.series,
                activity=conversion.code,
                quantity=_fmt_raw(quantity),
                per_item=_fmt(conversion.hours),
                hours=_fmt(hours),
            )
        )

    if hours > rules.max_hours_per_record:
        errors.add(
            f"{path}.{field}",
            Message(
                gettext_noop("more than a year's worth of hours (%(hours)s h > %(max)s h)"),
                hours=_fmt(hours),
                max=_fmt(rules.max_hours_per_record),
            ),
        )
        return None
    return _Converted(hours=hours, notes=tuple(notes), conversion=conversion)


# --- counting ------------------------------------------------------------------------------


@dataclass
class _Tally:
    public: Decimal = ZERO
    elective: Decimal = ZERO
    degree_study_used: Decimal = ZERO


def _count_record(
    index: int,
    record: RecordInput,
    converted: _Converted,
    *,
    year: int,
    held: tuple[str, ...],
    elective_allowed: bool,
    rules: RuleBook,
    tally: _Tally,
    professional: dict[str, Decimal],
    whole_year: dict[str, int],
    general: dict[str, Decimal],
    blocked: Mapping[int, Message],
) -> RecordOutcome:
    """Decide where one valid record counts, add it to the tallies, and explain it."""
    notes = list(converted.notes)
    hours = converted.hours
    conversion = converted.conversion
    series = (
        record.series
        if record.series is not None
        else (conversion.series if conversion is not None else None)
    )

    # 1. Where the record counts.
    category = record.category
    reason: Message | None = None
    if conversion is not None:
        category = PROFESSIONAL
        reason = Message(gettext_noop("%(series)s activity"), series=conversion.series)
    elif record.kind == KIND_DEGREE_STUDY:
        category, reason = ELECTIVE, Message(gettext_noop("degree study"))
    elif record.kind == KIND_INHOUSE_TRAINING and record.approved_plan is not True:
        category = ELECTIVE
        reason = Message(gettext_noop("in-house training without approved plan"))
    if category != record.category:
        notes.append(
            Message(
                gettext_noop("counted as %(category)s instead of %(declared)s: %(reason)s"),
                category=category,
                declared=record.category,
                reason=reason,
            )
        )

    # 2. Whether it counts at all, and how much.
    degree_rule = rules.degree_study
    if record.year is not None and record.year != year:
        notes.append(
            Message(
                gettext_noop("not counted: record is for %(record_year)s, not %(year)s"),
                record_year=record.year,
                year=year,
            )
        )
        hours = ZERO
    elif index in blocked:
        notes.append(blocked[index])
        hours = ZERO
    elif record.kind == KIND_DEGREE_STUDY and _degree_study_excluded(
        record.series, held, degree_rule.excluded_series
    ):
        notes.append(
            Message(
                gettext_noop("not counted: degree study does not count for %(excluded)s"),
                excluded=tuple(degree_rule.excluded_series),
            )
        )
        hours = ZERO
    elif category == ELECTIVE and not elective_allowed:
        notes.append(
            Message(gettext_noop("not counted: no elective for %(held)s"), held=tuple(held))
        )
        hours = ZERO
    elif record.kind == KIND_DEGREE_STUDY:
        remaining = max(degree_rule.cap_hours - tally.degree_study_used, ZERO)
        if hours > remaining:
            notes.append(
                Message(
                    gettext_noop(
                        "degree study cap %(cap)s h reached: counted %(counted)s of %(hours)s h"
                    ),
                    cap=_fmt(degree_rule.cap_hours),
                    counted=_fmt(remaining),
                    hours=_fmt(hours),
                )
            )
            hours = remaining
        tally.degree_study_used += hours

    # 3. Add it up.
    if category == PUBLIC:
        tally.public += hours
    elif category == ELECTIVE:
        tally.elective += hours
    elif series is not None:
        professional[series] += hours
        if record.general_knowledge:
            general[series] = general.get(series, ZERO) + hours
    if conversion is not None and conversion.target == TARGET_WHOLE_YEAR and hours > 0:
        whole_year.setdefault(conversion.series, index)
        notes.append(
            Message(
                gettext_noop("whole year satisfied: public and professional %(series)s met"),
                series=conversion.series,
            )
        )

    return RecordOutcome(
        index=index,
        category=category,
        series=series if category == PROFESSIONAL else record.series,
        hours=hours,
        notes=tuple(notes),
    )


def _blocked_by_conditions(data: EvaluationInput, rules: RuleBook) -> dict[int, Message]:
    """Records an activity condition of the year's table stops from counting, with why."""
    regions = data.profile.regions
    in_year = [
        (index, record)
        for index, record in enumerate(data.records)
        if record.activity is not None and record.year in (None, data.year)
    ]
    totals: dict[str, Decimal] = {}
    for _, record in in_year:
        assert record.activity is not None
        quantity = record.quantity if record.quantity is not None else Decimal(1)
        totals[record.activity] = totals.get(record.activity, ZERO) + quantity
    blocked: dict[int, Message] = {}
    for index, record in in_year:
        assert record.activity is not None
        condition = rules.activity_condition(record.activity, data.year, regions)
        if condition is None:
            continue
        if condition.min_quantity is not None and totals[record.activity] < condition.min_quantity:
            blocked[index] = Message(
                gettext_noop(
                    "not counted: %(activity)s counts from %(minimum)s in the year, "
                    "%(total)s declared"
                ),
                activity=record.activity,
                minimum=_fmt_raw(condition.min_quantity),
                total=_fmt_raw(totals[record.activity]),
            )
            continue
        start, end = condition.results_from, condition.results_to
        if start is None and end is None:
            continue
        when = record.result_date
        if when is None or (start is not None and when < start) or (end is not None and when > end):
            blocked[index] = Message(
                gettext_noop(
                    "not counted: %(activity)s counts only with results published from "
                    "%(start)s to %(end)s"
                ),
                activity=record.activity,
                start=start.isoformat() if start else "",
                end=end.isoformat() if end else "",
            )
    return blocked


def _degree_study_excluded(
    record_series: str | None, held: tuple[str, ...], excluded: tuple[str, ...]
) -> bool:
    if record_series is not None:
        return record_series in excluded
    return all(series in excluded for series in held)


def _scheme_message(req: SeriesRequirement) -> Message:
    scheme = req.scheme
    elective = (
        Message(gettext_noop("%(hours)s elective"), hours=_fmt(scheme.elective or ZERO))
        if req.allows_elective
        else Message(gettext_noop("no elective"))
    )
    return Message(
        gettext_noop(
            "%(series)s: scheme %(scheme)s (%(public)s public, %(professional)s professional, "
            "%(elective)s)"
        ),
        series=req.series,
        scheme=scheme.code,
        public=_fmt(scheme.public),
        professional=_fmt(scheme.professional),
        elective=elective,
    )


# --- the engine ----------------------------------------------------------------------------


def evaluate(data: EvaluationInput, rules: RuleBook, *, today: date) -> EvaluationResult:
    """Check one person's year against the rules.

    Raises ``EvaluationError`` (all problems at once, keyed by field path) on invalid input;
    ``today`` bounds the year (at most next year).
    """
    errors = _Errors()
    requirements = _validate_header(data, rules, today, errors)
    settings = settings_for_year(data.year, rules.year_settings)
    held = frozenset(data.series)
    converted = [
        _validate_record(index, record, held, rules, settings, errors)
        for index, record in enumerate(data.records)
    ]
    if errors.by_path:
        raise EvaluationError(errors.by_path)

    series_order = tuple(r.series for r in requirements)
    required = Breakdown(
        public=max((r.public for r in requirements), default=ZERO),
        elective=max((r.elective for r in requirements if r.allows_elective), default=ZERO),
        professional={r.series: r.professional for r in requirements},
    )
    elective_allowed = any(r.allows_elective for r in requirements)

    tally = _Tally()
    professional: dict[str, Decimal] = dict.fromkeys(series_order, ZERO)
    general: dict[str, Decimal] = {}
    whole_year: dict[str, int] = {}
    blocked = _blocked_by_conditions(data, rules)
    outcomes: list[RecordOutcome] = []
    for index, (record, conv) in enumerate(zip(data.records, converted, strict=True)):
        assert conv is not None
        outcomes.append(
            _count_record(
                index,
                record,
                conv,
                year=data.year,
                held=series_order,
                elective_allowed=elective_allowed,
                rules=rules,
                tally=tally,
                professional=professional,
                whole_year=whole_year,
                general=general,
                blocked=blocked,
            )
        )

    messages: list[Message] = []
    for req in requirements:
        messages.append(_scheme_message(req))
        messages.extend(req.messages)

    public = tally.public
    for series, index in whole_year.items():
        professional[series] = max(professional[series], required.professional[series])
        public = max(public, required.public)
        messages.append(
            Message(
                gettext_noop("%(series)s: whole year satisfied by record %(index)s"),
                series=series,
                index=index,
            )
        )

    earned = Breakdown(public=public, elective=tally.elective, professional=professional)
    professional_short = {
        s: max(required.professional[s] - earned.professional[s], ZERO) for s in series_order
    }
    for series in series_order:
        rule = rules.general_knowledge_for(series, data.year, data.profile.regions)
        if rule is None or series in whole_year or not required.professional[series]:
            continue
        have = general.get(series, ZERO)
        messages.append(
            Message(
                gettext_noop(
                    "%(series)s: at least %(minimum)s of the professional hours must be "
                    "general knowledge; %(hours)s h earned"
                ),
                series=series,
                minimum=_fmt(rule.minimum),
                hours=_fmt(have),
            )
        )
        professional_short[series] = max(professional_short[series], rule.minimum - have)
    shortfall = Breakdown(
        public=max(required.public - earned.public, ZERO),
        elective=max(required.elective - earned.elective, ZERO),
        professional=professional_short,
    )

    if shortfall.public:
        messages.append(
            Message(gettext_noop("public: %(hours)s h short"), hours=_fmt(shortfall.public))
        )
    if shortfall.elective:
        messages.append(
            Message(gettext_noop("elective: %(hours)s h short"), hours=_fmt(shortfall.elective))
        )
    for series, short in shortfall.professional.items():
        if short:
            messages.append(
                Message(
                    gettext_noop("professional %(series)s: %(hours)s h short"),
                    series=series,
                    hours=_fmt(short),
                )
            )
    compliant = not (shortfall.public or shortfall.elective or any(shortfall.professional.values()))
    messages.append(
        Message(gettext_noop("all requirements met for %(year)s"), year=data.year)
        if compliant
        else Message(gettext_noop("requirements not met for %(year)s"), year=data.year)
    )

    return EvaluationResult(
        year=data.year,
        compliant=compliant,
        required=required,
        earned=earned,
        shortfall=shortfall,
        records=tuple(outcomes),
        messages=tuple(messages),
        schemes={r.series: r.scheme.code for r in requirements},
    )
