"""The whole year on PostgreSQL: set-based SQL for every person without an accounting activity.

A per-person refresh runs the same statements restricted to its persons
(``person_id = ANY(%s)`` in the aggregation and the held series).

One aggregation of the year's approved records per (person, category, series), joined to the
requirement of each distinct series set (worked out once per set in Python by the rules
engine's own functions). Degree study (elective, capped a year) and in-house training
(elective without an approved plan) are counted here too; persons with an accounting
activity (its conditions and conversions are the evaluator's) or a record of an unknown kind
go through the evaluator (``compute``). A year's professional
general-knowledge (通识) minimum applies here by the region of the person's employer: a series
is met when its hours reach the requirement and its general-knowledge hours the minimum.
Both give the evaluator's figures: ``credits/tests/test_validation_property.py`` draws
persons, profiles, employers' regions and records at random and compares. Persons with
confirmed profile facts (``credits.selectors.records.person_profiles``) get a requirement key
of their own: their series set and their profile, the requirement worked out once per
distinct pair.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.db import connection

from accounts.api import ProfessionalSeries, Region
from credits.rules import KIND_DEGREE_STUDY, KIND_INHOUSE_TRAINING, Profile, RuleBook
from credits.selectors.records import person_profiles, rulebook_load
from credits.services.validation.compute import requirement, summaries_compute
from credits.services.validation.store import delete_gone, merge_new_figures, store_summaries

# Memory for each sort and hash of the run (the default 4 MB spills the year's aggregation
# and the per-person totals to disk); SET LOCAL: only this transaction.
WORK_MEM = "64MB"

# The persons with a record of a kind other than ordinary, from the partial index
# ``credits_rec_special`` (the predicate is the index's own).
_SPECIAL_SQL = """
SELECT DISTINCT person_id FROM credits_record r
WHERE year = %s AND status = 'approved' AND {special}
    {persons}
"""

# The one pass over the year's records, as lean as the floor it is measured against: one row
# per (person, series) — the series is NULL for public and elective records declared without
# one — with each category's hours apart and the professional general-knowledge (通识) hours.
# Hours are summed
# as whole tenths of an hour in integers (``credits_record.hours_tenths``, a stored generated
# column: every figure has one decimal place, ``numeric(6,1)``; each group's sum is cast back
# to ``int``, which a group would need over 200 million hours to overflow): a numeric sum's
# state is many times larger than an integer's (the year's ~300,000 numeric states spilled the
# hash to disk), and converting a million numerics each run cost a quarter of the pass.
# ``degree`` and ``moved`` are filled by ``_KINDS_SQL`` for the persons of ``_SPECIAL_SQL``.
_TENTHS = "r.hours_tenths"
_AGG_SQL = f"""
CREATE TEMP TABLE validation_agg ON COMMIT DROP AS
SELECT r.person_id, r.series_id,
       (SUM({_TENTHS}) FILTER (WHERE r.category = 'public'))::int AS public,
       (SUM({_TENTHS}) FILTER (WHERE r.category = 'elective'))::int AS elective,
       (SUM({_TENTHS}) FILTER (WHERE r.category = 'professional'))::int AS professional,
       (SUM({_TENTHS}) FILTER (WHERE r.category = 'professional' AND r.general_knowledge))::int
           AS general,
       NULL::int AS degree, NULL::int AS moved, false AS special
FROM credits_record r
WHERE r.year = %s AND r.status = 'approved' {{persons}}
GROUP BY r.person_id, r.series_id
"""  # noqa: S608 - only our own SQL text is formatted in

# The groups of the persons with a record of a kind other than ordinary, corrected by those
# records alone (``_SPECIAL_PREDICATE``: the partial index ``credits_rec_special`` holds just
# them, about 2 % of a year): the first pass counted every record by its category; here the
# records that are not ordinary (ordinary: no kind, or in-house training with an approved
# plan) are taken back out of each category's and the general-knowledge hours, and counted
# apart as ``degree`` (degree study) and ``moved`` (in-house training without an approved
# plan), which count as elective wherever declared, degree study at most the rule's cap a
# year (the evaluator caps a running total in record order, which for positive hours is the
# capped sum). ``special`` now marks the groups this SQL leaves to the evaluator (accounting
# activities, unknown kinds; degree study too when the rule excludes series). Every such
# record is in a group of the first pass (same year, status and person), found by person
# and series (series ids are positive: 0 stands for none, so the join can be hashed).
_SPECIAL_PREDICATE = "(NOT (r.kind = '') OR NOT (r.activity_code = ''))"
_ORDINARY = "(r.kind = '' OR (r.kind = 'inhouse_training' AND r.approved_plan))"
_NOT_ORDINARY = f"{_ORDINARY} IS NOT TRUE"
_KINDS_SQL = f"""
UPDATE validation_agg a SET
    public = a.public - COALESCE(d.public, 0),
    elective = a.elective - COALESCE(d.elective, 0),
    professional = a.professional - COALESCE(d.professional, 0),
    general = a.general - COALESCE(d.general, 0),
    degree = d.degree, moved = d.moved, special = d.special
