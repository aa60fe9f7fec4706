"""Annual validation: bulk summaries equal the evaluator, refresh after commit, constant queries."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Decision, Person, ProfessionalSeries
from credits import api
from credits.models import Record, YearSeriesSummary, YearSummary
from credits.rules import EvaluationInput, RecordInput, RuleBook, defaults, evaluate
from credits.selectors.records import rulebook_load
from credits.services import record_decision_change, records_review
from credits.services.validation import (
    records_to_inputs,
    summaries_compute,
    summaries_refresh,
)
from tests.factories import World, admin_of, person_create

pytestmark = pytest.mark.django_db

YEAR = 2023
TODAY = date(2024, 3, 1)
_titles = itertools.count()


def rec(
    person: Person,
    *,
    category: str = "professional",
    series: str | None = "engineering",
    hours: int | str = 8,
    year: int = YEAR,
    status: str = Record.Status.APPROVED,
    kind: str = "",
    approved_plan: bool | None = None,
    activity: str = "",
    quantity: int | str = 1,
    employer: Any = None,
) -> Record:
    """A record written directly (the declaration rules are not under test here)."""
    day = date(year, 3, 1)
    return Record.objects.create(
        person=person,
        year=year,
        category=category,
        series=ProfessionalSeries.objects.get(code=series) if series else None,
        hours=Decimal(hours),
        original_amount=Decimal(quantity) if activity else Decimal(hours),
        original_unit=Record.Unit.ACTIVITY if activity else Record.Unit.HOURS,
        activity_code=activity,
        kind=kind,
        approved_plan=approved_plan,
        title=f"Course {next(_titles)}",
        form=Record.Form.CLASS,
        start_date=day,
        end_date=day,
        status=status,
        employer=employer,
    )


def raw_evaluation(person: Person, rules: RuleBook) -> Any:
    """The evaluator over the person's approved records of YEAR, one input per record."""
    series = tuple(sorted(person.series.values_list("code", flat=True)))
    records = (
        Record.objects.filter(person=person, year=YEAR, status="approved")
        .select_related("series")
        .order_by("start_date", "pk")
    )
    inputs = records_to_inputs(records, held=frozenset(series), rules=rules)
    return evaluate(
        EvaluationInput(year=YEAR, series=series, records=tuple(inputs)), rules, today=TODAY
    )


def stored(person: Person) -> tuple[YearSummary, dict[str, tuple[Decimal, Decimal]]]:
    summary = YearSummary.objects.get(person=person, year=YEAR)
    series = {
        row.series.code: (row.required, row.earned)
        for row in YearSeriesSummary.objects.filter(person=person, year=YEAR).select_related(
            "series"
        )
    }
    return summary, series


def assert_matches_evaluator(person: Person, rules: RuleBook) -> None:
    result = raw_evaluation(person, rules)
    summary, series = stored(person)
    assert (
        summary.public_required,
        summary.public_earned,
        summary.elective_required,
        summary.elective_earned,
        summary.compliant,
    ) == (
        result.required.public,
        result.earned.public,
        result.required.elective,
        result.earned.elective,
        result.compliant,
    )
    assert series == {
        s: (result.required.professional[s], result.earned.professional[s])
        for s in result.required.professional
    }
    assert summary.professional_earned == sum(result.earned.professional.values())
    assert summary.professional_required == sum(result.required.professional.values())


