"""Confirmed profile facts (accounting art. 6, archives art. 9) change a year's requirement in
the three places that evaluate it: the evaluator, the progress page and the set-based
whole-year validation (and its per-person refresh), which must agree (PostgreSQL)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from accounts import services as account_services
from accounts.models import Decision, Person, ProfessionalSeries, ProfileFact
from credits import api
from credits.models import Record, YearSeriesSummary, YearSummary
from credits.rules import Profile, RecordInput
from credits.selectors.records import first_year_in_post, person_year_explanation, profile_of
from credits.services.validation import summaries_refresh
from tests.factories import World, admin_of, bind, person_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


YEAR = 2023
TODAY = date(2024, 3, 1)
_titles = itertools.count()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(name: str = "proof.pdf", content: bytes = PDF) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _approved(person: Person, *, category: str, series: str | None, hours: int) -> Record:
    day = date(YEAR, 3, 1)
    return Record.objects.create(
        person=person,
        year=YEAR,
        category=category,
        series=ProfessionalSeries.objects.get(code=series) if series else None,
        hours=Decimal(hours),
        original_amount=Decimal(hours),
        title=f"Course {next(_titles)}",
        form=Record.Form.CLASS,
        start_date=day,
        end_date=day,
        status=Record.Status.APPROVED,
    )


def _fact(
    world: World,
    person: Person,
    kind: str,
    on: date,
    *,
    basis: str = "",
    education: str = "",
    confirm: bool = True,
) -> ProfileFact:
    proof = _upload() if basis == "qualification" or education in ("bachelor",) else None
    fact = account_services.profile_fact_set(
        person=person, kind=kind, on=on, basis=basis, education=education, proof=proof
    )
    if confirm:
        fact = account_services.profile_fact_review(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            fact=fact,
            decision=Decision.APPROVE,
        )
    return fact


def _person(world: World, series: tuple[str, ...], professional: dict[str, int]) -> Person:
    """A person of ``world``'s employer with 30 h public and the given professional hours."""
    person = person_create(series=series)
    bind(person, world.employer)
    _approved(person, category="public", series=None, hours=30)
    for code, hours in professional.items():
        _approved(person, category="professional", series=code, hours=hours)
    return person


def _three_answers(person: Person) -> list[tuple[Any, ...]]:
    """(required public, required professional by series, compliant) from the evaluator
    (``api.evaluate_year`` over the person's records with the profile built by hand is in
    the test), the progress page, and the stored summary after a whole-year run and after a
    per-person refresh."""
    page = person_year_explanation(person, YEAR, today=TODAY).result
    assert page is not None
    explained = api.year_explanation(person=person, year=YEAR, today=TODAY)
    answers = [
        (page.required.public, dict(page.required.professional), page.compliant),
        (explained.required.public, dict(explained.required.professional), explained.compliant),
    ]
    for refresh in ({"person_ids": None}, {"person_ids": [person.pk]}):
        YearSummary.objects.filter(person=person).delete()
        YearSeriesSummary.objects.filter(person=person).delete()
        summaries_refresh(year=YEAR, today=TODAY, **refresh)
        summary = YearSummary.objects.get(person=person, year=YEAR)
        series = {
            row.series.code: row.required
            for row in YearSeriesSummary.objects.filter(person=person, year=YEAR).select_related(
                "series"
            )
        }
        answers.append((summary.public_required, series, summary.compliant))
    return answers


def _evaluator(person: Person, profile: Profile, records: list[RecordInput]) -> tuple[Any, ...]:
    series = tuple(sorted(person.series.values_list("code", flat=True)))
    result = api.evaluate_year(
        year=YEAR, series=series, profile=profile, records=records, today=TODAY
    )
    return (result.required.public, dict(result.required.professional), result.compliant)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
def test_accounting_start_requires_nothing_in_its_year_in_all_three_places(world: World) -> None:
    person = _person(world, ("accounting",), {})
    before = _three_answers(person)
    assert before[0] == (Decimal(30), {"accounting": Decimal(60)}, False)

    _fact(world, person, ProfileFact.Kind.ACCOUNTING_START, date(2023, 6, 1), basis="work")
    answers = _three_answers(person)
    expected = _evaluator(
        person,
        Profile(accounting_start_year=2023),
        [RecordInput(category="public", hours=Decimal(30))],
    )
    assert expected == (Decimal(0), {"accounting": Decimal(0)}, True)
    assert answers == [expected] * 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
def test_archives_new_post_without_degree_requires_80_in_all_three_places(world: World) -> None:
    person = _person(world, ("archives",), {"archives": 70})
    assert _three_answers(person)[0] == (Decimal(30), {"archives": Decimal(60)}, True)

    _fact(world, person, ProfileFact.Kind.ARCHIVES_POST, date(2023, 2, 1), education="secondary")
    answers = _three_answers(person)
    expected = _evaluator(
        person,
        Profile(archives_new_post_year=2023, archives_degree=False),
        [
            RecordInput(category="public", hours=Decimal(30)),
            RecordInput(category="professional", series="archives", hours=Decimal(70)),
        ],
    )
    assert expected == (Decimal(30), {"archives": Decimal(80)}, False)
    assert answers == [expected] * 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
