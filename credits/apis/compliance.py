"""The public compliance calculator: ``POST /api/v1/compliance/evaluate``.

No login and no session (so no CSRF); throttled per client (scope ``compliance``).  The input
serializer only checks the shape of the JSON; the rules engine checks what it means.  Every
invalid request gets ``400 {"errors": {"<field path>": ["message", ...]}}`` with paths such
as ``year``, ``records[1].series`` or ``records[0]``.

Nothing a client sends can make a request expensive: the body is refused with 413 above
``MAX_BODY_BYTES`` before it is read (from Content-Length) or parsed (from what the stream
holds), JSON nested deeper than ``MAX_DEPTH`` is a 400, lists are checked for length before
their items, and at most ``MAX_ERRORS`` error paths are reported (``error_count`` says how
many there were).  ``make bench`` measures the worst bodies under these caps.

Error messages follow the request's language (``Accept-Language``; Chinese by default); the
notes and messages of a result stay English, stable text for programs.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from decimal import Decimal
from itertools import islice
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from credits import explain
from credits.api import EvaluationError, Profile, RecordInput, evaluate_year, region_codes

MAX_SERIES = 50
# A year's records for one person: more than anyone declares (a year needs about 90 学时, and
# a record is rarely under one).  Validation costs about 0.3 ms a record (the serializer and the
# rules engine), so this cap also bounds what one body can cost: see `make bench`.
MAX_RECORDS = 100
# A hundred records with every field take about 14 KB; the rest leaves room for indentation.
MAX_BODY_BYTES = 32 * 1024
# The deepest valid body is {"records": [{"hours": 1}]}: three levels.
MAX_DEPTH = 5
# Error paths reported in one response; the rest are only counted (``error_count``).
MAX_ERRORS = 20
OMITTED_ERRORS = "omitted_errors"
# Far above a year's worth of hours (the engine's own limit and message apply below this);
# it only keeps absurd numbers away from the arithmetic.
MAX_AMOUNT = Decimal(1_000_000)


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "body_too_large"


def _depth_exceeds(data: Any, limit: int) -> bool:
    """Whether lists/objects nest deeper than `limit` (iterative: no recursion to exhaust)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


class BoundedJSONParser(BaseParser):
    """JSON with a size cap, checked before reading and while reading, and a depth cap.

    Not a ``JSONParser`` subclass on purpose: DRF reads ``request.body`` whole (up to Django's
    2.5 MB ``DATA_UPLOAD_MAX_MEMORY_SIZE``) before calling a ``JSONParser``, and hands other
    parsers the unread stream.
    """

    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except ValueError:
            declared = 0
        if declared > MAX_BODY_BYTES:
            raise BodyTooLarge()
        raw = stream.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise BodyTooLarge()
        try:
            data = JSONParser().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            # json's C scanner gives up near the interpreter's recursion limit.
            raise ParseError(_too_deep()) from None
        if isinstance(data, dict | list) and _depth_exceeds(data, MAX_DEPTH):
            raise ParseError(_too_deep())
        return data


def _too_deep() -> str:
    return f"JSON nested more than {MAX_DEPTH} levels deep is not accepted."


def _too_large() -> str:
    return f"The request body may be at most {MAX_BODY_BYTES // 1024} KB."


