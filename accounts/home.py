"""What other apps add to the home pages.

The apps above accounts (credits, certificates …) register a provider here in their
``AppConfig.ready()``; accounts calls whatever is registered and never imports those apps
(docs/decisions/0009-app-boundaries.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from accounts.models import Organisation, Person


@dataclass(frozen=True)
class Waiting:
    """One count on a role's home page: what waits for this role, and where to act on it."""

    label: str
    count: int
    url: str


# (organisation, the user's permission codenames on it) → the counts to show
OrganisationWaiting = Callable[[Organisation, frozenset[str]], list[Waiting]]
# person → extra template context of the person's home page
PersonHome = Callable[[Person], dict[str, object]]

_organisation_waiting: dict[str, OrganisationWaiting] = {}
_person_home: dict[str, PersonHome] = {}


def organisation_waiting_register(key: str, provider: OrganisationWaiting) -> None:
    """Add `provider`'s counts to every organisation's home page (one provider per `key`)."""
    _organisation_waiting[key] = provider


def person_home_register(key: str, provider: PersonHome) -> None:
    """Add `provider`'s context to the person's home page (one provider per `key`)."""
    _person_home[key] = provider


def organisation_waiting(organisation: Organisation, perms: frozenset[str]) -> list[Waiting]:
    """The counts every registered app shows on `organisation`'s home page, in the order the
    apps registered."""
    return [
        item
        for provider in _organisation_waiting.values()
        for item in provider(organisation, perms)
    ]


def person_home(person: Person) -> dict[str, object]:
    """The context every registered app adds to `person`'s home page."""
    context: dict[str, object] = {}
    for provider in _person_home.values():
        context.update(provider(person))
    return context
