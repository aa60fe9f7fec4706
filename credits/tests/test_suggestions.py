"""The progress page's extension point for suggestions (credits.suggestions): which
shortfalls providers are asked about, and that credits calls what is registered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from credits import rules, suggestions
from credits.rules.types import Breakdown, EvaluationResult
from credits.suggestions import GapSuggestion, Shortfall

WINDOWS = rules.Windows(
    year=2024,
    public=date(2025, 4, 30),
    declaration=date(2025, 12, 31),
    series=(("archives", date(2025, 6, 30)),),
)


def result(public: int, elective: int, **professional: int) -> EvaluationResult:
    zero = Breakdown(Decimal(0), Decimal(0), {})
    short = Breakdown(
        Decimal(public), Decimal(elective), {k: Decimal(v) for k, v in professional.items()}
    )
    return EvaluationResult(2024, False, zero, zero, short, (), ())


def test_shortfalls_list_what_is_short_with_each_kinds_deadline() -> None:
    found = suggestions.year_shortfalls(
        result(10, 0, engineering=34, archives=60, accounting=0),
        WINDOWS,
        {"engineering": "工程", "archives": "档案"},
        today=date(2024, 4, 1),
    )

    assert found == (
        Shortfall("public", Decimal(10), date(2025, 4, 30)),
        Shortfall("professional", Decimal(34), date(2025, 12, 31), "engineering", "工程"),
        Shortfall("professional", Decimal(60), date(2025, 6, 30), "archives", "档案"),
    )


def test_shortfalls_whose_window_closed_are_left_out() -> None:
    found = suggestions.year_shortfalls(
        result(10, 18, engineering=34, archives=60), WINDOWS, {}, today=date(2025, 7, 1)
    )

    assert [(s.category, s.series) for s in found] == [
        ("professional", "engineering"),
        ("elective", ""),
    ]
    assert suggestions.year_shortfalls(None, WINDOWS, {}, today=date(2024, 4, 1)) == ()


@pytest.fixture
def provider_calls() -> Iterator[list[tuple[int, tuple[Shortfall, ...]]]]:
    calls: list[tuple[int, tuple[Shortfall, ...]]] = []

    def provider(person: object, year: int, wanted: tuple[Shortfall, ...]) -> list[GapSuggestion]:
        calls.append((year, wanted))
        return [GapSuggestion(wanted[0], "x.html", ("item",), Decimal(4))]

    saved = dict(suggestions._providers)
    suggestions._providers.clear()  # only this test's provider (the others query the database)
    suggestions.progress_suggestions_register("test", provider)
    yield calls
    suggestions._providers.clear()
    suggestions._providers.update(saved)


def test_registered_providers_answer_each_shortfall_and_nothing_short_asks_none(
    provider_calls: list[tuple[int, tuple[Shortfall, ...]]],
) -> None:
    public = Shortfall("public", Decimal(10), date(2025, 4, 30))
    elective = Shortfall("elective", Decimal(18), date(2025, 12, 31))

    rows = suggestions.progress_suggestions(object(), 2024, [public, elective])  # type: ignore[arg-type]
    nothing = suggestions.progress_suggestions(object(), 2024, [])  # type: ignore[arg-type]

    assert provider_calls == [(2024, (public, elective))]
    assert [(row.shortfall, len(row.suggestions)) for row in rows] == [(public, 1), (elective, 0)]
    assert not rows[0].suggestions[0].covers
    assert nothing == []
