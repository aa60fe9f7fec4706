"""Who certifies a record, and until when a year accepts records (pure; no Django).

See docs/decisions/0008-certification-routes-and-deadlines.md for the readings of the seeds.

* ``route_for``: the most specific ``CertificationRoute`` matching a record's series,
  category, source and declared year (series beats source beats category, then the latest
  start year); without any match the employer reviews it.
* ``windows_for``: the last day a year accepts a record: public records until the year's
  public-subject study window ends, every other record until the year's declaration
  deadline, or the series' own deadline when one is set (accounting's 补登).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .evaluator import default_declaration_deadline, settings_for_year
from .types import (
    CERTIFIER_EMPLOYER,
    PUBLIC,
    CertificationRoute,
    RuleBook,
    SeriesDeadline,
)

__all__ = [
    "EMPLOYER_REVIEW",
    "Windows",
    "default_declaration_deadline",
    "route_for",
    "windows_for",
]

EMPLOYER_REVIEW = CertificationRoute(certifier=CERTIFIER_EMPLOYER)
"""The route of a record no row matches."""


def route_for(
    routes: Iterable[CertificationRoute],
    *,
    series: str | None,
    category: str,
    source: str,
    year: int,
) -> CertificationRoute:
    """The route of one record: the most specific matching row, else the employer's review."""
    matching = [r for r in routes if r.matches(series, category, source, year)]
    if not matching:
        return EMPLOYER_REVIEW
    return max(matching, key=lambda r: r.specificity)


@dataclass(frozen=True)
class Windows:
    """The last days one year accepts records: ``public`` (public-subject study),
    ``declaration`` (records the employer reviews, and pushed ones), and ``series`` (a
    series' own deadline, replacing ``declaration`` for records naming it)."""

    year: int
    public: date
    declaration: date
    series: tuple[tuple[str, date], ...] = ()

    def deadline(self, *, category: str, series: str | None) -> date:
        if category == PUBLIC:
            return self.public
        own = dict(self.series)
        if series is not None and series in own:
            return own[series]
        return self.declaration


def windows_for(year: int, book: RuleBook) -> Windows:
    """The windows of ``year`` from the rule book (defaults for a year without a row)."""
    return book.memo(("windows", year), lambda: _windows(year, book))


def _windows(year: int, book: RuleBook) -> Windows:
    settings = settings_for_year(year, book.year_settings)
    own: list[SeriesDeadline] = sorted(
        (d for d in book.series_deadlines if d.year == year), key=lambda d: d.series
    )
    return Windows(
        year=year,
        public=settings.public_catch_up_deadline,
        declaration=settings.declaration_deadline,
        series=tuple((d.series, d.declaration_deadline) for d in own),
    )
