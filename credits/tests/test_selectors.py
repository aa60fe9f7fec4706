"""The rule book loaded from the requirement tables (seeded by credits/0002)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from accounts.models import ProfessionalSeries
from credits.models import ActivityConversion, DegreeStudyRule, RequirementScheme, YearSetting
from credits.rules import (
    EvaluationInput,
    Profile,
    RecordInput,
    defaults,
    evaluate,
)
from credits.selectors.records import RULEBOOK_VERSION_KEY, rulebook_load

pytestmark = pytest.mark.django_db

TODAY = date(2024, 6, 1)


def test_seeded_rulebook_equals_the_default_rulebook() -> None:
    loaded = rulebook_load()
    default = defaults.rulebook()

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
    default = evaluate(data, defaults.rulebook(), today=TODAY)

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

    with django_assert_max_num_queries(11):  # type: ignore[operator]
        rulebook = rulebook_load()

    assert len(rulebook.schemes) == 4


def test_rulebook_edits_through_the_orm_are_seen_at_once() -> None:
    """As the admin edits: save, delete and many-to-many changes each reach the next load."""
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
    assert "general_2026" in {s.code for s in rulebook_load().schemes}
    scheme.series.set(ProfessionalSeries.objects.filter(code__in=["engineering", "economics"]))
    rule = DegreeStudyRule.objects.get()
    rule.cap_hours = Decimal(60)
    rule.save()

    after = rulebook_load()

    assert "general_2026" not in {s.code for s in before.schemes}
    loaded = next(s for s in after.schemes if s.code == "general_2026")
    assert loaded.series_codes == ("economics", "engineering")
    assert loaded.valid_to is None
    assert loaded.professional == Decimal(50)
    assert after.degree_study.cap_hours == Decimal(60)
    assert after.degree_study.excluded_series == ()

    rule.excluded_series.add(ProfessionalSeries.objects.get(code="health"))
    assert rulebook_load().degree_study.excluded_series == ("health",)
    YearSetting.objects.get(year=2023).delete()
    assert 2023 not in {y.year for y in rulebook_load().year_settings}
    ProfessionalSeries.objects.create(code="new_series", name="新系列", name_en="New series")
    assert "new_series" in rulebook_load().known_series


def test_an_unchanged_rulebook_costs_no_query(django_assert_num_queries: Any) -> None:
    first = rulebook_load()

    with django_assert_num_queries(0):
        again = rulebook_load()

    assert again is first


def test_another_process_edit_is_noticed_through_the_shared_version() -> None:
    """The copy is kept while the shared version is unchanged (an edit without signals, as
    from another process before its bump, is not seen), and dropped once the version moves."""
    rulebook_load()
    DegreeStudyRule.objects.update(cap_hours=Decimal(70))  # no signal: nothing bumped yet
    assert rulebook_load().degree_study.cap_hours != Decimal(70)

    cache.set(RULEBOOK_VERSION_KEY, "bumped-by-another-process", timeout=None)

    assert rulebook_load().degree_study.cap_hours == Decimal(70)


def test_a_rolled_back_edit_is_not_kept_in_the_process() -> None:
    rule = DegreeStudyRule.objects.get()
    cap = rule.cap_hours
    rulebook_load()
    with pytest.raises(RuntimeError), transaction.atomic():
        rule.cap_hours = Decimal(61)
        rule.save()
        assert rulebook_load().degree_study.cap_hours == Decimal(61)  # its own edit
        raise RuntimeError("the admin's save failed later")

    assert rulebook_load().degree_study.cap_hours == cap


def test_the_version_moves_again_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A process that read the old rows between the edit and its commit must not keep them."""
    rulebook_load()
    with django_capture_on_commit_callbacks() as callbacks:
        YearSetting.objects.filter(year=2023).get().save()
        during = cache.get(RULEBOOK_VERSION_KEY)
    callbacks_run = len(callbacks)
    for callback in callbacks:
        callback()

    assert callbacks_run >= 1
    assert cache.get(RULEBOOK_VERSION_KEY) != during


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

    assert rulebook_load().degree_study == defaults.rulebook().degree_study


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