def varied_persons() -> dict[str, Person]:
    persons: dict[str, Person] = {}

    p = persons["general_met"] = person_create()
    rec(p, category="public", series=None, hours=30)
    rec(p, hours=40)
    rec(p, hours=2)
    rec(p, category="elective", series=None, hours=18)

    p = persons["multi_series_with_activity"] = person_create(series=("engineering", "accounting"))
    rec(p, category="public", series=None, hours=20)
    rec(p, category="public", series=None, hours=12)
    rec(p, hours=50)
    rec(p, series="accounting", hours=30)
    rec(p, series="accounting", activity="paper_first_author", hours=30)
    rec(p, series="accounting", activity="online_hour", quantity="3.3", hours="8.3")
    rec(p, category="elective", series=None, hours=10)

    p = persons["accounting_whole_year"] = person_create(series=("accounting",))
    rec(p, series="accounting", activity="accounting_exam_pass", hours=90)
    rec(p, category="public", series=None, hours=4)

    p = persons["degree_study_over_cap"] = person_create()
    rec(p, category="elective", series=None, kind="degree_study", hours=50)
    rec(p, category="elective", series=None, kind="degree_study", hours=40)
    rec(p, category="public", series=None, hours=30)
    rec(p, hours=42)

    p = persons["degree_study_health_only"] = person_create(series=("health",))
    rec(p, category="elective", series=None, kind="degree_study", hours=30)
    rec(p, series="health", hours=50)

    p = persons["inhouse_without_plan"] = person_create()
    rec(p, kind="inhouse_training", approved_plan=None, hours=20)
    rec(p, kind="inhouse_training", approved_plan=False, hours=6)
    rec(p, kind="inhouse_training", approved_plan=True, hours=42)
    rec(p, category="public", series=None, hours=30)

    p = persons["archives_no_elective"] = person_create(series=("archives",))
    rec(p, category="elective", series=None, hours=20)
    rec(p, series="archives", hours=60)
    rec(p, category="public", series=None, hours=30)

    p = persons["record_of_a_series_not_held"] = person_create()
    rec(p, series="health", hours=42)
    rec(p, hours=10)

    p = persons["two_series_ordinary"] = person_create(series=("engineering", "accounting"))
    rec(p, category="public", series=None, hours=30)
    rec(p, category="elective", series=None, hours=18)
    rec(p, category="public", series="health", hours=5)  # a series not held: not counted
    rec(p, series="engineering", hours=45)
    rec(p, series="accounting", hours=30)

    persons["no_records"] = person_create()
    return persons


def test_bulk_summaries_equal_the_evaluator_for_varied_persons(db: None) -> None:
    persons = varied_persons()
    rules = rulebook_load()

    count = summaries_refresh(year=YEAR, person_ids=[p.pk for p in persons.values()], today=TODAY)

    assert count == len(persons)
    for person in persons.values():
        assert_matches_evaluator(person, rules)
    compliant = {name for name, p in persons.items() if stored(p)[0].compliant}
    assert compliant == {
        "general_met",
        "accounting_whole_year",
        "degree_study_over_cap",
        "inhouse_without_plan",
        "archives_no_elective",
    }
    assert stored(persons["degree_study_over_cap"])[0].elective_earned == Decimal(72)
    # Health certifies its degree study itself and pushes it in: it counts (decision 0008).
    assert stored(persons["degree_study_health_only"])[0].elective_earned == Decimal(30)
    inhouse = stored(persons["inhouse_without_plan"])
    assert (inhouse[0].elective_earned, inhouse[1]["engineering"][1]) == (26, 42)


def test_whole_year_run_equals_the_evaluator_for_varied_persons(db: None) -> None:
    # Without person_ids PostgreSQL computes ordinary persons in SQL: same figures required.
    persons = varied_persons()
    rules = rulebook_load()

    summaries_refresh(year=YEAR, today=TODAY)

    for person in persons.values():
        assert_matches_evaluator(person, rules)
    compliant = {name for name, p in persons.items() if stored(p)[0].compliant}
    assert compliant == {
        "general_met",
        "accounting_whole_year",
        "degree_study_over_cap",
        "inhouse_without_plan",
        "archives_no_elective",
    }


def test_year_explanation_counts_the_approved_records_of_the_year(db: None) -> None:
    """Figures worked out by hand: 30 public, 40 of the 42 engineering hours, 18 elective."""
    person = person_create()
    rec(person, category="public", series=None, hours=30)
    rec(person, hours=24)
    rec(person, hours=16)
    rec(person, category="elective", series=None, hours=18)
    rec(person, hours=100, status="submitted")
    rec(person, hours=100, year=YEAR - 1)

    result = api.year_explanation(person=person, year=YEAR, today=TODAY)

    assert (result.earned.public, result.earned.elective) == (Decimal(30), Decimal(18))
    assert result.earned.professional == {"engineering": Decimal(40)}
    assert result.shortfall.professional == {"engineering": Decimal(2)}
    assert result.compliant is False
    assert len(result.records) == 4


