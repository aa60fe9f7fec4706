"""Annual validation (年度验证): every person's year, computed in bulk, kept in YearSummary.

`summaries_refresh_later` is what other services call when a record changes state: it queues
the recomputation of those person-years after the transaction commits.

`summaries_refresh` recomputes a year for many persons with a constant number of queries:

1. one aggregation of the year's *approved* records per (person, series), with the ordinary
   records' hours summed per category (``SUM … FILTER``), and one more aggregation of the
   few records of a special kind (degree study, in-house training, accounting activity);
2. one read of the persons' series; the requirement of each distinct series set is worked
   out once per run by the rules engine's own functions (``scheme_for`` / ``requirement_for``);
3. a person with only ordinary records is counted directly (public and elective once,
   professional per held series: exactly what the evaluator does for such records); a
   person with any special record is handed to ``credits.rules.evaluate`` over a small
   input built from the aggregated groups, so caps, conversions and whole-year activities
   follow the evaluator exactly;
4. the summaries are upserted in bulk (PostgreSQL: one ``INSERT … SELECT unnest(…) ON
   CONFLICT`` per table; elsewhere ``bulk_create(update_conflicts=True)``) and series rows of
   series the person no longer holds are deleted.

A record the evaluator would refuse for this person (a series or activity of a series the
person does not hold, an unknown kind or activity) counts nothing here and in
``records_to_inputs`` alike, so one bad row never blocks a whole year's validation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from accounts.models import Person, ProfessionalSeries
from credits.models import Record, YearSeriesSummary, YearSummary
from credits.rules import (
    KINDS,
    EvaluationError,
    EvaluationInput,
    EvaluationResult,
    Profile,
    RecordInput,
    RuleBook,
    evaluate,
    requirement_for,
    scheme_for,
)
from credits.selectors import record_input, rulebook_load

ZERO = Decimal(0)
WRITE_BATCH = 2_000  # rows per bulk_create batch (non-PostgreSQL)


def summaries_refresh_later(pairs: Iterable[tuple[int, int]]) -> None:
    """Recompute the (person_id, year) summaries once the current transaction commits."""
    wanted = sorted(set(pairs))
    if not wanted:
        return
    from credits.tasks import summaries_refresh_task

    transaction.on_commit(lambda: summaries_refresh_task.delay([list(p) for p in wanted]))


# --- requirements, once per distinct series set ---------------------------------------------


@dataclass(frozen=True)
class _Requirement:
    """What a series set requires in the year (the evaluator's combination rule)."""

    valid: bool
    public: Decimal = ZERO
    elective: Decimal = ZERO
    elective_allowed: bool = False
    professional: dict[str, Decimal] = field(default_factory=dict)


def _requirement(series: tuple[str, ...], year: int, rules: RuleBook) -> _Requirement:
    """Public and elective once (largest among the schemes), professional per series."""
    if not series or any(s not in rules.known_series for s in series):
        return _Requirement(valid=False)
    profile = Profile()  # no profile facts are stored yet: the defaults apply
    reqs = []
    for code in series:
        scheme = scheme_for(code, year, rules.schemes)
        if scheme is None:
            return _Requirement(valid=False)
        reqs.append(requirement_for(code, scheme, year, profile))
    return _Requirement(
        valid=True,
        public=max(r.public for r in reqs),
        elective=max((r.elective for r in reqs if r.allows_elective), default=ZERO),
        elective_allowed=any(r.allows_elective for r in reqs),
        professional={r.series: r.professional for r in reqs},
    )


# --- record inputs --------------------------------------------------------------------------


def _usable(
    *,
    series: str | None,
    kind: str,
    activity: str,
    held: frozenset[str],
    rules: RuleBook,
) -> bool:
    """Whether the evaluator would accept this record for a person holding ``held``."""
    if series is not None and series not in held:
        return False
    if kind and (kind not in KINDS or activity):
        return False
    if activity:
        conversion = rules.activity(activity)
        if conversion is None or conversion.series not in held:
            return False
    return True


def _hours_inputs(
    category: str,
    series: str | None,
    hours: Decimal,
    rules: RuleBook,
    *,
    kind: str | None = None,
    approved_plan: bool | None = None,
) -> list[RecordInput]:
    """``hours`` as one input, split when it is over the evaluator's per-record maximum."""
    out: list[RecordInput] = []
    cap = rules.max_hours_per_record
    while hours > 0:
        part = min(hours, cap)
        out.append(
            RecordInput(
                category=category,
                series=series,
                kind=kind,
                approved_plan=approved_plan,
                hours=part,
            )
        )
        hours -= part
    return out


def records_to_inputs(
    records: Iterable[Record], *, held: frozenset[str], rules: RuleBook
) -> list[RecordInput]:
    """The evaluator's inputs for a person's records (one per record; unusable ones left out).

    ``records`` need ``series`` loaded (``select_related("series")``).
    """
    inputs: list[RecordInput] = []
    for record in records:
        series = record.series.code if record.series is not None else None
        if not _usable(
            series=series,
            kind=record.kind,
            activity=record.activity_code,
            held=held,
            rules=rules,
        ):
            continue
        if record.activity_code or record.hours <= rules.max_hours_per_record:
            inputs.append(record_input(record))
        else:
            inputs.extend(
                _hours_inputs(
                    record.category,
                    series,
                    record.hours,
                    rules,
                    kind=record.kind or None,
                    approved_plan=record.approved_plan,
                )
            )
    return inputs


# --- the bulk computation -------------------------------------------------------------------


@dataclass
class _Summary:
    person_id: int
    public_required: Decimal = ZERO
    public_earned: Decimal = ZERO
    elective_required: Decimal = ZERO
    elective_earned: Decimal = ZERO
    series_required: dict[int, Decimal] = field(default_factory=dict)
    series_earned: dict[int, Decimal] = field(default_factory=dict)
    compliant: bool = False


@dataclass
class _Ordinary:
    """Ordinary approved hours of one person, per category (professional per series id)."""

    public: list[tuple[int | None, Decimal]] = field(default_factory=list)
    elective: list[tuple[int | None, Decimal]] = field(default_factory=list)
    professional: list[tuple[int, Decimal]] = field(default_factory=list)


def _approved(year: int, person_ids: Sequence[int] | None) -> Q:
    q = Q(year=year, status=Record.Status.APPROVED)
    if person_ids is not None:
        q &= Q(person_id__in=person_ids)
    return q


def _summary_from_result(person_id: int, result: EvaluationResult, ids: dict[str, int]) -> _Summary:
    return _Summary(
        person_id=person_id,
        public_required=result.required.public,
        public_earned=result.earned.public,
        elective_required=result.required.elective,
        elective_earned=result.earned.elective,
        series_required={ids[s]: h for s, h in result.required.professional.items()},
        series_earned={ids[s]: h for s, h in result.earned.professional.items()},
        compliant=result.compliant,
    )


def summaries_compute(
    *, year: int, person_ids: Sequence[int] | None = None, today: date | None = None
) -> list[_Summary]:
    """The year's summaries, computed but not stored (see the module docstring)."""
    today = today if today is not None else timezone.localdate()
    rules = rulebook_load()
    code_of = dict(ProfessionalSeries.objects.values_list("id", "code"))
    id_of = {code: pk for pk, code in code_of.items()}

    # Who is validated, and the series each holds.
    through = Person.series.through
    held_rows = through.objects.all()
    if person_ids is not None:
        held_rows = held_rows.filter(person_id__in=person_ids)
    held_ids: dict[int, list[int]] = {}
    for person_id, series_id in held_rows.values_list("person_id", "professionalseries_id"):
        held_ids.setdefault(person_id, []).append(series_id)
    persons = sorted(set(person_ids) if person_ids is not None else held_ids)

    # 1a. Ordinary approved hours per (person, series), summed per category in SQL.
    ordinary = Q(kind="", activity_code="")
    ordinary_rows = (
        Record.objects.filter(_approved(year, person_ids))
        .order_by()
        .values("person_id", "series_id")
        .annotate(
            public=Sum("hours", filter=ordinary & Q(category=Record.Category.PUBLIC)),
            elective=Sum("hours", filter=ordinary & Q(category=Record.Category.ELECTIVE)),
            professional=Sum("hours", filter=ordinary & Q(category=Record.Category.PROFESSIONAL)),
        )
        .values_list("person_id", "series_id", "public", "elective", "professional")
    )
    hours_of: dict[int, _Ordinary] = {}
    for person_id, series_id, public, elective, professional in ordinary_rows:
        entry = hours_of.get(person_id)
        if entry is None:
            entry = hours_of[person_id] = _Ordinary()
        if public:
            entry.public.append((series_id, public))
        if elective:
            entry.elective.append((series_id, elective))
        if professional and series_id is not None:
            entry.professional.append((series_id, professional))

    # 1b. The few special records, grouped as finely as the evaluator needs them.
    special_rows = (
        Record.objects.filter(_approved(year, person_ids))
        .exclude(ordinary)
        .order_by()
        .values(
            "person_id",
            "category",
            "series_id",
            "kind",
            "approved_plan",
            "activity_code",
            "original_amount",
        )
        .annotate(total=Sum("hours"), n=Count("id"))
        .values_list(
            "person_id",
            "category",
            "series_id",
            "kind",
            "approved_plan",
            "activity_code",
            "original_amount",
            "total",
            "n",
        )
    )
    special_of: dict[int, list[tuple[Any, ...]]] = {}
    for row in special_rows:
        special_of.setdefault(row[0], []).append(row[1:])

    # 2 and 3. Requirements per series set (cached), earned per person.
    requirement_cache: dict[tuple[str, ...], _Requirement] = {}
    summaries: list[_Summary] = []
    for person_id in persons:
        series = tuple(sorted(code_of[s] for s in held_ids.get(person_id, ())))
        req = requirement_cache.get(series)
        if req is None:
            req = requirement_cache[series] = _requirement(series, year, rules)
        if not req.valid:
            summaries.append(_Summary(person_id=person_id))  # nothing valid to check against
            continue
        held = frozenset(series)
        entry = hours_of.get(person_id, _Ordinary())
        specials = special_of.get(person_id)
        if specials:
            summaries.append(
                _evaluate_groups(
                    person_id, year, series, held, entry, specials, rules, today, code_of, id_of
                )
                or _Summary(person_id=person_id)
            )
            continue
        public = sum((h for s, h in entry.public if s is None or code_of[s] in held), ZERO)
        elective = (
            sum((h for s, h in entry.elective if s is None or code_of[s] in held), ZERO)
            if req.elective_allowed
            else ZERO
        )
        earned = dict.fromkeys(req.professional, ZERO)
        for series_id, hours in entry.professional:
            code = code_of[series_id]
            if code in earned:
                earned[code] += hours
        compliant = (
            public >= req.public
            and elective >= req.elective
            and all(earned[s] >= h for s, h in req.professional.items())
        )
        summaries.append(
            _Summary(
                person_id=person_id,
                public_required=req.public,
                public_earned=public,
                elective_required=req.elective,
                elective_earned=elective,
                series_required={id_of[s]: h for s, h in req.professional.items()},
                series_earned={id_of[s]: h for s, h in earned.items()},
                compliant=compliant,
            )
        )
    return summaries


def _evaluate_groups(
    person_id: int,
    year: int,
    series: tuple[str, ...],
    held: frozenset[str],
    entry: _Ordinary,
    specials: list[tuple[Any, ...]],
    rules: RuleBook,
    today: date,
    codes: dict[int, str],
    ids: dict[str, int],
) -> _Summary | None:
    """One evaluator call over the person's aggregated groups (one input per group)."""
    inputs: list[RecordInput] = []
    for category, items in (("public", entry.public), ("elective", entry.elective)):
        for series_id, hours in items:
            code = codes[series_id] if series_id is not None else None
            if code is None or code in held:
                inputs.extend(_hours_inputs(category, code, hours, rules))
    for series_id, hours in entry.professional:
        code = codes[series_id]
        if code in held:
            inputs.extend(_hours_inputs("professional", code, hours, rules))
    for category, series_id, kind, approved_plan, activity, amount, total, n in specials:
        code = codes[series_id] if series_id is not None else None
        if not _usable(series=code, kind=kind, activity=activity, held=held, rules=rules):
            continue
        if activity:
            # Converted per record, as the evaluator rounds each record: one input each.
            inputs.extend(
                RecordInput(category=category, series=code, activity=activity, quantity=amount)
                for _ in range(n)
            )
        else:
            inputs.extend(
                _hours_inputs(
                    category, code, total, rules, kind=kind or None, approved_plan=approved_plan
                )
            )
    try:
        result = evaluate(
            EvaluationInput(year=year, series=series, records=tuple(inputs)), rules, today=today
        )
    except EvaluationError:
        return None
    return _summary_from_result(person_id, result, ids)


# --- storing --------------------------------------------------------------------------------

_SummaryRow = tuple[int, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, bool]
_SUMMARY_FIELDS = (
    "public_required",
    "public_earned",
    "elective_required",
    "elective_earned",
    "professional_required",
    "professional_earned",
    "compliant",
    "computed_at",
)
_FIGURES = _SUMMARY_FIELDS[:-1]  # what decides whether a stored summary changed


def _rows(
    summaries: list[_Summary],
) -> tuple[list[_SummaryRow], list[tuple[int, int, Decimal, Decimal]]]:
    summary_rows: list[_SummaryRow] = []
    series_rows: list[tuple[int, int, Decimal, Decimal]] = []
    for s in summaries:
        summary_rows.append(
            (
                s.person_id,
                s.public_required,
                s.public_earned,
                s.elective_required,
                s.elective_earned,
                sum(s.series_required.values(), ZERO),
                sum(s.series_earned.values(), ZERO),
                s.compliant,
            )
        )
        for series_id, required in s.series_required.items():
            series_rows.append(
                (s.person_id, series_id, required, s.series_earned.get(series_id, ZERO))
            )
    return summary_rows, series_rows


def _store_postgresql(
    year: int,
    summary_rows: list[_SummaryRow],
    series_rows: list[tuple[int, int, Decimal, Decimal]],
) -> None:
    """Two ``INSERT … SELECT FROM unnest(arrays) ON CONFLICT`` statements: one round trip per
    table whatever the number of persons. A row whose figures did not change is not written
    (no dead tuple, no index update), so a re-run over unchanged records is mostly reads and
    ``computed_at`` tells when the figures last changed."""
    summary_table = YearSummary._meta.db_table
    series_table = YearSeriesSummary._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        if summary_rows:
            columns = list(zip(*summary_rows, strict=True))
            cursor.execute(
                f"""
                INSERT INTO {summary_table} (person_id, year, {", ".join(_SUMMARY_FIELDS)})
                SELECT p, %s, pr, pe, er, ee, fr, fe, ok, %s
                FROM unnest(%s::integer[], %s::numeric[], %s::numeric[], %s::numeric[],
                            %s::numeric[], %s::numeric[], %s::numeric[], %s::boolean[])
                     AS t(p, pr, pe, er, ee, fr, fe, ok)
                ON CONFLICT (person_id, year) DO UPDATE SET
                {", ".join(f"{f} = EXCLUDED.{f}" for f in _SUMMARY_FIELDS)}
                WHERE ({", ".join(f"{summary_table}.{f}" for f in _FIGURES)})
                    IS DISTINCT FROM ({", ".join(f"EXCLUDED.{f}" for f in _FIGURES)})
                """,  # noqa: S608 - table and column names are ours, values are parameters
                [year, now, *(list(c) for c in columns)],
            )
        if series_rows:
            columns = list(zip(*series_rows, strict=True))
            cursor.execute(
                f"""
                INSERT INTO {series_table} (person_id, series_id, year, required, earned)
                SELECT p, s, %s, r, e
                FROM unnest(%s::integer[], %s::integer[], %s::numeric[], %s::numeric[])
                     AS t(p, s, r, e)
                ON CONFLICT (person_id, year, series_id) DO UPDATE SET
                required = EXCLUDED.required, earned = EXCLUDED.earned
                WHERE ({series_table}.required, {series_table}.earned)
                    IS DISTINCT FROM (EXCLUDED.required, EXCLUDED.earned)
                """,  # noqa: S608 - table and column names are ours, values are parameters
                [year, *(list(c) for c in columns)],
            )


def _store_portable(
    year: int,
    summary_rows: list[_SummaryRow],
    series_rows: list[tuple[int, int, Decimal, Decimal]],
) -> None:
    now = timezone.now()
    YearSummary.objects.bulk_create(
        (
            YearSummary(
                person_id=row[0],
                year=year,
                public_required=row[1],
                public_earned=row[2],
                elective_required=row[3],
                elective_earned=row[4],
                professional_required=row[5],
                professional_earned=row[6],
                compliant=row[7],
                computed_at=now,
            )
            for row in summary_rows
        ),
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["person", "year"],
        update_fields=list(_SUMMARY_FIELDS),
    )
    YearSeriesSummary.objects.bulk_create(
        (
            YearSeriesSummary(
                person_id=person_id, series_id=series_id, year=year, required=r, earned=e
            )
            for person_id, series_id, r, e in series_rows
        ),
        batch_size=WRITE_BATCH,
        update_conflicts=True,
        unique_fields=["person", "year", "series"],
        update_fields=["required", "earned"],
    )


def _delete_stale(year: int, person_ids: Sequence[int] | None) -> None:
    """Series rows of series the person no longer holds (a person holding none: all)."""
    through = Person.series.through
    stale = YearSeriesSummary.objects.filter(year=year).exclude(
        Exists(
            through.objects.filter(
                person_id=OuterRef("person_id"), professionalseries_id=OuterRef("series_id")
            )
        )
    )
    if person_ids is not None:
        stale = stale.filter(person_id__in=person_ids)
    stale.delete()


# --- the whole year on PostgreSQL: set-based SQL for the ordinary persons ---------------------


_HELD_SQL = """
CREATE TEMP TABLE validation_held ON COMMIT DROP AS
SELECT person_id, array_agg(professionalseries_id ORDER BY professionalseries_id) AS key
FROM accounts_person_series
WHERE person_id NOT IN (SELECT person_id FROM validation_agg WHERE special)
GROUP BY person_id
"""

# The one pass over the year's records; `special` marks groups with a record of a special kind.
_AGG_SQL = """
CREATE TEMP TABLE validation_agg ON COMMIT DROP AS
SELECT r.person_id, r.category, r.series_id, SUM(r.hours) AS hours,
       bool_or(r.kind <> '' OR r.activity_code <> '') AS special
FROM credits_record r
WHERE r.year = %s AND r.status = 'approved'
GROUP BY r.person_id, r.category, r.series_id
"""

_REQ_SQL = """
CREATE TEMP TABLE validation_req ON COMMIT DROP AS
SELECT * FROM unnest(%s::text[], %s::boolean[], %s::numeric[], %s::numeric[], %s::boolean[])
    AS t(key, valid, public, elective, elective_allowed);
CREATE TEMP TABLE validation_req_series ON COMMIT DROP AS
SELECT * FROM unnest(%s::text[], %s::integer[], %s::numeric[]) AS t(key, series_id, required);
"""

# Writes: the new figures go to a temp table, then one MERGE per table updates only the rows
# whose figures changed and inserts the missing ones (an INSERT … ON CONFLICT DO UPDATE would
# lock every existing row, changed or not). A concurrent whole-year run can fail on the unique
# constraint and is simply run again; per-person refreshes use ON CONFLICT (`_store_postgresql`).
_SERIES_NEW_SQL = """
CREATE TEMP TABLE validation_series_new ON COMMIT DROP AS
SELECT h.person_id, q.series_id, q.required, COALESCE(a.hours, 0) AS earned
FROM validation_held h
JOIN validation_req_series q ON q.key = h.key::text
LEFT JOIN validation_agg a
    ON a.person_id = h.person_id AND a.category = 'professional' AND a.series_id = q.series_id
"""

_SERIES_WRITE_SQL = """
MERGE INTO credits_yearseriessummary t
USING validation_series_new n
ON t.year = %(year)s AND t.person_id = n.person_id AND t.series_id = n.series_id
WHEN MATCHED AND (t.required, t.earned) IS DISTINCT FROM (n.required, n.earned) THEN
    UPDATE SET required = n.required, earned = n.earned
WHEN NOT MATCHED THEN
    INSERT (person_id, series_id, year, required, earned)
    VALUES (n.person_id, n.series_id, %(year)s, n.required, n.earned)
"""

_SUMMARY_NEW_SQL = """
CREATE TEMP TABLE validation_summary_new ON COMMIT DROP AS
SELECT h.person_id, s.public AS public_required, COALESCE(t.public, 0) AS public_earned,
    s.elective AS elective_required,
    CASE WHEN s.elective_allowed THEN COALESCE(t.elective, 0) ELSE 0 END AS elective_earned,
    COALESCE(p.required, 0) AS professional_required,
    COALESCE(p.earned, 0) AS professional_earned,
    s.valid AND COALESCE(t.public, 0) >= s.public
        AND (CASE WHEN s.elective_allowed THEN COALESCE(t.elective, 0) ELSE 0 END) >= s.elective
        AND COALESCE(p.all_met, true) AS compliant
FROM validation_held h
JOIN validation_req s ON s.key = h.key::text
LEFT JOIN (
    SELECT a.person_id,
        SUM(a.hours) FILTER (WHERE a.category = 'public') AS public,
        SUM(a.hours) FILTER (WHERE a.category = 'elective') AS elective
    FROM validation_agg a JOIN validation_held h2 ON h2.person_id = a.person_id
    WHERE a.category IN ('public', 'elective')
        AND (a.series_id IS NULL OR a.series_id = ANY(h2.key))
    GROUP BY a.person_id
) t ON t.person_id = h.person_id
LEFT JOIN (
    SELECT person_id, SUM(required) AS required, SUM(earned) AS earned,
        bool_and(earned >= required) AS all_met
    FROM validation_series_new
    GROUP BY person_id
) p ON p.person_id = h.person_id
"""

_SUMMARY_WRITE_SQL = """
MERGE INTO credits_yearsummary t
USING validation_summary_new n
ON t.year = %(year)s AND t.person_id = n.person_id
WHEN MATCHED AND (t.public_required, t.public_earned, t.elective_required, t.elective_earned,
        t.professional_required, t.professional_earned, t.compliant)
    IS DISTINCT FROM (n.public_required, n.public_earned, n.elective_required,
        n.elective_earned, n.professional_required, n.professional_earned, n.compliant) THEN
    UPDATE SET public_required = n.public_required, public_earned = n.public_earned,
        elective_required = n.elective_required, elective_earned = n.elective_earned,
        professional_required = n.professional_required,
        professional_earned = n.professional_earned, compliant = n.compliant,
        computed_at = %(now)s
WHEN NOT MATCHED THEN
    INSERT (person_id, year, public_required, public_earned, elective_required, elective_earned,
        professional_required, professional_earned, compliant, computed_at)
    VALUES (n.person_id, %(year)s, n.public_required, n.public_earned, n.elective_required,
        n.elective_earned, n.professional_required, n.professional_earned, n.compliant, %(now)s)
"""


def _refresh_whole_year_postgresql(*, year: int, today: date | None) -> int:
    """Every person's year in a handful of statements, whatever the number of persons.

    Persons with a record of a special kind (degree study, in-house training, accounting
    activity) go through ``summaries_compute`` (the evaluator over their grouped records);
    everyone else is computed in SQL from one aggregation of the year's approved records,
    joined to the requirement of each distinct series set, worked out once per set in Python
    by the rules engine. Both give the evaluator's figures (tests compare them).
    """
    rules = rulebook_load()
    code_of = dict(ProfessionalSeries.objects.values_list("id", "code"))
    with connection.cursor() as cursor:
        cursor.execute(_AGG_SQL, [year])
        cursor.execute("SELECT DISTINCT person_id FROM validation_agg WHERE special")
        special = [row[0] for row in cursor.fetchall()]
        cursor.execute(_HELD_SQL)
        cursor.execute("SELECT DISTINCT key FROM validation_held")
        keys = [list(row[0]) for row in cursor.fetchall()]
        req_rows: list[tuple[str, bool, Decimal, Decimal, bool]] = []
        series_rows: list[tuple[str, int, Decimal]] = []
        id_of = {code: pk for pk, code in code_of.items()}
        for key in keys:
            text_key = "{" + ",".join(str(k) for k in key) + "}"
            req = _requirement(tuple(sorted(code_of[k] for k in key)), year, rules)
            req_rows.append((text_key, req.valid, req.public, req.elective, req.elective_allowed))
            series_rows.extend((text_key, id_of[c], h) for c, h in req.professional.items())
        req_columns = [list(c) for c in zip(*req_rows, strict=True)] or [[], [], [], [], []]
        series_columns = [list(c) for c in zip(*series_rows, strict=True)] or [[], [], []]
        cursor.execute(_REQ_SQL, [*req_columns, *series_columns])
        cursor.execute("ANALYZE validation_held; ANALYZE validation_agg")
        params: dict[str, Any] = {"year": year, "now": timezone.now()}
        cursor.execute(_SERIES_NEW_SQL)
        cursor.execute("ANALYZE validation_series_new")
        cursor.execute(_SERIES_WRITE_SQL, params)
        cursor.execute(_SUMMARY_NEW_SQL)
        cursor.execute("ANALYZE validation_summary_new")
        cursor.execute(_SUMMARY_WRITE_SQL, params)
        cursor.execute("SELECT count(*) FROM validation_held")
        counted = int(cursor.fetchone()[0])
        cursor.execute(
            "DROP TABLE validation_held, validation_agg, validation_req, validation_req_series, "
            "validation_series_new, validation_summary_new"
        )
    if special:
        summaries = summaries_compute(year=year, person_ids=special, today=today)
        summary_rows, series_summary_rows = _rows(summaries)
        _store_postgresql(year, summary_rows, series_summary_rows)
    _delete_stale(year, None)
    return counted + len(special)


@transaction.atomic
def summaries_refresh(
    *, year: int, person_ids: Sequence[int] | None = None, today: date | None = None
) -> int:
    """Recompute the year's summaries of ``person_ids`` (when ``None``: every person holding
    at least one series); returns how many summaries were written.

    Idempotent (it recomputes from the records), with a constant number of queries whatever
    the number of persons.
    """
    if person_ids is not None:
        person_ids = sorted(set(person_ids))
        if not person_ids:
            return 0
    elif connection.vendor == "postgresql":
        return _refresh_whole_year_postgresql(year=year, today=today)
    summaries = summaries_compute(year=year, person_ids=person_ids, today=today)
    summary_rows, series_rows = _rows(summaries)
    if connection.vendor == "postgresql":
        _store_postgresql(year, summary_rows, series_rows)
    else:
        _store_portable(year, summary_rows, series_rows)
    _delete_stale(year, person_ids)
    return len(summary_rows)


def summary_refresh_one(*, person_id: int, year: int) -> YearSummary | None:
    """Recompute one person-year now (the "recount" button) and return the stored row."""
    summaries_refresh(year=year, person_ids=[person_id])
    return YearSummary.objects.filter(person_id=person_id, year=year).first()


def year_explanation(*, person: Person, year: int, today: date | None = None) -> EvaluationResult:
    """The evaluator over the person's approved records of the year, one input per record.

    Raises ``EvaluationError`` when the person holds no (valid) series.
    """
    rules = rulebook_load()
    series = tuple(sorted(person.series.values_list("code", flat=True)))
    records = (
        Record.objects.filter(person=person, year=year, status=Record.Status.APPROVED)
        .select_related("series")
        .order_by("start_date", "pk")
    )
    inputs = records_to_inputs(records, held=frozenset(series), rules=rules)
    return evaluate(
        EvaluationInput(year=year, series=series, records=tuple(inputs)),
        rules,
        today=today if today is not None else timezone.localdate(),
    )
