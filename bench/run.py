"""The three benchmarks of the annual-validation issue, each against its raw-SQL floor.

Data (made with ``INSERT … SELECT generate_series``, after removing the previous run's rows):
``PERSONS`` persons (every fifth also holds accounting) with 10 approved 2023 records each,
and ``BATCH`` submitted 2024 records under one employer for the batch approval and the
review list.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse

from accounts.models import Organisation, User
from credits.models import Record
from credits.services.reviews import records_review
from credits.services.validation import summaries_refresh

PERSONS = int(os.environ.get("BENCH_PERSONS", "100000"))
RECORDS_PER_PERSON = 10
BATCH = 10_000
YEAR = 2023
BATCH_YEAR = 2024
PREFIX = "bench_"


def _sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _scalar(statement: str, params: list[Any] | None = None) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        row = cursor.fetchone()
    return row[0] if row else None


def _best(repeat: int, prepare: Callable[[], None] | None, work: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        if prepare is not None:
            prepare()
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def _line(label: str, seconds: float, floor: float, goal: float) -> bool:
    ratio = seconds / floor if floor else float("inf")
    ok = ratio <= goal
    print(
        f"{label}: {seconds:.2f} s vs floor {floor:.2f} s = {ratio:.1f}x "
        f"(goal <= {goal:g}x) {'met' if ok else 'NOT MET'}",
        flush=True,
    )
    return ok


# --- data -----------------------------------------------------------------------------------


def _employer() -> tuple[Organisation, User]:
    from tests.factories import admin_of, world_create

    employer = (
        Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER, name__startswith="示例单位")
        .order_by("pk")
        .first()
    )
    if employer is None or not employer.memberships.filter(role="admin").exists():
        employer = world_create("440100", "440105").employer
    return employer, admin_of(employer)


def _clean() -> None:
    bench_persons = f"SELECT id FROM accounts_person WHERE id_number LIKE '{PREFIX.upper()}%%'"
    for table in (
        "credits_yearseriessummary",
        "credits_yearsummary",
        "credits_record",
        "accounts_employment",
    ):
        _sql(f"DELETE FROM {table} WHERE person_id IN ({bench_persons})")
    _sql(f"DELETE FROM accounts_person_series WHERE person_id IN ({bench_persons})")
    _sql(f"DELETE FROM accounts_person WHERE id IN ({bench_persons})")
    _sql("DELETE FROM accounts_user WHERE username LIKE %s", [PREFIX + "%"])


def _generate(employer_id: int) -> None:
    engineering = _scalar("SELECT id FROM accounts_professionalseries WHERE code='engineering'")
    accounting = _scalar("SELECT id FROM accounts_professionalseries WHERE code='accounting'")
    _sql(
        """
        INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name,
                                   email, is_staff, is_active, date_joined)
        SELECT '!', false, %s || g, '', '', '', false, true, now()
        FROM generate_series(1, %s) g
        """,
        [PREFIX, PERSONS],
    )
    _sql(
        """
        INSERT INTO accounts_person (user_id, real_name, id_number, phone, created_at)
        SELECT u.id, 'Bench ' || u.id, %s || lpad(u.id::text, 12, '0'), '13900000000', now()
        FROM accounts_user u WHERE u.username LIKE %s
        """,
        [PREFIX.upper(), PREFIX + "%"],
    )
    bench = f"SELECT id FROM accounts_person WHERE id_number LIKE '{PREFIX.upper()}%%'"
    _sql(
        f"""
        INSERT INTO accounts_person_series (person_id, professionalseries_id)
        SELECT id, %s FROM ({bench}) p
        UNION ALL SELECT id, %s FROM ({bench}) p WHERE id %% 5 = 0
        """,
        [engineering, accounting],
    )
    # Every bench person is bound to the employer (the review queue shows only its staff's).
    _sql(
        f"""
        INSERT INTO accounts_employment (person_id, employer_id, status, reason, requested_at,
            decided_at)
        SELECT id, %s, 'confirmed', '', now(), now() FROM ({bench}) p
        """,
        [employer_id],
    )
    # 10 approved records a person: 3 x 10 h public, 5 x 9 h engineering, 2 x 9 h elective;
    # every 50th person's first elective is degree study (capped 72 h, evaluator path).
    _sql(
        f"""
        INSERT INTO credits_record (person_id, year, category, series_id, hours, original_amount,
            original_unit, activity_code, kind, approved_plan, title, form, start_date, end_date,
            assessment_result, institution_name, source, status, reviewer_reason, employer_id,
            general_knowledge, created_at, updated_at)
        SELECT p.id, %s,
            CASE WHEN n < 3 THEN 'public' WHEN n < 8 THEN 'professional' ELSE 'elective' END,
            CASE WHEN n BETWEEN 3 AND 7 THEN %s END,
            CASE WHEN n < 3 THEN 10 ELSE 9 END, CASE WHEN n < 3 THEN 10 ELSE 9 END,
            'hours', '', CASE WHEN n = 8 AND p.id %% 50 = 0 THEN 'degree_study' ELSE '' END,
            NULL, 'Course ' || n, 'class', make_date(%s, 3, 1 + n), make_date(%s, 3, 1 + n),
            'none', '', 'self_declared', 'approved', '', %s, false,
            now() - (p.id * 10 + n) * interval '1 second', now()
        FROM ({bench}) p CROSS JOIN generate_series(0, %s) n
        """,
        [YEAR, engineering, YEAR, YEAR, employer_id, RECORDS_PER_PERSON - 1],
    )
    # The batch: one submitted 2024 professional record of each of the first BATCH persons.
    _sql(
        f"""
        INSERT INTO credits_record (person_id, year, category, series_id, hours, original_amount,
            original_unit, activity_code, kind, approved_plan, title, form, start_date, end_date,
            assessment_result, institution_name, source, status, reviewer_reason, employer_id,
            general_knowledge, created_at, updated_at)
        SELECT p.id, %s, 'professional', %s, 8, 8, 'hours', '', '', NULL, 'Batch course',
            'class', make_date(%s, 5, 1), make_date(%s, 5, 1), 'none', '', 'self_declared',
            'submitted', '', %s, false, now(), now()
        FROM ({bench} ORDER BY id LIMIT %s) p
        """,
        [BATCH_YEAR, engineering, BATCH_YEAR, BATCH_YEAR, employer_id, BATCH],
    )
    _sql("ANALYZE")


# --- the benchmarks -------------------------------------------------------------------------


def _batch_ids() -> list[int]:
    return list(
        Record.objects.filter(year=BATCH_YEAR, title="Batch course")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _reset_batch() -> None:
    _sql(
        "UPDATE credits_record SET status='submitted', decided_by_id=NULL, decided_at=NULL "
        "WHERE year=%s AND title='Batch course'",
        [BATCH_YEAR],
    )


def bench_batch_approval(employer: Organisation, admin: User) -> bool:
    ids = _batch_ids()

    def service() -> None:
        result = records_review(
            reviewer=admin, employer=employer, record_ids=ids, decision="approve"
        )
        assert result.decided == len(ids), result

    def floor() -> None:
        with transaction.atomic():
            _sql(
                "UPDATE credits_record SET status='approved', decided_by_id=%s, decided_at=now(),"
                " updated_at=now() WHERE id = ANY(%s) AND status='submitted'",
                [admin.pk, ids],
            )
            _sql(
                """
                INSERT INTO accounts_auditentry (actor_id, at, action, target_type, target_id,
                    organisation_id, from_state, to_state, reason)
                SELECT %s, now(), 'record.approve', 'credits.record', id::text, %s,
                    'submitted', 'approved', '' FROM unnest(%s::bigint[]) AS id
                """,
                [admin.pk, employer.pk, ids],
            )

    seconds = _best(3, _reset_batch, service)
    floor_seconds = _best(3, _reset_batch, floor)
    _reset_batch()
    return _line(f"batch approval {len(ids):,}", seconds, floor_seconds, 3)


# The floor of annual validation: the GROUP BY of the year's approved records per (person,
# category, series) that the whole-year run's first statement (``validation_agg`` in
# ``credits.services.validation.whole_year``) must run at the very least, over the same rows,
# with the same ``work_mem``, materialised in the server as the run does (no transfer to
# Python, which the run does not do either).
_FLOOR_SQL = """
CREATE TEMP TABLE bench_validation_floor ON COMMIT DROP AS
SELECT person_id, category, series_id, SUM(hours) AS hours
FROM credits_record WHERE year = %s AND status = 'approved'
GROUP BY person_id, category, series_id
"""
RECOMPUTE_GOAL = 2.0
FIRST_FILL_GOAL = 3.0


BROKER_QUEUES = ("celery", "certificates", "sync")  # CELERY_TASK_ROUTES' queues


def broker_purge() -> int:
    """Drop every message waiting in the bench broker's queues and return how many. What a
    benchmark queues as a side effect is nobody's work: a whole-year run queues the
    certificates' reconciliation of every bench person (fan-out messages of 100,000 person
    ids), which the bulk print benchmark's worker would otherwise start with (hours of
    certificates issued before the first page is printed)."""
    from portal.celery import app

    purged = 0
    with app.connection_for_write() as connection:
        for queue in BROKER_QUEUES:
            purged += connection.default_channel.queue_purge(queue) or 0
    return purged


def _validation_floor() -> None:
    from credits.services.validation.whole_year import WORK_MEM

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute(_FLOOR_SQL, [YEAR])


def _validation_floor_fetched() -> None:
    """The floor of the earlier sessions (kept for comparison only): the same GROUP BY, its
    rows fetched into Python, which the run never does."""
    with connection.cursor() as cursor:
        cursor.execute(_FLOOR_SQL.split(" AS\n", 1)[1], [YEAR])
        cursor.fetchall()


def _summaries_empty() -> None:
    """The year's summaries removed and the tables vacuumed: the state of a first run."""
    _sql("DELETE FROM credits_yearseriessummary WHERE year = %s", [YEAR])
    _sql("DELETE FROM credits_yearsummary WHERE year = %s", [YEAR])
    _sql("VACUUM ANALYZE credits_yearseriessummary, credits_yearsummary")