def test_only_approved_records_of_the_year_count(db: None) -> None:
    person = person_create()
    rec(person, category="public", series=None, hours=30)
    for status in ("draft", "submitted", "rejected", "returned", "revoked"):
        rec(person, category="public", series=None, hours=100, status=status)
    rec(person, category="public", series=None, hours=100, year=YEAR - 1)
    rec(person, category="public", series=None, hours=100, year=YEAR + 1)
    rec(person, hours=100, year=YEAR - 1)

    summaries_refresh(year=YEAR, person_ids=[person.pk])

    summary, series = stored(person)
    assert summary.public_earned == Decimal(30)
    assert series == {"engineering": (Decimal(42), Decimal(0))}
    assert summary.compliant is False


def test_all_persons_run_gives_a_person_without_records_a_zero_summary(db: None) -> None:
    idle = person_create()
    busy = person_create()
    rec(busy, category="public", series=None, hours=30)

    count = summaries_refresh(year=YEAR)

    assert count == Person.objects.count()
    summary, series = stored(idle)
    assert (summary.public_earned, summary.elective_earned, summary.professional_earned) == (
        0,
        0,
        0,
    )
    assert (summary.public_required, summary.professional_required) == (30, 42)
    assert summary.compliant is False
    assert series == {"engineering": (Decimal(42), Decimal(0))}
    assert api.year_is_compliant(person_id=idle.pk, year=YEAR) is False


def test_recompute_is_idempotent(db: None) -> None:
    persons = varied_persons()
    ids = [p.pk for p in persons.values()]
    summaries_refresh(year=YEAR, person_ids=ids)
    first = list(YearSummary.objects.order_by("pk").values_list())
    first_series = list(YearSeriesSummary.objects.order_by("pk").values_list())

    summaries_refresh(year=YEAR, person_ids=ids)

    again = list(YearSummary.objects.order_by("pk").values_list())
    assert [row[:-1] for row in again] == [row[:-1] for row in first]  # all but computed_at
    assert list(YearSeriesSummary.objects.order_by("pk").values_list()) == first_series
    assert YearSummary.objects.count() == len(persons)


def test_series_the_person_no_longer_holds_are_dropped(db: None) -> None:
    person = person_create(series=("engineering", "accounting"))
    summaries_refresh(year=YEAR, person_ids=[person.pk])
    assert set(stored(person)[1]) == {"engineering", "accounting"}

    person.series.remove(ProfessionalSeries.objects.get(code="accounting"))
    summaries_refresh(year=YEAR, person_ids=[person.pk])

    assert set(stored(person)[1]) == {"engineering"}


def test_query_count_does_not_grow_with_the_number_of_persons(db: None) -> None:
    def persons(n: int) -> list[int]:
        made = []
        for i in range(n):
            p = person_create(series=("engineering", "accounting") if i % 3 else ("engineering",))
            rec(p, category="public", series=None, hours=30)
            rec(p, hours=42)
            if i % 4 == 0:
                rec(p, category="elective", series=None, kind="degree_study", hours=80)
            if i % 3 == 1:
                rec(p, series="accounting", activity="paper_first_author", hours=30)
            made.append(p.pk)
        return made

    few, many = persons(5), persons(50)
    rulebook_load()  # cached per process from here on (the first load costs 7 queries)
    with CaptureQueriesContext(connection) as small:
        summaries_refresh(year=YEAR, person_ids=few)
    with CaptureQueriesContext(connection) as large:
        summaries_refresh(year=YEAR, person_ids=many)
    # SQLite writes in batches of 2,000 rows: the same count until then.
    assert len(small) == len(large)


# --- refresh after a record changes state ---------------------------------------------------


@pytest.fixture
def eager_celery(settings: Any) -> Iterator[None]:
    """Tasks run in-process: under `make test` the Celery app itself is not eager."""
    from portal.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    was = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = was


