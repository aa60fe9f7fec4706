"""The rule book loaded from the requirement tables (seeded by credits/0002)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from accounts.models import ProfessionalSeries
from credits.models import ActivityConversion, DegreeStudyRule, RequirementScheme, YearSetting
from credits.rules import (
    EvaluationInput,
    Profile,
    RecordInput,
    RuleBook,
    evaluate,
)
from credits.selectors import rulebook_load

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 1)


def test_seeded_rulebook_equals_the_default_rulebook() -> None:
    loaded = rulebook_load()
    default = RuleBook.default()

    assert loaded.schemes == default.schemes
    assert loaded.year_settings == default.year_settings
    assert loaded.activities == default.activities
    assert loaded.degree_study == default.degree_study
    assert loaded.min_year == default.min_year
    assert loaded.max_hours_per_record == default.max_hours_per_record
    # Known series come from the series catalogue, which may hold more than the defaults.
    assert loaded.known_series >= default.known_series
    assert loaded.known_series == set(ProfessionalSeries.objects.values_list("code", flat=True))
    assert dataclasses.replace(loaded, known_series=default.known_series) == default


@pytest.mark.parametrize("year", [2010, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2025])
def test_seeded_rulebook_evaluates_like_the_default(year: int) -> None:
    data = EvaluationInput(
        year=year,
        series=("engineering", "accounting", "archives"),
        profile=Profile(accounting_start_year=2019, archives_new_post_year=2021),
        records=(
            RecordInput("public", hours=Decimal(20)),
            RecordInput("professional", series="engineering", days=Decimal(3)),
            RecordInput("professional", series="archives", minutes=Decimal(100)),
            RecordInput("elective", kind="degree_study", hours=Decimal(80)),
            RecordInput("professional", activity="conference_day", quantity=Decimal(2)),
        ),
    )

    loaded = evaluate(data, rulebook_load(), today=TODAY)
    default = evaluate(data, RuleBook.default(), today=TODAY)

    assert loaded == default


def test_rulebook_load_runs_a_fixed_number_of_queries(
    django_assert_max_num_queries: object,
) -> None:
    for index in range(5):
        YearSetting.objects.create(
            year=2030 + index,
            hours_per_day=Decimal(8),
            minutes_per_hour=45,
            declaration_deadline=date(2031 + index, 1, 31),
            public_catch_up_deadline=date(2031 + index, 1, 31),
        )

    with django_assert_max_num_queries(7):  # type: ignore[operator]
        rulebook = rulebook_load()

    assert len(rulebook.schemes) == 4


def test_rulebook_load_reads_new_rows_without_caching() -> None:
    before = rulebook_load()
    scheme = RequirementScheme.objects.create(
        code="general_2026",
        name="General from 2026",
        valid_from=date(2026, 1, 1),
        total=Decimal(100),
        public=Decimal(30),
        professional=Decimal(50),
        elective=Decimal(20),
        allows_elective=True,
    )
    scheme.series.set(ProfessionalSeries.objects.filter(code__in=["engineering", "economics"]))
    DegreeStudyRule.objects.update(cap_hours=Decimal(60))

    after = rulebook_load()

    assert "general_2026" not in {s.code for s in before.schemes}
    loaded = next(s for s in after.schemes if s.code == "general_2026")
    assert loaded.series_codes == ("economics", "engineering")
    assert loaded.valid_to is None
    assert loaded.professional == Decimal(50)
    assert after.degree_study.cap_hours == Decimal(60)
    assert after.degree_study.excluded_series == ("education", "health")


def test_activity_series_is_loaded_by_code() -> None:
    ActivityConversion.objects.create(
        code="engineering_patent",
        series=ProfessionalSeries.objects.get(code="engineering"),
        target=ActivityConversion.Target.PROFESSIONAL,
        hours=Decimal("12.5"),
    )

    conversion = rulebook_load().activity("engineering_patent")

    assert conversion is not None
    assert (conversion.series, conversion.target, conversion.hours, conversion.unit) == (
        "engineering",
        "professional",
        Decimal("12.5"),
        "item",
    )


def test_without_a_degree_study_row_the_seeded_rule_applies() -> None:
    DegreeStudyRule.objects.all().delete()

    assert rulebook_load().degree_study == RuleBook.default().degree_study


def test_the_seed_migration_keeps_its_rows_frozen() -> None:
    """Editing credits.rules.defaults must never rewrite history: the migration holds its rows."""
    import ast
    import importlib
    import inspect

    migration = importlib.import_module("credits.migrations.0002_seed_rules")
    tree = ast.parse(inspect.getsource(migration))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"datetime", "decimal", "django.db"}
    assert {row[0] for row in migration.SCHEMES} == {
        "general_legacy",
        "general_2021",
        "accounting_2018",
        "archives_2019",
    }
