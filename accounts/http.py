"""The request type views see once accounts.permissions has let them in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import User
    from accounts.selectors import RoleOption


class AuthedRequest(HttpRequest):
    user: User
    roles: list[RoleOption]
    acting_role: RoleOption | None
    organisation_perms: frozenset[str]
