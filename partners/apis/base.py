"""What every partner API view shares: ``Authorization: Bearer <key>`` authentication, a rate
limit per key, RFC 9457 problem+json errors, and one key-use log row per request.

Other partner endpoints subclass ``PartnerApiView`` and wrap their URL in
``partner_key_access`` (the access policy the URL test reads: no session role is let in; the
key decides)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.api import Policy
from partners.models import Partner, PartnerKey
from partners.services.keys import key_find, key_usable
from partners.services.usage import key_use_log

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://ce-portal.gd.gov.cn/problems/"

# No session role is let in: a partner API URL answers 401 unless a usable key is sent.
PARTNER_KEY = Policy("sync partner API key (Authorization: Bearer)", frozenset())


def partner_key_access(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Declare the ``PARTNER_KEY`` policy on a partner API view (enforced by the view's
    authentication, not by a login session)."""
    view.access_policy = PARTNER_KEY  # type: ignore[attr-defined]
    return view


def json_bytes(data: Any) -> bytes:
    """The compact UTF-8 JSON every partner answer uses (stored as is for replays)."""
    return json.dumps(
        data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode()


def json_response(data: Any, *, status: int = 200) -> HttpResponse:
    return HttpResponse(json_bytes(data), status=status, content_type="application/json")


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str = "",
    *,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """An RFC 9457 problem details answer (``application/problem+json``)."""
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": title,
        "status": status,
        "detail": detail or title,
    }
    if errors:
        body["errors"] = {key: [str(m) for m in messages] for key, messages in errors.items()}
    response = HttpResponse(json_bytes(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class PartnerPrincipal:
    """``request.user`` of a partner request: the partner, authenticated by its key."""

    is_authenticated = True
    is_anonymous = False
    is_active = True

    def __init__(self, partner: Partner) -> None:
        self.partner = partner
        self.pk = None

    def __str__(self) -> str:
        return self.partner.name


class PartnerKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>``; a missing, unknown, revoked or expired key (or an
    inactive partner) is refused with 401."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[PartnerPrincipal, PartnerKey] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as: Authorization: Bearer <key>.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Unknown API key.")) from None
        key = key_find(secret)
        if key is None:
            raise exceptions.AuthenticationFailed(_("Unknown API key."))
        request._request.partner_key_seen = key  # type: ignore[attr-defined]  # logged
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API key was revoked."))
        if not key_usable(key):
            raise exceptions.AuthenticationFailed(
                _("This API key has expired.")
                if key.partner.active
                else _("This partner is not active.")
            )
        return PartnerPrincipal(key.partner), key

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="partner-sync"'


class PartnerKeyScheme(OpenApiAuthenticationExtension):
    target_class = PartnerKeyAuthentication
    name = "partnerKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The partner's API key (shown once when it is created).",
        }


class HasPartnerKey(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, PartnerKey)


class PartnerKeyThrottle(SimpleRateThrottle):
    """``PARTNER_SYNC_RATE`` requests per key (read at each request, so tests may set it)."""

    scope = "partner_sync"

    def get_rate(self) -> str:
        return str(settings.PARTNER_SYNC_RATE)

    def allow_request(self, request: Request, view: Any) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, PartnerKey):
            return None
        return f"throttle_partner_{request.auth.prefix}"


def _problem_of(exc: exceptions.APIException) -> tuple[str, str]:
    """(slug, title) of a DRF exception."""
    table: list[tuple[type[exceptions.APIException], str, str]] = [
        (exceptions.NotAuthenticated, "unauthenticated", _("Authentication needed")),
        (exceptions.AuthenticationFailed, "unauthenticated", _("Authentication failed")),
        (exceptions.Throttled, "rate-limited", _("Too many requests")),
        (exceptions.NotFound, "not-found", _("Not found")),
        (exceptions.MethodNotAllowed, "method-not-allowed", _("Method not allowed")),
        (exceptions.NotAcceptable, "not-acceptable", _("Not acceptable")),
        (exceptions.UnsupportedMediaType, "unsupported-media-type", _("Unsupported media type")),
        (exceptions.ParseError, "invalid-body", _("Malformed request")),
        (exceptions.ValidationError, "invalid-request", _("Invalid request")),
        (exceptions.PermissionDenied, "forbidden", _("Forbidden")),
    ]
    for kind, slug, title in table:
        if isinstance(exc, kind):
            return slug, title
    return "error", _("Request refused")


def problem_exception_handler(exc: Exception, context: Mapping[str, Any]) -> HttpResponse | None:
    """DRF exceptions (and Django's 404 / 403) as problem+json; anything else propagates."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    slug, title = _problem_of(exc)
    headers: dict[str, str] = {}
    status = exc.status_code
    errors = None
    detail: Any = exc.detail
    if isinstance(exc, exceptions.ValidationError) and isinstance(detail, dict):
        errors = {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in detail.items()
        }
        detail = _("Some fields are invalid.")
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        status = 401
        view = context.get("view")
        request = context.get("request")
        if isinstance(view, APIView) and request is not None:
            header = view.get_authenticate_header(request)
            if header:
                headers["WWW-Authenticate"] = header
        if isinstance(exc, exceptions.NotAuthenticated):
            detail = _("Send your API key: Authorization: Bearer <key>.")
    if isinstance(exc, exceptions.Throttled):
        wait = int(getattr(exc, "wait", None) or 1)
        headers["Retry-After"] = str(max(wait, 1))
        detail = _("Too many requests with this key: try again in %(seconds)d seconds.") % {
            "seconds": max(wait, 1)
        }
    return problem(status, slug, str(title), str(detail), errors=errors, headers=headers)


class PartnerApiView(APIView):
    """Base of every partner API view."""

    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [HasPartnerKey]
    throttle_classes = [PartnerKeyThrottle]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self) -> Callable[..., Any]:
        return problem_exception_handler

    @property
    def partner(self) -> Partner:
        assert isinstance(self.request.auth, PartnerKey)
        return self.request.auth.partner

    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]
        key = getattr(request._request, "partner_key_seen", None)
        if isinstance(key, PartnerKey):
            key_use_log(
                key=key,
                method=request.method or "",
                path=request.path,
                status_code=response.status_code,
            )
        return response
