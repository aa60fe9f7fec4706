"""``GET /api/v1/certificates/verify?number=…&code=…``: the public verification answer.

No login, no session; throttled per client (scope ``certificate_verify``, the address read
through ``NUM_PROXIES``); every look-up logged.  An unknown number and a wrong code both give
404 with the same body shape as a found certificate (``status`` ``not_found``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
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
        responses={200: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
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