FROM (
    SELECT r.person_id, COALESCE(r.series_id, 0) AS series_key,
        (SUM({_TENTHS}) FILTER (WHERE r.category = 'public' AND {_NOT_ORDINARY}))::int AS public,
        (SUM({_TENTHS}) FILTER (WHERE r.category = 'elective' AND {_NOT_ORDINARY}))::int
            AS elective,
        (SUM({_TENTHS}) FILTER (WHERE r.category = 'professional' AND {_NOT_ORDINARY}))::int
            AS professional,
        (SUM({_TENTHS}) FILTER (
            WHERE r.category = 'professional' AND r.general_knowledge AND {_NOT_ORDINARY}))::int
            AS general,
        (SUM({_TENTHS}) FILTER (WHERE r.kind = 'degree_study'))::int AS degree,
        (SUM({_TENTHS}) FILTER (
            WHERE r.kind = 'inhouse_training' AND r.approved_plan IS NOT TRUE))::int AS moved,
        bool_or(r.activity_code <> '' OR r.kind <> ALL(%(kinds)s)) AS special
    FROM credits_record r
    WHERE r.year = %(year)s AND r.status = 'approved' AND {_SPECIAL_PREDICATE}
        AND r.person_id = ANY(%(persons)s::bigint[])
    GROUP BY r.person_id, r.series_id
) d
WHERE a.person_id = d.person_id AND COALESCE(a.series_id, 0) = d.series_key
RETURNING a.person_id, a.special
"""  # noqa: S608 - only our own SQL text is formatted in

# Each person's series set (``key``: the series ids, comma-separated) and requirement key
# (``rkey``): the set, and the profile key of a person with confirmed profile facts
# (``validation_profile``), as text. The ids come in index order (the unique (person, series)
# index); the order only decides how many distinct keys there are, not a requirement: Python
# reads each key back as a set. Beside it, the person's group of records declared without a
# series (``n_``: at most one per person), carried along for the person's totals.
_HELD_SQL = """
CREATE TEMP TABLE validation_held ON COMMIT DROP AS
SELECT s.person_id, s.key {profile_key} AS rkey, n.public AS n_public,
    COALESCE(n.elective, 0) + COALESCE(n.moved, 0) AS n_elective, n.degree AS n_degree
FROM (
    SELECT person_id, string_agg(professionalseries_id::text, ',') AS key
    FROM (
        SELECT person_id, professionalseries_id FROM accounts_person_series
        WHERE person_id <> ALL(%s::bigint[]) {persons}
        ORDER BY person_id, professionalseries_id
    ) ps
    GROUP BY person_id
) s {profile_join}
LEFT JOIN validation_agg n ON n.person_id = s.person_id AND n.series_id IS NULL
"""
_PROFILE_SQL = """
CREATE TEMP TABLE validation_profile ON COMMIT DROP AS
SELECT * FROM unnest(%s::bigint[], %s::text[]) AS t(person_id, pkey)
"""
_PROFILE_KEY = "|| COALESCE('|' || p.pkey, '')"
_PROFILE_JOIN = "LEFT JOIN validation_profile p ON p.person_id = s.person_id"

# The professional general-knowledge (通识) minimum of each person and series: by the region
# of the person's confirmed employer (属地管理), the rule of the most specific region worked out
# in Python per employer region (``RuleBook.general_knowledge_for``); the last binding wins,
# as in ``credits.selectors.records.person_regions``. Only for the series a person holds (the
# only ones ``validation_series_new`` looks up): read from the holders of a series with a
# rule, not from every employment (a fifth of the rows in the bench, where every region has
# a minimum for accounting).
_GENERAL_SQL = """
CREATE TEMP TABLE validation_gk ON COMMIT DROP AS
SELECT DISTINCT ON (e.person_id, g.series_id) e.person_id, g.series_id, g.minimum_t
FROM accounts_person_series ps
JOIN accounts_employment e ON e.person_id = ps.person_id
JOIN accounts_organisation o ON o.id = e.employer_id
JOIN unnest(%s::bigint[], %s::bigint[], %s::integer[]) AS g(region_id, series_id, minimum_t)
    ON g.region_id = o.region_id AND g.series_id = ps.professionalseries_id
