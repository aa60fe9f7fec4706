"""``GET /api/v1/certificates/verify?number=…&code=…``: the public verification answer.

No login, no session; throttled per client (scope ``certificate_verify``, the address read
through ``NUM_PROXIES``); every look-up logged.  An unknown number and a wrong code both give
404 with the same body shape as a found certificate (``status`` ``not_found``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from certificates.models import VerificationLookup
from certificates.public import public_data
from certificates.services.verification import verification_lookup
from portal.client_ip import client_ip


class VerificationSerializer(serializers.Serializer):
    """The public answer (also for an unknown number: the same keys, ``status`` not_found)."""

    number = serializers.CharField()
    status = serializers.ChoiceField(choices=["valid", "superseded", "revoked", "not_found"])
    superseded_by = serializers.CharField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    revocation_reason = serializers.CharField(allow_null=True)
    year = serializers.IntegerField(allow_null=True)
    name = serializers.CharField(allow_null=True, help_text="The holder's name, masked.")
    hours = serializers.JSONField(allow_null=True, help_text="Hours per category and series.")
    issued_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField(allow_null=True, help_text="SHA-256 of the signed PDF.")


class VerifyErrorSerializer(serializers.Serializer):
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField())
    )


class ThrottledSerializer(serializers.Serializer):
    detail = serializers.CharField()


FOUND = {
    "number": "2024-440105-000123",
    "status": "valid",
    "superseded_by": None,
    "revoked_at": None,
    "revocation_reason": None,
    "year": 2024,
    "name": "张*",
    "hours": {"public": {"required": "30.0", "earned": "32.0"}},
    "issued_at": "2025-01-03T09:30:00+08:00",
    "sha256": "9f2c…",
}
NOT_FOUND = {
    "number": "2024-440105-999999",
    "status": "not_found",
    "superseded_by": None,
    "revoked_at": None,
    "revocation_reason": None,
    "year": None,
    "name": None,
    "hours": None,
    "issued_at": None,
    "sha256": None,
}


class CertificateVerifyApi(APIView):
    """Verify a certificate by its number and check code."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "certificate_verify"
    renderer_classes = [JSONRenderer]

    class InputSerializer(serializers.Serializer):
        number = serializers.CharField(max_length=40)
        code = serializers.CharField(max_length=12)

    @extend_schema(
        parameters=[
            OpenApiParameter("number", str, required=True),
            OpenApiParameter("code", str, required=True),
        ],
        responses={
            200: OpenApiResponse(
                VerificationSerializer, examples=[OpenApiExample("A valid certificate", FOUND)]
            ),
            400: OpenApiResponse(
                VerifyErrorSerializer,
                examples=[
                    OpenApiExample(
                        "Missing check code",
                        {"errors": {"code": ["This field is required."]}},
                        status_codes=["400"],
                    )
                ],
            ),
            404: OpenApiResponse(
                VerificationSerializer,
                description="No such certificate, or a wrong check code (the same answer).",
                examples=[OpenApiExample("Not found", NOT_FOUND, status_codes=["404"])],
            ),
            429: OpenApiResponse(ThrottledSerializer, description="Too many look-ups."),
        },
        auth=[],
        tags=["certificates"],
    )
    def get(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.query_params)
        if not data.is_valid():
            return Response({"errors": data.errors}, status=400)
        number = data.validated_data["number"].strip().upper()
        certificate = verification_lookup(
            number=number,
            code=data.validated_data["code"],
            channel=VerificationLookup.Channel.API,
            ip=client_ip(request._request),
        )
        body = public_data(certificate, number=number)
        return Response(body, status=200 if certificate is not None else 404)
