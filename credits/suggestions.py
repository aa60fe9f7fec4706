"""What other apps suggest on the progress page to close a person's shortfall (issue 9,
"What fills my gap").

Apps above credits (courses) register a provider here in their ``AppConfig.ready()``
through ``credits.api.progress_suggestions_register``; the progress page works out the
year's shortfalls that can still be filled, calls every provider with them, and renders
what they return, each suggestion with the provider's own template include.  Credits never
imports those apps (docs/decisions/0009-app-boundaries.md), as ``accounts.home`` does for
the home pages.

A provider must run a fixed number of queries whatever the person's records, classes or
courses (the progress page's query count is asserted).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from accounts.api import Person
from credits import rules


@dataclass(frozen=True)
class Shortfall:
    """Hours still missing in one category (professional: in one series) of a year, and
    the last day that year accepts records of that kind."""

    category: str
    """``public``, ``professional`` or ``elective`` (``credits.rules``)."""
    hours: Decimal
    deadline: date
    series: str = ""
    """The series code (professional shortfalls only)."""
    series_name: str = ""


@dataclass(frozen=True)
class GapSuggestion:
    """One provider's answer to one shortfall: ``items`` (what to take, in the order to
    show) rendered by the provider's ``template`` include, which gets this object as
    ``suggestion``; ``hours`` is what the items add up to; ``more`` are further options
    the provider shows apart; ``underway`` is what the person already takes towards the
    shortfall (e.g. classes enrolled in), worth ``underway_hours`` once it counts."""

    shortfall: Shortfall
    template: str
    items: tuple[object, ...]
    hours: Decimal
    more: tuple[object, ...] = ()
    underway: tuple[object, ...] = ()
    underway_hours: Decimal = Decimal(0)

    @property
    def covers(self) -> bool:
        """Whether what is underway and every item together close the shortfall."""
        return self.hours + self.underway_hours >= self.shortfall.hours


@dataclass(frozen=True)
class GapRow:
    """A shortfall and what the registered providers suggest for it (maybe nothing)."""

    shortfall: Shortfall
    suggestions: tuple[GapSuggestion, ...]


# (person, year, the year's open shortfalls) → suggestions, each naming its shortfall
ProgressSuggestions = Callable[[Person, int, tuple[Shortfall, ...]], list[GapSuggestion]]

_providers: dict[str, ProgressSuggestions] = {}


def progress_suggestions_register(key: str, provider: ProgressSuggestions) -> None:
    """Show ``provider``'s suggestions on the progress page (one provider per ``key``)."""
    _providers[key] = provider


def year_shortfalls(
    result: rules.EvaluationResult | None,
    windows: rules.Windows,
    series_names: Mapping[str, str],
    *,
    today: date,
) -> tuple[Shortfall, ...]:
    """The shortfalls of an evaluated year that records can still fill on ``today``
    (public first, then each series' professional hours, then elective); none once the
    year's window for that kind of record has closed."""
    if result is None:
        return ()
    found: list[Shortfall] = []
    gap = result.shortfall
    if gap.public > 0:
        found.append(Shortfall(rules.PUBLIC, gap.public, windows.public))
    for code, hours in gap.professional.items():
        if hours > 0:
            deadline = windows.deadline(category=rules.PROFESSIONAL, series=code)
            found.append(
                Shortfall(rules.PROFESSIONAL, hours, deadline, code, series_names.get(code, code))
            )
    if gap.elective > 0:
        found.append(Shortfall(rules.ELECTIVE, gap.elective, windows.declaration))
    return tuple(s for s in found if s.deadline >= today)


def progress_suggestions(
    person: Person, year: int, shortfalls: Iterable[Shortfall]
) -> list[GapRow]:
    """Every shortfall with what the registered providers suggest for it (in the order the
    providers registered); no provider is called when nothing is short."""
    wanted = tuple(shortfalls)
    if not wanted:
        return []
    found = [item for provider in _providers.values() for item in provider(person, year, wanted)]
    return [
        GapRow(short, tuple(item for item in found if item.shortfall == short)) for short in wanted
    ]