def test_approving_records_refreshes_the_summary_after_commit(
    world: World, eager_celery: None, django_capture_on_commit_callbacks: Any
) -> None:
    person = world.person
    records = [
        rec(person, category="public", series=None, hours=30, status="submitted", employer=e)
        for e in [world.employer]
    ] + [rec(person, hours=42, year=YEAR, status="submitted", employer=world.employer)]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        records_review(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            record_ids=[r.pk for r in records],
            decision=Decision.APPROVE,
        )
    assert not YearSummary.objects.filter(person=person, year=YEAR).exists()  # not before commit
    assert len(callbacks) == 1
    callbacks[0]()

    summary = api.year_summary(person_id=person.pk, year=YEAR)
    assert summary is not None
    assert (summary.public_earned, summary.professional_earned) == (30, 42)


def test_rejecting_submitted_records_schedules_nothing(
    world: World, eager_celery: None, django_capture_on_commit_callbacks: Any
) -> None:
    record = rec(world.person, status="submitted", employer=world.employer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        records_review(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            record_ids=[record.pk],
            decision=Decision.REJECT,
            reason="Not CE",
        )
    assert callbacks == []


def test_changing_an_approved_record_to_rejected_refreshes_the_summary(
    world: World, eager_celery: None, django_capture_on_commit_callbacks: Any
) -> None:
    person = world.person
    public = rec(person, category="public", series=None, hours=30, employer=world.employer)
    summaries_refresh(year=YEAR, person_ids=[person.pk])
    assert stored(person)[0].public_earned == 30

    with django_capture_on_commit_callbacks(execute=True):
        record_decision_change(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            record=public,
            reason="Certificate is forged",
        )

    assert stored(person)[0].public_earned == 0


# --- credits.api and the management command -------------------------------------------------


def test_api_reads_and_recounts_one_person(db: None) -> None:
    met = person_create()
    rec(met, category="public", series=None, hours=30)
    rec(met, hours=42)
    rec(met, category="elective", series=None, hours=18)
    short = person_create()

    assert api.year_summary(person_id=met.pk, year=YEAR) is None
    assert api.year_is_compliant(person_id=met.pk, year=YEAR) is False

    summary = api.summaries_refresh_now(person_id=met.pk, year=YEAR)
    api.summaries_refresh_now(person_id=short.pk, year=YEAR)

    assert summary is not None and summary.compliant
    assert api.year_is_compliant(person_id=met.pk, year=YEAR) is True
    assert list(api.compliant_person_ids(year=YEAR)) == [met.pk]
    assert Person.objects.filter(pk__in=api.compliant_person_ids(year=YEAR)).count() == 1


def test_validate_year_command_recomputes_everyone(db: None, capsys: Any) -> None:
    persons = [person_create(), person_create()]
    rec(persons[0], category="public", series=None, hours=30)

    call_command("validate_year", str(YEAR))

    assert f"{YEAR}: {Person.objects.count()} summaries" in capsys.readouterr().out
    assert YearSummary.objects.filter(year=YEAR, person__in=persons).count() == 2


def test_records_to_inputs_keeps_one_input_per_usable_record(db: None) -> None:
    person = person_create()
    rec(person, hours=8)
    rec(person, series="health", hours=8)  # not one of the person's series: left out
    records = Record.objects.filter(person=person).select_related("series")
    inputs = records_to_inputs(records, held=frozenset({"engineering"}), rules=defaults.rulebook())
    assert inputs == [
        RecordInput(category="professional", series="engineering", hours=Decimal(8), year=YEAR)
    ]


def test_progress_page_and_annual_validation_count_an_activity_quantity_alike(db: None) -> None:
    from credits.selectors.records import person_year_explanation

    person = person_create(series=("accounting",))
    rec(
        person,
        category="professional",
        series="accounting",
        activity="paper_first_author",
        quantity=2,
    )

    summaries_refresh(year=YEAR, person_ids=[person.pk], today=TODAY)
    explanation = person_year_explanation(person, YEAR, today=TODAY)

    assert explanation.result is not None
    assert explanation.result.earned.professional["accounting"] == Decimal(60)
    assert stored(person)[1]["accounting"][1] == Decimal(60)


# --- what a re-run writes, and who it reaches -------------------------------------------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL leaves unchanged rows unwritten"
)


