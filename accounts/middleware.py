from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from accounts import selectors

ACTING_ROLE_SESSION_KEY = "acting_role"


class ActingRoleMiddleware:
    """Attach the login's roles and the one it currently acts in, computed only when used."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        def roles() -> list[selectors.RoleOption]:
            if not request.user.is_authenticated:
                return []
            return selectors.roles_for_user(request.user)

        def current() -> selectors.RoleOption | None:
            options = request.roles  # type: ignore[attr-defined]
            if not options:
                return None
            wanted = request.session.get(ACTING_ROLE_SESSION_KEY)
            return next((o for o in options if o.key == wanted), options[0])

        request.roles = SimpleLazyObject(roles)  # type: ignore[attr-defined]
        request.acting_role = SimpleLazyObject(current)  # type: ignore[attr-defined]
        return self.get_response(request)
