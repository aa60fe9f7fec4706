"""The client's address as the portal trusts it: one helper for audit entries and throttles."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """REMOTE_ADDR, or, behind `settings.NUM_PROXIES` reverse proxies, the address the outermost
    trusted proxy saw (that many hops from the right of X-Forwarded-For), as DRF does.

    Entries further left in X-Forwarded-For are written by the client and never trusted.
    """
    remote = str(request.META.get("REMOTE_ADDR", "")).strip()
    proxies = int(getattr(settings, "NUM_PROXIES", 0) or 0)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    if proxies <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote
    return hops[-min(proxies, len(hops))]
