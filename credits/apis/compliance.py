"""The public compliance calculator: ``POST /api/v1/compliance/evaluate``.

No login and no session (so no CSRF); throttled per client (scope ``compliance``).  The input
serializer only checks the shape of the JSON; the rules engine checks what it means.  Every
invalid request gets ``400 {"errors": {"<field path>": ["message", ...]}}`` with paths such
as ``year``, ``records[1].series`` or ``records[0]``.  Error messages follow the request's
language (``Accept-Language``; Chinese by default); the notes and messages of a result stay
English, stable text for programs.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from credits import explain
from credits.api import EvaluationError, Profile, RecordInput, evaluate_year

MAX_SERIES = 50
MAX_RECORDS = 1000
# Far above a year's worth of hours (the engine's own limit and message apply below this);
# it only keeps absurd numbers away from the arithmetic.
MAX_AMOUNT = Decimal(1_000_000)


class _StrictSerializer(serializers.Serializer):
    """A serializer that refuses keys it does not declare (a typo must not pass silently)."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = (
            {str(key): [_("Unknown field.")] for key in data if key not in self.fields}
            if isinstance(data, Mapping)
            else {}
        )
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError({**exc.detail, **unknown}) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class _BoundedListField(serializers.ListField):
    """A list field that checks its length before validating every item."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, list) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


def _amount() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=None,
        decimal_places=None,
        max_value=MAX_AMOUNT,
        required=False,
        allow_null=True,
    )


def _year(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=9999, **kwargs)


def _code(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=40, **kwargs)


def flatten_errors(detail: Any, path: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as ``{"records[1].hours": ["..."]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        items: list[tuple[Any, Any]] = list(detail.items())
    elif isinstance(detail, list) and any(isinstance(d, Mapping | list) for d in detail):
        items = list(enumerate(detail))  # the list-based format of ListSerializer errors
    else:
        messages = detail if isinstance(detail, list) else [detail]
        out[path or api_settings.NON_FIELD_ERRORS_KEY] = [str(m) for m in messages]
        return out
    for key, sub in items:
        if isinstance(key, int):
            sub_path = f"{path}[{key}]"
        elif key == api_settings.NON_FIELD_ERRORS_KEY:
            sub_path = path
        else:
            sub_path = f"{path}.{key}" if path else str(key)
        for field, messages in flatten_errors(sub, sub_path).items():
            out.setdefault(field, []).extend(messages)
    return out


def _bad_request(errors: dict[str, list[str]]) -> Response:
    return Response({"errors": errors}, status=status.HTTP_400_BAD_REQUEST)


class ComplianceEvaluateApi(APIView):
    """Check a year of CE records against the requirements, without an account."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "compliance"
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]

    class InputSerializer(_StrictSerializer):
        class ProfileSerializer(_StrictSerializer):
            accounting_start_year = _year(required=False, allow_null=True)
            archives_new_post_year = _year(required=False, allow_null=True)
            archives_degree = serializers.BooleanField(required=False, allow_null=True)

            class Meta:
                ref_name = "ComplianceProfile"

        class RecordSerializer(_StrictSerializer):
            category = _code()
            series = _code(required=False, allow_null=True)
            kind = _code(required=False, allow_null=True)
            approved_plan = serializers.BooleanField(required=False, allow_null=True)
            hours = _amount()
            days = _amount()
            minutes = _amount()
            activity = _code(required=False, allow_null=True)
            quantity = _amount()
            year = _year(required=False, allow_null=True)

            class Meta:
                ref_name = "ComplianceRecord"

        year = _year()
        series = _BoundedListField(child=_code(), max_length=MAX_SERIES)
        profile = ProfileSerializer(required=False, allow_null=True)
        records = _BoundedListField(child=RecordSerializer(), max_length=MAX_RECORDS, default=list)

        class Meta:
            ref_name = "ComplianceEvaluateInput"

    @extend_schema(
        request=InputSerializer,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        try:
            payload = request.data
        except ParseError as exc:
            return _bad_request({"body": [str(exc.detail)]})
        serializer = self.InputSerializer(data=payload)
        if not serializer.is_valid():
            return _bad_request(flatten_errors(serializer.errors))
        data = serializer.validated_data
        try:
            result = evaluate_year(
                year=data["year"],
                series=data["series"],
                profile=Profile(**(data.get("profile") or {})),
                records=[RecordInput(**record) for record in data["records"]],
            )
        except EvaluationError as exc:
            # In the request's language, like DRF's own messages (Accept-Language).
            return _bad_request(
                {path: [explain.render(m) for m in msgs] for path, msgs in exc.errors.items()}
            )
        return Response(result.to_json_dict())
