"""Shared pieces of the partner API views of the reading side: Bearer-key authentication,
problem+json bodies (RFC 9457) and their schema.

(Stand-in until the push side's own authentication and problem helpers are merged: then
these delegate to them.)
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.models import PartnerKey

PROBLEM_CONTENT_TYPE = "application/problem+json"
TITLES = {
    400: "Invalid request",
    401: "Unauthorized",
    404: "Not found",
    422: "Unprocessable request",
    429: "Too many requests",
}


class ProblemSerializer(serializers.Serializer):
    """An error (RFC 9457 problem details)."""

    type = serializers.CharField(default="about:blank")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages per field.",
    )


def problem(
    status: int, title: str, detail: str = "", *, errors: dict[str, Any] | None = None
) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return Response(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def problem_responses(*statuses: int) -> dict[Any, OpenApiResponse]:
    """Schema entries for the problem answers of ``statuses`` (``application/problem+json``),
    each with an example."""
    return {
        (status, PROBLEM_CONTENT_TYPE): OpenApiResponse(
            ProblemSerializer,
            description=TITLES.get(status, ""),
            examples=[
                OpenApiExample(
                    TITLES.get(status, str(status)),
                    {"type": "about:blank", "title": TITLES.get(status, ""), "status": status},
                    status_codes=[str(status)],
                )
            ],
        )
        for status in statuses
    }


class PartnerKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>``: the partner's key (request.auth is the key)."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[Any, PartnerKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword or len(parts) != 2:
            raise exceptions.NotAuthenticated("Send Authorization: Bearer <key>.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Unknown or revoked key.") from None
        key = (
            PartnerKey.objects.select_related("partner")
            .filter(hashed=hashlib.sha256(secret.encode()).hexdigest())
            .first()
        )
        if key is None or not key.is_valid(timezone.now()) or not key.partner.active:
            raise exceptions.AuthenticationFailed("Unknown or revoked key.")
        return (_PartnerUser(), key)

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class _PartnerUser:
    is_authenticated = True
    is_active = True


class PartnerKeyScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = PartnerKeyAuthentication
    name = "partnerKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The key HRSS gave you (`manage.py partner_create`), e.g. "
            "`Authorization: Bearer cep_…`.",
        }


class PartnerApiView(APIView):
    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, exceptions.APIException):
            response = super().handle_exception(exc)
            detail = exc.detail if isinstance(exc.detail, str) else ""
            status = response.status_code
            answer = problem(status, TITLES.get(status, "Error"), str(detail))
            for header in ("WWW-Authenticate", "Retry-After"):
                if header in response:
                    answer[header] = response[header]
            return answer
        return super().handle_exception(exc)