def test_archives_new_post_with_a_degree_keeps_60_in_all_three_places(world: World) -> None:
    person = _person(world, ("archives", "engineering"), {"archives": 70, "engineering": 42})
    _fact(world, person, ProfileFact.Kind.ARCHIVES_POST, date(2023, 2, 1), education="bachelor")
    answers = _three_answers(person)
    assert answers[0] == (
        Decimal(30),
        {"archives": Decimal(60), "engineering": Decimal(42)},
        False,  # 18 h elective of the general scheme are missing
    )
    assert answers == [answers[0]] * 4


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
def test_persons_with_and_without_facts_share_a_whole_year_run(world: World) -> None:
    """One run over everyone: each person gets the requirement of their own profile."""
    plain = _person(world, ("archives",), {"archives": 70})
    new_post = _person(world, ("archives",), {"archives": 70})
    pending = _person(world, ("archives",), {"archives": 70})
    _fact(world, new_post, ProfileFact.Kind.ARCHIVES_POST, date(2023, 2, 1), education="none")
    _fact(
        world,
        pending,
        ProfileFact.Kind.ARCHIVES_POST,
        date(2023, 2, 1),
        education="none",
        confirm=False,
    )
    summaries_refresh(year=YEAR, today=TODAY)
    required = dict(
        YearSeriesSummary.objects.filter(year=YEAR, person__in=[plain, new_post, pending])
        .values_list("person_id", "required")
        .order_by("person_id")
    )
    assert required == {plain.pk: 60, new_post.pk: 80, pending.pk: 60}


def test_only_confirmed_facts_count(world: World) -> None:
    person = _person(world, ("accounting",), {})
    fact = _fact(
        world,
        person,
        ProfileFact.Kind.ACCOUNTING_START,
        date(2023, 6, 1),
        basis="work",
        confirm=False,
    )
    assert api.year_explanation(person=person, year=YEAR, today=TODAY).required.public == 30
    account_services.profile_fact_review(
        reviewer=admin_of(world.employer),
        employer=world.employer,
        fact=fact,
        decision=Decision.REJECT,
        reason="No contract shows this date.",
    )
    assert api.year_explanation(person=person, year=YEAR, today=TODAY).required.public == 30


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2023, 1, 1), 2023),
        (date(2023, 7, 2), 2023),  # 183 days left of 366 to 2024-07-02: a tie, the first year
        (date(2023, 7, 3), 2024),
        (date(2022, 7, 2), 2022),  # 183 of 365 days
        (date(2022, 7, 3), 2023),  # 182 of 365 days
        (date(2024, 2, 29), 2024),
        (date(2023, 12, 31), 2024),
    ],
)
def test_first_year_in_post_is_the_year_holding_more_of_the_twelve_months(
    day: date, year: int
) -> None:
    assert first_year_in_post(day) == year


def test_profile_of_maps_dates_to_years_and_education_to_degree() -> None:
    from accounts.api import ProfileFacts

    assert profile_of(None) == Profile()
    assert profile_of(
        ProfileFacts(
            accounting_start=date(2022, 12, 31),
            archives_post=date(2023, 9, 1),
            archives_degree=False,
        )
    ) == Profile(accounting_start_year=2022, archives_new_post_year=2024, archives_degree=False)


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


def test_confirming_and_changing_a_fact_refreshes_the_stored_summary_after_commit(
    world: World, eager_celery: None, django_capture_on_commit_callbacks: Any
) -> None:
    """The person's years are computed again once the change commits: confirming the fact,
    then changing it (back to pending), each move the stored figures."""
    person = _person(world, ("accounting",), {})
    summaries_refresh(year=YEAR, person_ids=[person.pk], today=TODAY)
    assert YearSummary.objects.get(person=person, year=YEAR).public_required == 30

    fact = _fact(
        world,
        person,
        ProfileFact.Kind.ACCOUNTING_START,
        date(2023, 1, 2),
        basis="work",
        confirm=False,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        account_services.profile_fact_review(
            reviewer=admin_of(world.employer),
            employer=world.employer,
            fact=fact,
            decision=Decision.APPROVE,
        )
    assert YearSummary.objects.get(person=person, year=YEAR).public_required == 30  # not yet
    assert len(callbacks) == 1
    callbacks[0]()
    assert YearSummary.objects.get(person=person, year=YEAR).public_required == 0

    with django_capture_on_commit_callbacks(execute=True):
        account_services.profile_fact_set(
            person=person, kind=fact.kind, on=date(2022, 1, 2), basis="work"
        )
    assert YearSummary.objects.get(person=person, year=YEAR).public_required == 30