WHERE e.status = 'confirmed' AND ps.professionalseries_id = ANY(%s::bigint[]) {persons}
ORDER BY e.person_id, g.series_id, e.id DESC
"""

_REQ_SQL = """
CREATE TEMP TABLE validation_req ON COMMIT DROP AS
SELECT * FROM unnest(%s::text[], %s::boolean[], %s::numeric[], %s::numeric[], %s::boolean[],
    %s::numeric[], %s::integer[], %s::integer[], %s::integer[])
    AS t(key, valid, public, elective, elective_allowed, professional, public_t, elective_t,
        nseries);
CREATE TEMP TABLE validation_req_series ON COMMIT DROP AS
SELECT * FROM unnest(%s::text[], %s::integer[], %s::numeric[], %s::integer[], %s::boolean[])
    AS t(key, series_id, required, required_t, single);
"""

# One row per person and series the requirement names (for a valid series set: every series
# held; ``single``: the only one): the requirement, the professional hours earned in tenths
# (``earned``), whether the series is met (hours and general-knowledge minimum), and, carried
# along for the person's totals, the public, elective (with ``moved``) and degree-study
# tenths declared under that held series (public and elective hours count only under a
# series the person holds or none).
_SERIES_NEW_SQL = """
CREATE TEMP TABLE validation_series_new ON COMMIT DROP AS
SELECT h.person_id, q.series_id, q.required, COALESCE(a.professional, 0) AS earned,
    COALESCE(a.professional, 0) >= q.required_t
        AND (q.required = 0 OR g.minimum_t IS NULL OR COALESCE(a.general, 0) >= g.minimum_t)
        AS met,
    a.public, COALESCE(a.elective, 0) + COALESCE(a.moved, 0) AS elective, a.degree, q.single,
    h.rkey, h.n_public, h.n_elective, h.n_degree
FROM validation_held h
JOIN validation_req_series q ON q.key = h.rkey
LEFT JOIN validation_agg a ON a.person_id = h.person_id AND a.series_id = q.series_id
LEFT JOIN validation_gk g ON g.person_id = h.person_id AND g.series_id = q.series_id
"""

# Every person's new summary (``c``: persons holding a series) beside what is stored
# (``b``: the year's stored summaries, or each listed person with theirs if any), one FULL
# JOIN: a person of ``c`` is kept when a figure differs from the stored summary (none stored:
# NULL figures, which always differ; the MERGE then touches only those; in a yearly re-run,
# usually none); a person of ``b`` alone holds no series now (or is left to the evaluator,
# ``%(evaluator)s``) and gets the all zero summary the evaluator path gives (``zero``; kept
# whether changed or not, to be counted: the MERGE skips an unchanged one). A person's
# totals (``u``): the group of records declared without a series (``n_``, carried from
# ``validation_held``) and the person's rows of `validation_series_new` (professional hours,
# whether every series is met, and the public, elective and degree-study hours declared under
# a held series): the row itself for a person holding one series, the rows summed for a
# person holding several, and for a requirement key without series rows (a series set that
# is not valid: everything earned is zero) the person's ``validation_held`` row. Sums are in
# tenths (integers) until the end; the professional requirement is the requirement key's.
# Degree study is capped (the rule's cap) and, like all elective hours, counts only where a
# scheme allows elective.
_ELECTIVE = (
    "(u.n_elective + COALESCE(u.elective, 0)"
    " + LEAST(COALESCE(u.n_degree, 0) + COALESCE(u.degree, 0), %(cap_t)s))"
)
_PUBLIC = "(COALESCE(u.n_public, 0) + COALESCE(u.public, 0))"
_FIGURES = (
    "public_required, public_earned, elective_required, elective_earned,"
    " professional_required, professional_earned, compliant"
)
_SUMMARY_NEW_SQL = f"""
CREATE TEMP TABLE validation_summary_new ON COMMIT DROP AS
SELECT COALESCE(c.person_id, b.person_id) AS person_id,
    COALESCE(c.public_required, 0) AS public_required,
    COALESCE(c.public_earned, 0) AS public_earned,
    COALESCE(c.elective_required, 0) AS elective_required,
    COALESCE(c.elective_earned, 0) AS elective_earned,
    COALESCE(c.professional_required, 0) AS professional_required,
    COALESCE(c.professional_earned, 0) AS professional_earned,
    COALESCE(c.compliant, false) AS compliant,
    c.person_id IS NULL AS zero
