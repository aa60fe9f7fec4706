from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.selectors import unread_notice_count


def acting_role(request: HttpRequest) -> dict[str, Any]:
    return {
        "roles": getattr(request, "roles", []),
        "acting_role": getattr(request, "acting_role", None),
        "org_perms": getattr(request, "organisation_perms", frozenset()),
    }


def unread_notices(request: HttpRequest) -> dict[str, Any]:
    """The header's unread-notice badge: one COUNT, and only for a logged-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": unread_notice_count(user)}
