"""The client's address as the rate limits and the login lockout see it.

Behind N reverse proxies (``settings.NUM_PROXIES``, from the environment), each proxy appends
the address it received the request from to ``X-Forwarded-For``, so the client is the N-th
address from the right; anything further left was written by the client and is not trusted.
Without proxies (N = 0) the header is ignored and ``REMOTE_ADDR`` is the client.  This is the
rule DRF's throttles apply with ``REST_FRAMEWORK["NUM_PROXIES"]`` (set from the same
setting); django-axes uses this function through ``AXES_CLIENT_IP_CALLABLE``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    remote_addr = str(request.META.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "NUM_PROXIES", 0) or 0)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    if proxies <= 0 or not forwarded.strip():
        return remote_addr
    addresses = [a.strip() for a in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))] or remote_addr
