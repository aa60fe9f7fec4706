"""Writing computed summaries: PostgreSQL (``ON CONFLICT`` from arrays, ``MERGE`` from the
whole-year run's temp tables) and a portable ``bulk_create`` for other databases.

On PostgreSQL a row whose figures did not change is not written (no dead tuple, no index
update), so ``computed_at`` tells when a person's figures last changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.api import Person
from credits.models import YearSeriesSummary, YearSummary
from credits.services.validation.compute import ZERO, Summary

WRITE_BATCH = 2_000  # rows per bulk_create batch (non-PostgreSQL)

SummaryRow = tuple[int, Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, bool]
SeriesRow = tuple[int, int, Decimal, Decimal]
SUMMARY_FIELDS = (
    "public_required",
    "public_earned",
    "elective_required",
    "elective_earned",
    "professional_required",
    "professional_earned",
    "compliant",
    "computed_at",
)
FIGURES = SUMMARY_FIELDS[:-1]  # what decides whether a stored summary changed


def rows(summaries: list[Summary]) -> tuple[list[SummaryRow], list[SeriesRow]]:
    summary_rows: list[SummaryRow] = []
    series_rows: list[SeriesRow] = []
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


def store_summaries(year: int, summaries: list[Summary]) -> int:
    """Write ``summaries`` (the fastest way the database offers); returns how many."""
    summary_rows, series_rows = rows(summaries)
    if connection.vendor == "postgresql":
        store_postgresql(year, summary_rows, series_rows)
    else:
        store_portable(year, summary_rows, series_rows)
    return len(summary_rows)


def store_postgresql(
    year: int, summary_rows: list[SummaryRow], series_rows: list[SeriesRow]
) -> None:
    """Two ``INSERT … SELECT FROM unnest(arrays) ON CONFLICT`` statements: one round trip per
    table whatever the number of persons; unchanged rows are left alone."""
    summary_table = YearSummary._meta.db_table
    series_table = YearSeriesSummary._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        if summary_rows:
            columns = list(zip(*summary_rows, strict=True))
            cursor.execute(
                f"""
                INSERT INTO {summary_table} (person_id, year, {", ".join(SUMMARY_FIELDS)})
                SELECT p, %s, pr, pe, er, ee, fr, fe, ok, %s
                FROM unnest(%s::integer[], %s::numeric[], %s::numeric[], %s::numeric[],
                            %s::numeric[], %s::numeric[], %s::numeric[], %s::boolean[])
                     AS t(p, pr, pe, er, ee, fr, fe, ok)
                ON CONFLICT (person_id, year) DO UPDATE SET
                {", ".join(f"{f} = EXCLUDED.{f}" for f in SUMMARY_FIELDS)}
                WHERE ({", ".join(f"{summary_table}.{f}" for f in FIGURES)})
                    IS DISTINCT FROM ({", ".join(f"EXCLUDED.{f}" for f in FIGURES)})
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


def store_portable(year: int, summary_rows: list[SummaryRow], series_rows: list[SeriesRow]) -> None:
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
        update_fields=list(SUMMARY_FIELDS),
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


# The whole-year run's writes: its new figures are in temp tables (``whole_year``; the series
# rows' ``earned`` in tenths of an hour in ``validation_series_new``, in hours in
# ``validation_series_change``); one MERGE per table updates only the rows whose figures
# changed and inserts the missing ones (an INSERT … ON CONFLICT DO UPDATE would lock every
# existing row, changed or not). A concurrent whole-year run can fail on the primary key and
# is simply run again.
SERIES_MERGE_SQL = """
MERGE INTO credits_yearseriessummary t
USING {source} n
ON t.year = %(year)s AND t.person_id = n.person_id AND t.series_id = n.series_id
WHEN MATCHED AND (t.required, t.earned) IS DISTINCT FROM (n.required, n.earned) THEN
    UPDATE SET required = n.required, earned = n.earned
WHEN NOT MATCHED THEN
    INSERT (person_id, series_id, year, required, earned)
    VALUES (n.person_id, n.series_id, %(year)s, n.required, n.earned)
"""
# A first fill: every computed row (nothing is stored yet); later runs: the changed ones.
SERIES_ALL = (
    "(SELECT person_id, series_id, required, earned * 0.1 AS earned FROM validation_series_new)"
)
SERIES_CHANGED = (
    "(SELECT person_id, series_id, required, earned FROM validation_series_change WHERE NOT gone)"
)

SUMMARY_MERGE_SQL = """
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

# The stored series rows without a computed one (``validation_series_change.gone``) whose
# series the person no longer holds; the same rows as ``delete_stale``'s, found among the few
# the run did not compute instead of among every stored row.
DELETE_GONE_SQL = """
DELETE FROM credits_yearseriessummary s
USING validation_series_change c
WHERE c.gone AND s.year = %(year)s AND s.person_id = c.person_id AND s.series_id = c.series_id
    AND NOT EXISTS (
        SELECT FROM accounts_person_series ps
        WHERE ps.person_id = c.person_id AND ps.professionalseries_id = c.series_id
    )
"""


def merge_new_figures(cursor: Any, year: int, *, first_fill: bool) -> None:
    """MERGE the new series rows (every one in a first fill, else the changed ones of
    ``validation_series_change``) and ``validation_summary_new`` into the summaries."""
    params: dict[str, Any] = {"year": year, "now": timezone.now()}
    source = SERIES_ALL if first_fill else SERIES_CHANGED
    cursor.execute(SERIES_MERGE_SQL.format(source=source), params)
    cursor.execute(SUMMARY_MERGE_SQL, params)


def delete_gone(cursor: Any, year: int) -> None:
    """Delete the stale series rows ``validation_series_change`` found."""
    cursor.execute(DELETE_GONE_SQL, {"year": year})


def delete_stale(year: int, person_ids: Sequence[int] | None) -> None:
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