def bench_annual_validation() -> bool:
    """Both validation ratios of the issue in one run on the same data: recomputation (the
    yearly re-run and every later one, writing only rows whose figures changed) and the
    first fill into empty summary tables, each against the same floor. The floor is measured
    before and after the runs and the best kept, so that a noisy neighbour slowing one phase
    does not flatter the ratios."""
    commits: list[tuple[float, float]] = []

    def service() -> None:
        marks: list[float] = []
        with transaction.atomic():
            # Registered first, so it runs first after the COMMIT: it splits the commit from
            # what the run's own after-commit work costs (year_summary_changed, which queues
            # the certificates' reconciliation of every summary that changed).
            transaction.on_commit(lambda: marks.append(time.perf_counter()))
            count = summaries_refresh(year=YEAR)
            assert count >= PERSONS, count
            started = time.perf_counter()
        ended = time.perf_counter()
        commits.append((marks[0] - started, ended - marks[0]))

    floor_seconds = _best(3, None, _validation_floor)
    first = _best(2, _summaries_empty, service)
    first_commit, first_signal = min(commits)
    commits.clear()
    seconds = _best(3, None, service)
    floor_seconds = min(floor_seconds, _best(2, None, _validation_floor))
    fetched = _best(2, None, _validation_floor_fetched)
    compliant = _scalar(
        "SELECT count(*) FILTER (WHERE compliant) FROM credits_yearsummary WHERE year=%s", [YEAR]
    )
    print(
        f"  ({compliant:,} persons compliant in {YEAR}; floor = the run's GROUP BY alone, "
        "into a temp table)"
    )
    label = f"annual validation {PERSONS:,} persons x {RECORDS_PER_PERSON}"
    recompute_ok = _line(f"{label}, recompute", seconds, floor_seconds, RECOMPUTE_GOAL)
    first_ok = _line(f"{label}, first fill", first, floor_seconds, FIRST_FILL_GOAL)
    print(
        f"  (first fill: {first_commit:.2f} s of it is the commit, then {first_signal:.2f} s "
        "queueing the certificates' reconciliation of every new summary after it)"
    )
    print(
        f"  (against the earlier floor, the same GROUP BY fetched into Python: {fetched:.2f} s, "
        f"recompute {seconds / fetched:.1f}x, first fill {first / fetched:.1f}x)"
    )
    print(f"  ({broker_purge():,} queued messages the runs left for the workers dropped)")
    return recompute_ok and first_ok


