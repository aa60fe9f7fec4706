"""What other apps may use of the credits app: nothing else of it is imported from outside."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from credits.rules import (
    EvaluationError,
    EvaluationInput,
    EvaluationResult,
    Profile,
    RecordInput,
    evaluate,
)
from credits.selectors import rulebook_load

__all__ = [
    "EvaluationError",
    "EvaluationResult",
    "Profile",
    "RecordInput",
    "evaluate_year",
]


def evaluate_year(
    *,
    year: int,
    series: Iterable[str],
    profile: Profile | None = None,
    records: Iterable[RecordInput] = (),
    today: date | None = None,
) -> EvaluationResult:
    """Check one person's year against the requirements the database holds now.

    Raises ``EvaluationError`` (``errors`` maps field paths such as ``records[1].series`` to
    messages) on invalid input.  ``today`` defaults to the local date; it bounds the year.
    """
    data = EvaluationInput(
        year=year,
        series=tuple(series),
        profile=profile if profile is not None else Profile(),
        records=tuple(records),
    )
    return evaluate(
        data, rulebook_load(), today=today if today is not None else timezone.localdate()
    )
