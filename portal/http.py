"""The request type views see once the access policies (accounts.api.access, org_access) and
the acting-role middleware have let them in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.api import RoleOption, User


class AuthedRequest(HttpRequest):
    user: User
    roles: list[RoleOption]
    acting_role: RoleOption | None
    organisation_perms: frozenset[str]
