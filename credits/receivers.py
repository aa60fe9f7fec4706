"""Receivers of other apps' signals; each only calls a credits service."""

from __future__ import annotations

from typing import Any

from accounts.api import Employment, User
from credits.selectors.records import rulebook_changed
from credits.services.reviews import records_return_on_unbind


def return_records_on_unbind(
    sender: type, *, actor: User | None, employment: Employment, **kwargs: Any
) -> None:
    records_return_on_unbind(actor=actor, employment=employment)


def rule_table_changed(sender: type, **kwargs: Any) -> None:
    """post_save/post_delete/m2m_changed of a rule table: the cached rule book is stale."""
    if kwargs.get("raw"):
        return  # loaddata: no rule book was read from these rows yet
    action = kwargs.get("action")
    if action is not None and not action.startswith("post_"):
        return  # m2m_changed fires pre_ and post_; one bump is enough
    rulebook_changed()