@contextmanager
def _sql_timer() -> Iterator[list[float]]:
    spent: list[float] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append(time.perf_counter() - started)

    with connection.execute_wrapper(wrapper):
        yield spent


def bench_review_page(employer: Organisation, admin: User) -> bool:
    from django.test import Client

    try:
        url = reverse("credits:review_queue", kwargs={"organisation_id": employer.pk})
    except NoReverseMatch:
        print("review list: skipped: review page not built")
        return True
    client = Client()
    client.force_login(admin)
    counts = []
    best_total, best_sql = float("inf"), 0.0
    for page in (1, 2, 1, 2, 1):
        with _sql_timer() as spent:
            started = time.perf_counter()
            response = client.get(url, {"page": page}, HTTP_HOST="localhost")
            total = time.perf_counter() - started
        if response.status_code != 200:
            print(f"review list: skipped: GET {url} answered {response.status_code}")
            return True
        counts.append(len(spent))
        if total < best_total:
            best_total, best_sql = total, sum(spent)
    print(f"  (review list queries per page: {sorted(set(counts))})")
    return _line(f"review list {BATCH:,} pending, server vs SQL", best_total, best_sql, 10)


def bench_review_queue(employer: Organisation) -> bool:
    """The queue's heavy cases (every status; a deep keyset page; sorted by hours) through
    the selector the page uses (capped count + rows), each against hand-written SQL on the
    same index (count over a LIMITed subquery + the page's rows)."""
    from credits.selectors import review as queue

    everything = queue.ReviewFilters(status="")
    approved = queue.ReviewFilters(status="approved")
    deep_row = (
        queue.review_queue_filtered(employer, filters=everything)
        .only("pk", "created_at")
        .order_by("created_at", "pk")[PERSONS * RECORDS_PER_PERSON // 2]
    )
    cursor = f"{deep_row.created_at.isoformat()},{deep_row.pk}"
    cap = queue.COUNT_CAP + 1
    cases: list[tuple[str, queue.ReviewFilters, str, str, str, list[Any]]] = [
        ("status=all, page 1", everything, "submitted", "", "TRUE", []),
        (
            "status=all, deep keyset page",
            everything,
            "submitted",
            cursor,
            "(created_at, id) > (%s, %s)",
            [deep_row.created_at, deep_row.pk],
        ),
        ("status=approved, sort=-hours", approved, "-hours", "", "status = 'approved'", []),
        ("status=all, sort=-hours (refused)", everything, "-hours", "", "TRUE", []),
    ]
    ok = True
    for label, filters, sort, after, where, params in cases:
        order = "hours DESC, id DESC" if sort == "-hours" and filters.status else "created_at, id"

        def service(filters: Any = filters, sort: str = sort, after: str = after) -> None:
            page = queue.review_queue_page(
                employer, filters=filters, sort=sort, after=after, per_page=20
            )
            assert page.records

        def floor(where: str = where, params: list[Any] = params, order: str = order) -> None:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM (SELECT 1 FROM credits_record WHERE employer_id = %s"
                    f" AND {where} LIMIT %s) s",
                    [employer.pk, *params, cap],
                )
                cur.fetchall()
                cur.execute(
                    f"SELECT * FROM credits_record WHERE employer_id = %s AND {where}"
                    f" ORDER BY {order} LIMIT 21",
                    [employer.pk, *params],
                )
                cur.fetchall()

        seconds = _best(5, None, service)
        floor_seconds = _best(5, None, floor)
        print(f"  ({label}: {seconds * 1000:.1f} ms, floor {floor_seconds * 1000:.1f} ms)")
        ok = _line(f"review queue {label}", seconds, floor_seconds, 5) and ok
    return ok


def run(argv: list[str]) -> int:
    """All benchmarks; ``python -m bench calculator`` runs only the calculator's (no data),
    ``python -m bench queue`` only the review queue's, ``validation`` only the annual
    validation's, ``load`` only the load scenario (``bench.load``)."""
    from bench.calculator import bench_calculator
    from bench.certificates import run as bench_certificates
    from bench.load import bench_load
    from bench.sync import bench_sync

    if argv[:1] == ["calculator"]:
        return 0 if bench_calculator() else 1
    if argv[:1] == ["sync"]:  # `python -m bench sync`: only the partner sync push (own data)
        return 0 if bench_sync() else 1
    if argv[:1] == ["certificates"]:  # `python -m bench certificates [render|print]`
        return 0 if bench_certificates(argv[1] if len(argv) > 1 else "") else 1
    started = time.perf_counter()
    employer, admin = _employer()
    bench_persons = _scalar(
        "SELECT count(*) FROM accounts_person WHERE id_number LIKE %s", [PREFIX.upper() + "%"]
    )
    if os.environ.get("BENCH_KEEP_DATA") and bench_persons == PERSONS:
        print("data: kept from the previous run (BENCH_KEEP_DATA)")
    else:
        _clean()
        _generate(employer.pk)
    print(
        f"data: {PERSONS:,} persons x {RECORDS_PER_PERSON} records + {BATCH:,} submitted "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    if argv[:1] == ["queue"]:  # `python -m bench queue`: only the review queue's
        return 0 if bench_review_queue(employer) else 1
    if argv[:1] == ["validation"]:  # `python -m bench validation`: only the annual validation
        return 0 if bench_annual_validation() else 1
    if argv[:1] == ["load"]:  # `python -m bench load`: only the load scenario
        return 0 if bench_load(employer, admin, year=YEAR, prefix=PREFIX) else 1
    results = [
        bench_batch_approval(employer, admin),
        bench_annual_validation(),
        bench_review_page(employer, admin),
        bench_review_queue(employer),
        bench_calculator(),
        bench_load(employer, admin, year=YEAR, prefix=PREFIX),
        bench_certificates(),
        bench_sync(),
    ]
    print("all goals met" if all(results) else "some goals missed (see above)")
    return 0
