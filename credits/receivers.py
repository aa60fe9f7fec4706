"""Receivers of other apps' signals; each only calls a credits service."""

from __future__ import annotations

from typing import Any

from accounts.api import Employment, User
from credits.services.reviews import records_return_on_unbind


def return_records_on_unbind(
    sender: type, *, actor: User | None, employment: Employment, **kwargs: Any
) -> None:
    records_return_on_unbind(actor=actor, employment=employment)
