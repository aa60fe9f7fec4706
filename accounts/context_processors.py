from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def acting_role(request: HttpRequest) -> dict[str, Any]:
    return {
        "roles": getattr(request, "roles", []),
        "acting_role": getattr(request, "acting_role", None),
        "org_perms": getattr(request, "organisation_perms", frozenset()),
    }