FROM (
    SELECT u.person_id, s.public AS public_required,
        CASE WHEN s.valid THEN {_PUBLIC} * 0.1 ELSE 0 END AS public_earned,
        s.elective AS elective_required,
        CASE WHEN s.valid AND s.elective_allowed THEN {_ELECTIVE} * 0.1 ELSE 0 END
            AS elective_earned,
        s.professional AS professional_required,
        COALESCE(u.earned, 0) * 0.1 AS professional_earned,
        s.valid AND {_PUBLIC} >= s.public_t
            AND (CASE WHEN s.elective_allowed THEN {_ELECTIVE} ELSE 0 END) >= s.elective_t
            AND COALESCE(u.all_met, true) AS compliant
    FROM (
        SELECT person_id, rkey, n_public, n_elective, n_degree, public, elective, degree,
            earned, met AS all_met
        FROM validation_series_new
        WHERE single
        UNION ALL
        SELECT person_id, min(rkey), min(n_public), min(n_elective), min(n_degree),
            SUM(public), SUM(elective), SUM(degree), SUM(earned), bool_and(met)
        FROM validation_series_new
        WHERE NOT single
        GROUP BY person_id
        UNION ALL
        SELECT h.person_id, h.rkey, h.n_public, h.n_elective, h.n_degree,
            NULL, NULL, NULL, NULL, NULL
        FROM validation_held h
        JOIN validation_req r ON r.key = h.rkey AND r.nseries = 0
    ) u
    JOIN validation_req s ON s.key = u.rkey
) c
FULL JOIN ({{stored}}) b ON b.person_id = c.person_id
WHERE CASE WHEN c.person_id IS NULL THEN b.person_id <> ALL(%(evaluator)s::bigint[])
    ELSE (b.public_required, b.public_earned, b.elective_required, b.elective_earned,
            b.professional_required, b.professional_earned, b.compliant)
        IS DISTINCT FROM (c.public_required, c.public_earned, c.elective_required,
            c.elective_earned, c.professional_required, c.professional_earned, c.compliant)
    END
"""  # noqa: S608 - only our own SQL text is formatted in
# What is stored: the whole year's summaries, or every listed person with theirs if any (a
# listed person holding no series gets the zero summary even without one, as the evaluator
# path gives them).
_STORED_YEAR = f"""
    SELECT person_id, {_FIGURES}
    FROM credits_yearsummary WHERE year = %(year)s
"""  # noqa: S608 - only our own SQL text is formatted in
_STORED_LISTED = """
    SELECT i.person_id, y.public_required,
        y.public_earned, y.elective_required, y.elective_earned, y.professional_required,
        y.professional_earned, y.compliant
    FROM unnest(%(ids)s::bigint[]) AS i(person_id)
    LEFT JOIN credits_yearsummary y ON y.year = %(year)s AND y.person_id = i.person_id
"""

# After a first fill, the series rows that changed (new ones and those gone compare with
# NULLs, which always differ; ``gone``: stored but not computed), one
# FULL JOIN of the computed series rows with the stored ones of the year (or of the listed
# persons), instead of a MERGE reading every computed row and a search for stale rows
# reading every stored one. A stored row without a computed one is a series no longer held,
# a person left to the evaluator, or a held series of a series set that is not valid; the
# stale DELETE (``store.delete_gone``) removes those no longer held, as ``delete_stale`` does.
_SERIES_CHANGE_SQL = """
CREATE TEMP TABLE validation_series_change ON COMMIT DROP AS
SELECT COALESCE(n.person_id, t.person_id) AS person_id,
    COALESCE(n.series_id, t.series_id) AS series_id,
    n.required, n.earned * 0.1 AS earned, n.person_id IS NULL AS gone