class _StrictSerializer(serializers.Serializer):
    """A serializer that refuses keys it does not declare (a typo must not pass silently).

    Only the first ``MAX_ERRORS`` unknown keys of an object are named."""

    def to_internal_value(self, data: Any) -> Any:
        unknown_keys = (
            [k for k in data if k not in self.fields] if isinstance(data, Mapping) else []
        )
        unknown = {str(key): [_("Unknown field.")] for key in unknown_keys[:MAX_ERRORS]}
        if len(unknown_keys) > MAX_ERRORS:
            # Counted for ``error_count`` in the root serializer's shared context.
            context: Any = self.context  # the root's own dict, shared by nested serializers
            omitted = context.setdefault(OMITTED_ERRORS, [0])
            omitted[0] += len(unknown_keys) - MAX_ERRORS
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
    """A list field that checks its length before validating every item, and stops
    validating items once ``MAX_ERRORS`` of them failed."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, list) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)

    def run_child_validation(self, data: Any) -> list[Any]:
        result: list[Any] = []
        errors: dict[Any, Any] = {}
        for index, item in enumerate(data):
            try:
                result.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                errors[index] = exc.detail
                if len(errors) >= MAX_ERRORS:
                    break
        if errors:
            raise serializers.ValidationError(errors)
        return result


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


def _bad_request(
    errors: dict[str, list[str]], code: int = status.HTTP_400_BAD_REQUEST, omitted: int = 0
) -> Response:
    """``{"errors": {...}}`` with at most ``MAX_ERRORS`` paths, plus ``error_count`` when some
    were left out: every path found, shown or not (a lower bound: the records are not checked
    further once ``MAX_ERRORS`` of them failed)."""
    body: dict[str, Any] = {"errors": dict(islice(errors.items(), MAX_ERRORS))}
    total = len(errors) + omitted
    if total > MAX_ERRORS:
        body["error_count"] = total
    return Response(body, status=code)


class ComplianceEvaluateApi(APIView):
    """Check a year of CE records against the requirements, without an account."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "compliance"
    parser_classes = [BoundedJSONParser]
    renderer_classes = [JSONRenderer]

    class InputSerializer(_StrictSerializer):
        class ProfileSerializer(_StrictSerializer):
            accounting_start_year = _year(required=False, allow_null=True)
            archives_new_post_year = _year(required=False, allow_null=True)
            archives_degree = serializers.BooleanField(required=False, allow_null=True)
            # The employer's region code (属地管理): the year's regional tables apply.
            region = serializers.CharField(
                max_length=6, required=False, allow_null=True, allow_blank=True
            )

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
            general_knowledge = serializers.BooleanField(required=False, default=False)
            result_date = serializers.DateField(required=False, allow_null=True)

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
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="The year's figures (required, earned, shortfall per category).",
                examples=[
                    OpenApiExample(
                        "Quota met",
                        {
                            "year": 2024,
                            "compliant": True,
                            "required": {"public": 30, "elective": 0, "professional": {}},
                            "earned": {"public": 30, "elective": 0, "professional": {}},
                            "shortfall": {"public": 0, "elective": 0, "professional": {}},
                            "records": [],
                            "messages": [],
                        },
                    )
                ],
            ),
            **{
                code: OpenApiResponse(
                    OpenApiTypes.OBJECT,
                    description=description,
                    examples=[
                        OpenApiExample(
                            description,
                            {"errors": {"year": ["A valid integer is required."]}},
                            status_codes=[str(code)],
                        )
                    ],
                )
                for code, description in (
                    (400, "Invalid input: messages per field path."),
                    (413, "The body is larger than 32 KB."),
                    (415, "The body is not JSON."),
                    (429, "Too many requests from this client."),
                )
            },
        },
        examples=[
            OpenApiExample(
                "One professional record",
                {
                    "year": 2024,
                    "series": ["engineering"],
                    "records": [{"category": "professional", "series": "engineering", "hours": 8}],
                },
                request_only=True,
            )
        ],
        auth=[],
        tags=["compliance"],
    )
    def post(self, request: Request) -> Response:
        try:
            payload = request.data
        except BodyTooLarge:
            return _bad_request({"body": [_too_large()]}, status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        except ParseError as exc:
            return _bad_request({"body": [str(exc.detail)]})
        context: dict[str, Any] = {}
        serializer = self.InputSerializer(data=payload, context=context)
        if not serializer.is_valid():
            omitted = context.get(OMITTED_ERRORS, [0])[0]
            return _bad_request(flatten_errors(serializer.errors), omitted=omitted)
        data = serializer.validated_data
        profile = dict(data.get("profile") or {})
        region = profile.pop("region", None)
        regions = region_codes(region) if region else ()
        if regions is None:
            return _bad_request({"profile.region": [str(_("Unknown region code."))]})
        try:
            result = evaluate_year(
                year=data["year"],
                series=data["series"],
                profile=Profile(**profile, regions=regions),
                records=[RecordInput(**record) for record in data["records"]],
            )
        except EvaluationError as exc:
            # In the request's language, like DRF's own messages (Accept-Language).
            return _bad_request(
                {path: [explain.render(m) for m in msgs] for path, msgs in exc.errors.items()}
            )
        return Response(result.to_json_dict())