def _versions() -> tuple[dict[int, Any], dict[tuple[int, int], str]]:
    """Each summary's computed_at, and each series row's xmin (PostgreSQL's row version)."""
    summaries = dict(YearSummary.objects.filter(year=YEAR).values_list("person_id", "computed_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person_id, series_id, xmin::text FROM credits_yearseriessummary "
            "WHERE year = %s",
            [YEAR],
        )
        series = {(p, s): x for p, s, x in cursor.fetchall()}
    return summaries, series


@postgresql_only
@pytest.mark.parametrize("whole_year", [True, False], ids=["whole_year", "per_person"])
def test_a_rerun_writes_only_the_rows_whose_figures_changed(db: None, whole_year: bool) -> None:
    persons = varied_persons()
    ids = [p.pk for p in persons.values()]

    def run() -> None:
        summaries_refresh(year=YEAR, person_ids=None if whole_year else ids, today=TODAY)

    run()
    summaries, series = _versions()
    run()
    assert _versions() == (summaries, series)  # nothing changed: nothing rewritten

    # One ordinary and one special person get another record: only their rows move.
    changed = {persons["general_met"].pk, persons["degree_study_over_cap"].pk}
    rec(persons["general_met"], hours=5)
    rec(persons["degree_study_over_cap"], hours=5)
    run()
    summaries_after, series_after = _versions()
    assert {p for p in summaries if summaries_after[p] != summaries[p]} == changed
    assert {p for p, _s in series if series_after[(p, _s)] != series[(p, _s)]} == changed


def test_a_whole_year_run_drops_series_rows_no_longer_held(db: None) -> None:
    person = person_create(series=("engineering", "accounting"))
    other = person_create(series=("engineering", "accounting"))
    summaries_refresh(year=YEAR, today=TODAY)
    assert set(stored(person)[1]) == {"engineering", "accounting"}

    person.series.remove(ProfessionalSeries.objects.get(code="accounting"))
    summaries_refresh(year=YEAR, today=TODAY)

    assert set(stored(person)[1]) == {"engineering"}
    assert set(stored(other)[1]) == {"engineering", "accounting"}
    assert stored(person)[0].professional_required == 42


def _stale_deletes(queries: CaptureQueriesContext) -> int:
    """The statements that delete series rows (the ORM's quotes the table name)."""
    return sum(
        q["sql"].replace('"', "").lstrip().startswith("DELETE FROM credits_yearseriessummary")
        for q in queries.captured_queries
    )


def test_a_first_fill_skips_the_stale_search_and_a_later_run_still_drops_stale_rows(
    db: None,
) -> None:
    person = person_create(series=("engineering", "accounting"))
    rec(person, hours=42)
    # Summaries of another year do not make this year's run a re-run.
    summaries_refresh(year=YEAR - 1, today=TODAY)
    assert YearSummary.objects.filter(year=YEAR - 1).exists()

    with CaptureQueriesContext(connection) as first:
        summaries_refresh(year=YEAR, today=TODAY)
    assert _stale_deletes(first) == 0  # empty year: nothing can be stale
    assert set(stored(person)[1]) == {"engineering", "accounting"}

    person.series.remove(ProfessionalSeries.objects.get(code="accounting"))
    with CaptureQueriesContext(connection) as again:
        summaries_refresh(year=YEAR, today=TODAY)
    assert _stale_deletes(again) == 1
    assert set(stored(person)[1]) == {"engineering"}


@pytest.mark.parametrize("listed", [False, True], ids=["whole_year", "per_person"])
def test_a_series_set_that_is_not_valid_gets_the_evaluator_paths_all_zero_summary(
    db: None, listed: bool
) -> None:
    """In a year no requirement scheme covers (before 2010) a person's series set is not
    valid: the SQL stores what the evaluator path (``summaries_compute``) gives, nothing
    required, nothing earned, not compliant, and no series rows."""
    year = 2009
    person = person_create(series=("engineering",))
    rec(person, category="public", series=None, hours=30, year=year)
    rec(person, hours=42, year=year)
    summaries_refresh(year=year, today=TODAY, person_ids=[person.pk] if listed else None)

    (expected,) = summaries_compute(year=year, person_ids=[person.pk], today=TODAY)
    summary = YearSummary.objects.get(person=person, year=year)
    assert (
        summary.public_required,
        summary.public_earned,
        summary.elective_required,
        summary.elective_earned,
        summary.professional_required,
        summary.professional_earned,
        summary.compliant,
    ) == (0, 0, 0, 0, 0, 0, False)
    assert (expected.public_required, expected.public_earned, expected.compliant) == (0, 0, False)
    assert expected.series_required == {}
    assert not YearSeriesSummary.objects.filter(person=person, year=year).exists()


@pytest.mark.parametrize("listed", [False, True], ids=["whole_year", "per_person"])
def test_after_the_first_fill_only_changed_series_rows_are_written_and_new_ones_inserted(
    db: None, listed: bool
) -> None:
    """After a year's first fill a run writes only the series rows that changed
    (``validation_series_change``): a series taken up since gets its row, a changed one its
    figures, an unchanged one is left alone (its row version does not move)."""
    person = person_create(series=("engineering",))
    rec(person, hours=42)
    bystander = person_create(series=("engineering",))
    rec(bystander, hours=40)
    summaries_refresh(year=YEAR, today=TODAY)  # the first fill
    assert set(stored(person)[1]) == {"engineering"}

    def versions() -> dict[int, str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT person_id, xmin::text FROM credits_yearseriessummary WHERE year = %s",
                [YEAR],
            )
            return dict(cursor.fetchall())

    before = versions()
    person.series.add(ProfessionalSeries.objects.get(code="accounting"))
    rec(person, series="accounting", hours=24)
    rec(person, hours=3)
    summaries_refresh(
        year=YEAR, today=TODAY, person_ids=[person.pk, bystander.pk] if listed else None
    )
    series = stored(person)[1]
    assert set(series) == {"engineering", "accounting"}
    assert series["engineering"][1] == 45 and series["accounting"][1] == 24
    assert versions()[bystander.pk] == before[bystander.pk]
    summary = stored(person)[0]
    assert summary.professional_earned == 45 + 24


@pytest.mark.parametrize("special", [False, True], ids=["ordinary", "degree_study"])
def test_a_whole_year_run_refreshes_a_person_who_now_holds_no_series(
    db: None, special: bool
) -> None:
    person = person_create(series=("engineering",))
    rec(person, category="public", series=None, hours=30)
    rec(person, hours=42)
    rec(person, category="elective", series=None, hours=18, kind="degree_study" if special else "")
    summaries_refresh(year=YEAR, today=TODAY)
    assert stored(person)[0].compliant is True

    person.series.clear()
    summaries_refresh(year=YEAR, today=TODAY)

    summary, series = stored(person)
    assert (summary.public_earned, summary.professional_earned, summary.compliant) == (
        0,
        0,
        False,
    )
    assert series == {}
    # The per-person path gives the same.
    summaries_refresh(year=YEAR, person_ids=[person.pk], today=TODAY)
    assert stored(person)[0].compliant is False


@pytest.mark.parametrize(
    ("category", "series"), [("professional", "engineering"), ("elective", None)]
)
def test_an_activity_of_a_series_no_longer_held_counts_nothing_on_the_page_and_in_validation(
    db: None, category: str, series: str | None
) -> None:
    from credits.selectors.records import person_year_explanation

    person = person_create(series=("engineering", "accounting"))
    rec(person, category="public", series=None, hours=30)
    rec(person, hours=42)
    rec(person, category="elective", series=None, hours=18)
    # An accounting activity stored under another series or none (older data, an employer's
    # entry): the page used to evaluate it and fail on the series the person no longer holds.
    Record.objects.create(
        person=person,
        year=YEAR,
        category=category,
        series=ProfessionalSeries.objects.get(code=series) if series else None,
        hours=Decimal(30),
        original_amount=Decimal(1),
        original_unit=Record.Unit.ACTIVITY,
        activity_code="paper_first_author",
        title="Paper",
        form=Record.Form.OTHER,
        start_date=date(YEAR, 5, 1),
        end_date=date(YEAR, 5, 1),
        status=Record.Status.APPROVED,
    )
    person.series.remove(ProfessionalSeries.objects.get(code="accounting"))

    summaries_refresh(year=YEAR, today=TODAY)
    explanation = person_year_explanation(person, YEAR, today=TODAY)

    assert explanation.errors == ()
    assert explanation.result is not None and explanation.result.compliant
    assert [c.record.title for c in explanation.counted if c.outcome is None] == ["Paper"]
    assert stored(person)[0].compliant is True


@postgresql_only
def test_a_per_person_refresh_evaluates_only_the_special_persons(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The listed persons go through the whole-year SQL restricted to them; only those with a
    # record the SQL leaves to the evaluator (an accounting activity) through the evaluator,
    # as in the whole-year run. Degree study and in-house training stay on the SQL path.
    from credits.services.validation import whole_year

    ordinary, special = person_create(), person_create(series=("engineering", "accounting"))
    unlisted = person_create()
    rec(ordinary, hours=30)
    rec(ordinary, category="elective", series=None, kind="degree_study", hours=20)
    rec(ordinary, category="public", series=None, kind="inhouse_training", hours=6)
    rec(special, category="elective", series=None, kind="degree_study", hours=20)
    rec(special, category="elective", series=None, activity="paper_first_author", hours=30)
    rec(unlisted, hours=30)
    evaluated: list[list[int]] = []
    compute = whole_year.summaries_compute

    def spy(**kwargs: Any) -> Any:
        evaluated.append(list(kwargs["person_ids"]))
        return compute(**kwargs)

    monkeypatch.setattr(whole_year, "summaries_compute", spy)

    count = summaries_refresh(year=YEAR, person_ids=[ordinary.pk, special.pk], today=TODAY)

    assert count == 2
    assert evaluated == [[special.pk]]
    rules = rulebook_load()
    assert_matches_evaluator(ordinary, rules)
    assert_matches_evaluator(special, rules)
    assert not YearSummary.objects.filter(person=unlisted).exists()


def test_summaries_have_no_database_foreign_keys_but_follow_their_person(db: None) -> None:
    # Derived data written in bulk: a foreign key's per-row check at commit doubled the first
    # fill of a year (decision 0006), so the tables have none; the ORM still deletes a
    # person's summaries with the person and refuses to delete a series they name.
    from django.db.models import ProtectedError

    for model in (YearSummary, YearSeriesSummary):
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
        assert [name for name, c in constraints.items() if c["foreign_key"]] == []
    person, other = person_create(), person_create()
    rec(person, hours=30)
    rec(other, hours=30)
    summaries_refresh(year=YEAR, today=TODAY)
    assert YearSeriesSummary.objects.filter(person=person).exists()

    with pytest.raises(ProtectedError):
        ProfessionalSeries.objects.get(code="engineering").delete()
    Record.objects.filter(person=person).delete()  # records protect their person
    person.delete()

    assert not YearSummary.objects.filter(person_id=person.pk).exists()
    assert not YearSeriesSummary.objects.filter(person_id=person.pk).exists()
    assert YearSummary.objects.filter(person=other).exists()


@pytest.mark.parametrize(
    ("hours", "tenths"),
    [("0", 0), ("7.2", 72), ("72", 720), ("0.25", 3), ("0.21", 3), ("19.99", 200)],
)
def test_requirements_become_tenths_rounded_up_so_integer_comparisons_stay_exact(
    hours: str, tenths: int
) -> None:
    """The set-based SQL compares whole tenths earned with a requirement in tenths: rounding a
    requirement of more decimal places up keeps ``earned >= required`` exact."""
    from credits.services.validation.whole_year import tenths_up

    assert tenths_up(Decimal(hours)) == tenths
    for earned in range(tenths - 2, tenths + 3):
        assert (earned >= tenths_up(Decimal(hours))) is (Decimal(earned) / 10 >= Decimal(hours))
