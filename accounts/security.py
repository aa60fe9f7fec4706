"""Security events on the audit log: receivers for Django's and django-axes' auth signals.

Each receiver only reads the request and calls `services.security_event_log`; they are
connected in `AccountsConfig.ready()`. Password changes and resets are audited by their views
(Django sends no signal for them), refused access by the 403 handler (accounts.errors).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from accounts import services
from accounts.models import SecurityEvent, User
from portal.client_ip import client_ip


def security_event(
    request: HttpRequest | None,
    action: SecurityEvent,
    *,
    user: Any = None,
    reason: str = "",
) -> None:
    """Audit `action` for `request` (user, client IP, path)."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    services.security_event_log(
        action=action,
        user=user,
        ip=client_ip(request) if request is not None else None,
        path=request.path if request is not None else "",
        reason=reason,
    )


def _user_by_username(username: str) -> User | None:
    if not username:
        return None
    return get_user_model().objects.filter(username__iexact=username).first()


def on_logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    security_event(request, SecurityEvent.LOGIN, user=user)


def on_logged_out(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is not None:
        security_event(request, SecurityEvent.LOGOUT, user=user)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already masked the password in `credentials`; keep only the username typed.
    username = str(credentials.get("username", ""))
    security_event(
        request,
        SecurityEvent.LOGIN_FAILED,
        user=_user_by_username(username),
        reason=f"username: {username}",
    )


def on_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any
) -> None:
    security_event(
        request,
        SecurityEvent.LOCKED_OUT,
        user=_user_by_username(username or ""),
        reason=f"username: {username or ''}",
    )


def connect() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(on_logged_in, dispatch_uid="accounts.security.logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="accounts.security.logged_out")
    user_login_failed.connect(on_login_failed, dispatch_uid="accounts.security.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="accounts.security.locked_out")