FROM validation_series_new n
FULL JOIN (
    SELECT person_id, series_id, required, earned FROM credits_yearseriessummary
    WHERE year = %(year)s {persons}
) t ON t.person_id = n.person_id AND t.series_id = n.series_id
WHERE (t.required, t.earned) IS DISTINCT FROM (n.required, n.earned * 0.1)
"""


def profile_key(profile: Profile) -> str:
    """A canonical text key of a profile (equal profiles, equal keys)."""
    return (
        f"{profile.accounting_start_year or ''},{profile.archives_new_post_year or ''},"
        f"{'' if profile.archives_degree is None else int(profile.archives_degree)}"
    )


def tenths_up(hours: Decimal) -> int:
    """``hours`` in whole tenths, rounded up: for whole tenths ``t``, ``t >= tenths_up(h)``
    exactly when ``t / 10 >= h`` (a requirement with more decimal places stays exact)."""
    return math.ceil(hours * 10)


def _general_minimums(
    year: int, rules: RuleBook, id_of: dict[str, int]
) -> tuple[list[int], list[int], list[int]]:
    """(region ids, series ids, minimums) of the year's general-knowledge minimums, one row
    per region and series a rule applies to, the most specific region's rule for each region
    (district, city, province: the codes ``credits.selectors.records.person_regions`` gives),
    the minimums in tenths rounded up (``tenths_up``).
    Nothing when the year sets no minimum (no query)."""
    rows = [r for r in rules.general_knowledge if r.year == year and r.series in id_of]
    columns: tuple[list[int], list[int], list[int]] = ([], [], [])
    if not rows:
        return columns
    regions = Region.objects.values_list("pk", "code", "parent__code", "parent__parent__code")
    for region_id, *codes in regions:
        chain = tuple(code for code in codes if code)
        for series in sorted({r.series for r in rows}):
            rule = rules.general_knowledge_for(series, year, chain)
            if rule is not None:
                columns[0].append(region_id)
                columns[1].append(id_of[series])
                columns[2].append(tenths_up(rule.minimum))
    return columns


def _sql_kinds(rules: RuleBook) -> list[str]:
    """The record kinds the set-based SQL counts itself (the others go to the evaluator):
    ordinary, in-house training, and degree study unless the rule excludes series (the
    exclusion depends on the record's series and every series held; none is seeded)."""
    kinds = ["", KIND_INHOUSE_TRAINING]
    if not rules.degree_study.excluded_series:
        kinds.append(KIND_DEGREE_STUDY)
    return kinds


def refresh_whole_year_postgresql(
    *, year: int, today: date | None, person_ids: Sequence[int] | None = None
) -> int:
    """Every person's year (or only ``person_ids``'s: the same statements restricted to
    them) in a handful of statements, whatever the number of persons; returns how many
    summaries were computed."""
    rules = rulebook_load()
    listed = person_ids is not None
    restrict = "AND person_id = ANY(%s)" if listed else ""
    ids = [list(person_ids)] if person_ids is not None else []
    code_of = dict(ProfessionalSeries.objects.values_list("id", "code"))
    id_of = {code: pk for pk, code in code_of.items()}
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        # The temp tables' statistics (ANALYZE below) need only row counts and rough
        # distributions for the planner's joins: a small sample is enough.
        cursor.execute("SET LOCAL default_statistics_target = 10")
        # One process: on the two shared cores the parallel plan of the first pass cost more
        # wall time than it saved (and the floor runs without workers too).
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(
            _SPECIAL_SQL.format(special=_SPECIAL_PREDICATE, persons=restrict), [year, *ids]
        )
        special = sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            _AGG_SQL.format(persons=restrict.replace("person_id", "r.person_id")), [year, *ids]
        )
        if special:
            cursor.execute(
                _KINDS_SQL, {"persons": special, "kinds": _sql_kinds(rules), "year": year}
            )
            special = sorted({person_id for person_id, evaluator in cursor.fetchall() if evaluator})
        minimums = _general_minimums(year, rules, id_of)
        cursor.execute(
            _GENERAL_SQL.format(persons=restrict.replace("person_id", "ps.person_id")),
            [*minimums, sorted(set(minimums[1])), *ids],
        )
        # Persons with confirmed profile facts get their own requirement key.
        profiles = {
            pk: p
            for pk, p in person_profiles(
                list(person_ids) if person_ids is not None else None
            ).items()
            if p != Profile()
        }
        by_key = {profile_key(p): p for p in profiles.values()}
        if profiles:
            cursor.execute(
                _PROFILE_SQL,
                [list(profiles), [profile_key(p) for p in profiles.values()]],
            )
        cursor.execute(
            _HELD_SQL.format(
                persons=restrict,
                profile_key=_PROFILE_KEY if profiles else "",
                profile_join=_PROFILE_JOIN if profiles else "",
            ),
            [special, *ids],
        )
        held = cursor.rowcount  # each held person gets one summary row
        cursor.execute("SELECT DISTINCT rkey FROM validation_held")
        keys = [
            ([int(pk) for pk in row[0].partition("|")[0].split(",")], row[0])
            for row in cursor.fetchall()
        ]
        req_rows: list[tuple[str, bool, Decimal, Decimal, bool, Decimal, int, int, int]] = []
        series_rows: list[tuple[str, int, Decimal, int, bool]] = []
        for key, text_key in keys:
            _set, _bar, pkey = text_key.partition("|")
            req = requirement(tuple(sorted(code_of[k] for k in key)), year, rules, by_key.get(pkey))
            req_rows.append(
                (
                    text_key,
                    req.valid,
                    req.public,
                    req.elective,
                    req.elective_allowed,
                    sum(req.professional.values(), Decimal(0)),
                    tenths_up(req.public),
                    tenths_up(req.elective),
                    len(req.professional),
                )
            )
            series_rows.extend(
                (text_key, id_of[c], h, tenths_up(h), len(req.professional) == 1)
                for c, h in req.professional.items()
            )
        req_columns = [list(c) for c in zip(*req_rows, strict=True)] or [[]] * 9
        series_columns = [list(c) for c in zip(*series_rows, strict=True)] or [[]] * 5
        cursor.execute(_REQ_SQL, [*req_columns, *series_columns])
        cursor.execute(
            "ANALYZE validation_held; ANALYZE validation_agg; ANALYZE validation_req;"
            " ANALYZE validation_req_series"
        )
        cursor.execute(_SERIES_NEW_SQL)
        cursor.execute("ANALYZE validation_series_new")
        cursor.execute(
            _SUMMARY_NEW_SQL.format(stored=_STORED_LISTED if listed else _STORED_YEAR),
            {
                # A whole number of tenths (the rule's field has one decimal place).
                "cap_t": tenths_up(rules.degree_study.cap_hours),
                "year": year,
                "ids": ids[0] if ids else None,
                "evaluator": special,
            },
        )
        cursor.execute("SELECT count(*) FROM validation_summary_new WHERE zero")
        counted = held + cursor.fetchone()[0]
        cursor.execute("ANALYZE validation_summary_new")
        # A first fill (no summary of the year yet: a probe of the summaries' primary key)
        # writes only held series rows, so it has nothing stored to compare with and no stale
        # rows to look for. Every writer stores a person's series rows with their summary, so
        # no summary of the year means no series row of the year either.
        first_fill = False
        if not listed:
            cursor.execute(
                "SELECT NOT EXISTS (SELECT FROM credits_yearsummary WHERE year = %s)", [year]
            )
            first_fill = cursor.fetchone()[0]
        if not first_fill:
            cursor.execute(
                _SERIES_CHANGE_SQL.format(
                    persons="AND person_id = ANY(%(ids)s::bigint[])" if listed else ""
                ),
                {"year": year, "ids": ids[0] if ids else None},
            )
        merge_new_figures(cursor, year, first_fill=first_fill)
        if not first_fill:
            delete_gone(cursor, year)
        if first_fill:
            # A year's worth of new rows leaves the tables' statistics far behind (after the
            # year's first fill they can still say a few hundred rows of it): the next run's
            # planner then probes the summaries once per person instead of hashing them
            # (the stale search 0.05 -> 0.2 s for 100,000 persons). ANALYZE sees this
            # transaction's rows; with the run's small statistics target it samples 3,000.
            cursor.execute("ANALYZE credits_yearsummary, credits_yearseriessummary")
        cursor.execute(
            "DROP TABLE validation_held, validation_agg, validation_req, validation_req_series, "
            "validation_series_new, validation_summary_new, validation_gk"
            + ("" if first_fill else ", validation_series_change")
            + (", validation_profile" if profiles else "")
        )
    if special:
        counted += store_summaries(
            year, summaries_compute(year=year, person_ids=special, today=today)
        )
    return counted
