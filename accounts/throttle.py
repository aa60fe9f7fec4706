"""A small fixed-window throttle on the Django cache, per client address.

Used on the anonymous registration forms so nobody can probe them at speed
(docs/decisions/0004-no-id-number-oracles.md).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from portal.client_ip import client_ip


def throttle_hit(scope: str, request: HttpRequest, *, limit: int, window: int) -> bool:
    """Count one attempt; ``True`` once the address has made more than `limit` in the window.

    The address is the client's as seen through ``NUM_PROXIES`` reverse proxies
    (``portal.client_ip``): behind the proxy, REMOTE_ADDR is the proxy's for everyone, and one
    client could use up everybody's allowance."""
    key = f"throttle:{scope}:{client_ip(request) or 'unknown'}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


def registration_throttle(
    view: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Answer 429 to an address that POSTs registration forms too often."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST" and throttle_hit(
            "register",
            request,
            limit=settings.REGISTRATION_THROTTLE_LIMIT,
            window=settings.REGISTRATION_THROTTLE_WINDOW,
        ):
            return render(request, "accounts/throttled.html", status=429)
        return view(request, *args, **kwargs)

    return wrapped
