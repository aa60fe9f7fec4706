"""The OpenAPI description of the partner sync endpoints (drf-spectacular): request and
response shapes, examples, and every status code each endpoint answers.  The serializers here
only describe; ``partners.services.payload`` reads the bodies (faster, same rules)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_field,
)
from rest_framework import serializers

from credits.api import (
    PARTNER_OUTCOMES,
    RecordAssessment,
    RecordCategory,
    RecordForm,
    RecordKind,
)

OUTCOMES = tuple(PARTNER_OUTCOMES)


@extend_schema_field({"type": "number"})
class AmountField(serializers.DecimalField):
    """A JSON number (its bounds and precision are checked per record, not by the schema)."""


def _amount(help_text: str) -> serializers.DecimalField:
    return AmountField(
        max_digits=12,
        decimal_places=1,
        required=False,
        coerce_to_string=False,
        help_text=help_text,
    )


class PushRecordSerializer(serializers.Serializer):
    external_id = serializers.RegexField(
        r"^[!-~]{1,100}$",
        help_text="Your own id of the record (printable ASCII, no spaces): pushing it again "
        "updates the record.",
    )
    id_number = serializers.CharField(
        max_length=18, required=False, help_text="The professional's ID number."
    )
    year = serializers.IntegerField(required=False, help_text="The declared year.")
    category = serializers.ChoiceField(
        choices=RecordCategory.values,
        required=False,
        help_text="Not needed with an accounting activity (it is professional).",
    )
    series = serializers.CharField(
        max_length=40,
        required=False,
        allow_null=True,
        help_text="Professional series code; required for professional records.",
    )
    hours = serializers.DecimalField(
        max_digits=12, decimal_places=1, required=False, coerce_to_string=False
    )
    days = serializers.DecimalField(
        max_digits=12, decimal_places=1, required=False, coerce_to_string=False
    )
    minutes = serializers.DecimalField(
        max_digits=12, decimal_places=1, required=False, coerce_to_string=False
    )
    activity = serializers.CharField(
        max_length=40, required=False, help_text="An accounting activity code (with quantity)."
    )
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=1, required=False, coerce_to_string=False
    )
    title = serializers.CharField(max_length=200, required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    kind = serializers.ChoiceField(choices=RecordKind.values, required=False)
    form = serializers.ChoiceField(
        choices=RecordForm.values, required=False, help_text="Default: other."
    )
    assessment_result = serializers.ChoiceField(
        choices=RecordAssessment.values, required=False, help_text="Default: none."
    )
    institution_name = serializers.CharField(
        max_length=120, required=False, help_text="Default: your platform's name."
    )
    general_knowledge = serializers.BooleanField(required=False)
    approved_plan = serializers.BooleanField(required=False)
    withdrawn = serializers.BooleanField(
        required=False,
        help_text="true: withdraw the record pushed earlier with this external_id "
        "(nothing else is needed).",
    )


class PushRequestSerializer(serializers.Serializer):
    records = PushRecordSerializer(many=True, help_text="At most 10,000 records.")


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
        "example": {"series": ["The person does not hold the series “health”."]},
    }
)
class ErrorsField(serializers.DictField):
    pass


class ReceiptSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the record in the request (from 0).")
    external_id = serializers.CharField()
    outcome = serializers.ChoiceField(choices=OUTCOMES)
    record = serializers.IntegerField(allow_null=True, help_text="The portal's record id.")
    errors = ErrorsField(help_text="Why a record was rejected, by field.")  # type: ignore[assignment]


class PushResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    rejected = serializers.IntegerField()
    receipts = ReceiptSerializer(many=True)


class JobAcceptedSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status_url = serializers.URLField()


class ReceiptPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReceiptSerializer(many=True)


class JobSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["queued", "running", "done", "failed"])
    received = serializers.IntegerField()
    processed = serializers.IntegerField()
    progress = serializers.IntegerField(help_text="Percent of the records processed.")
    accepted = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    rejected = serializers.IntegerField()
    error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    receipts = ReceiptPageSerializer()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details (``application/problem+json``)."""

    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = ErrorsField(  # type: ignore[assignment]
        required=False, help_text="Field errors, by JSON path."
    )


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]([ -~]*[!-~])?$"},
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string (1–255 printable ASCII characters). The same key with the "
    "same body replays the first response byte for byte; with another body: 422; while the "
    "first is still running: 409. Keys are kept at least 24 hours (PARTNER_IDEMPOTENCY_TTL).",
)

PUSH_DESCRIPTION = (
    "Create, update or withdraw records. Up to 1,000 records are processed at once (200, "
    "with a receipt per record); 1,001–10,000 become a job (202; poll its status_url); more: "
    "413. Each record stands alone: a rejected record never stops the others. The same "
    "external_id again updates the record (or is unchanged); withdrawn: true withdraws it. "
    "Accepted records are certified by your platform (approved at once) and count towards "
    "the person's year."
)
JOB_DESCRIPTION = (
    "Status and progress of a push of more than 1,000 records, with its receipts in record "
    "order, paginated. Only your own jobs."
)


def _problem(description: str, status: int, slug: str, title: str, detail: str) -> OpenApiResponse:
    return OpenApiResponse(
        response=ProblemSerializer,
        description=description,
        examples=[
            OpenApiExample(
                title,
                value={
                    "type": f"https://ce-portal.gd.gov.cn/problems/{slug}",
                    "title": title,
                    "status": status,
                    "detail": detail,
                },
                status_codes=[str(status)],
                response_only=True,
            )
        ],
    )


UNAUTHENTICATED = _problem(
    "Missing, unknown, revoked or expired key.",
    401,
    "unauthenticated",
    "Authentication failed",
    "This API key was revoked.",
)
THROTTLED = _problem(
    "Too many requests with this key (see Retry-After).",
    429,
    "rate-limited",
    "Too many requests",
    "Too many requests with this key: try again in 12 seconds.",
)

PROBLEM = "application/problem+json"
JSON = "application/json"

PUSH_RESPONSES: dict[Any, Any] = {
    (200, JSON): OpenApiResponse(
        PushResultSerializer, description="Processed: one receipt per record."
    ),
    (202, JSON): OpenApiResponse(
        JobAcceptedSerializer, description="Queued as a job (over 1,000)."
    ),
    (400, PROBLEM): OpenApiResponse(
        ProblemSerializer,
        description="Not JSON, nested too deeply, wrong types, unknown fields, or an invalid "
        "Idempotency-Key: nothing was saved.",
        examples=[
            OpenApiExample(
                "Malformed request",
                value={
                    "type": "https://ce-portal.gd.gov.cn/problems/invalid-body",
                    "title": "Malformed request",
                    "status": 400,
                    "detail": "The body does not match the schema; nothing was saved.",
                    "errors": {"records[3].year": ["Must be an integer."]},
                },
                status_codes=["400"],
                response_only=True,
            )
        ],
    ),
    (401, PROBLEM): UNAUTHENTICATED,
    (409, PROBLEM): _problem(
        "A request with this Idempotency-Key is still running.",
        409,
        "idempotency-key-in-use",
        "Request in progress",
        "A request with this Idempotency-Key is still being processed; retry later.",
    ),
    (413, PROBLEM): _problem(
        "Body over the size limit, or more than 10,000 records.",
        413,
        "too-many-records",
        "Too many records",
        "At most 10000 records per request; this one has 10001.",
    ),
    (415, PROBLEM): _problem(
        "Content-Type is not application/json.",
        415,
        "unsupported-media-type",
        "Unsupported media type",
        "Send the records as JSON (Content-Type: application/json).",
    ),
    (422, PROBLEM): _problem(
        "The Idempotency-Key was used with another request.",
        422,
        "idempotency-key-reused",
        "Idempotency-Key reused",
        "This Idempotency-Key was used with another request; use a new key.",
    ),
    (429, PROBLEM): THROTTLED,
}

PUSH_EXAMPLES = [
    OpenApiExample(
        "A mixed push",
        request_only=True,
        value={
            "records": [
                {
                    "external_id": "HY-2023-000123",
                    "id_number": "440106199001011234",
                    "year": 2023,
                    "category": "professional",
                    "series": "health",
                    "hours": 8,
                    "title": "临床诊疗指南更新",
                    "start_date": "2023-05-10",
                    "end_date": "2023-05-10",
                    "form": "online",
                },
                {
                    "external_id": "KJ-2023-77",
                    "id_number": "440106198805052345",
                    "year": 2023,
                    "activity": "online_hour",
                    "quantity": 24,
                    "title": "会计继续教育网络课程",
                    "start_date": "2023-03-01",
                    "end_date": "2023-03-20",
                },
                {"external_id": "HY-2022-000009", "withdrawn": True},
            ]
        },
    ),
    OpenApiExample(
        "Receipts",
        response_only=True,
        status_codes=["200"],
        value={
            "received": 3,
            "accepted": 1,
            "updated": 0,
            "unchanged": 0,
            "withdrawn": 1,
            "rejected": 1,
            "receipts": [
                {
                    "index": 0,
                    "external_id": "HY-2023-000123",
                    "outcome": "accepted",
                    "record": 5012,
                    "errors": {},
                },
                {
                    "index": 1,
                    "external_id": "KJ-2023-77",
                    "outcome": "rejected",
                    "record": None,
                    "errors": {"id_number": ["No professional with this ID number is registered."]},
                },
                {
                    "index": 2,
                    "external_id": "HY-2022-000009",
                    "outcome": "withdrawn",
                    "record": 4077,
                    "errors": {},
                },
            ],
        },
    ),
    OpenApiExample(
        "Queued",
        response_only=True,
        status_codes=["202"],
        value={"job": 31, "status_url": "https://ce-portal.gd.gov.cn/api/v1/sync/jobs/31"},
    ),
]

JOB_RESPONSES: dict[Any, Any] = {
    (200, JSON): OpenApiResponse(JobSerializer, description="The job and a page of its receipts."),
    (400, PROBLEM): _problem(
        "A bad page, page_size or outcome.",
        400,
        "invalid-request",
        "Invalid request",
        "Invalid request",
    ),
    (401, PROBLEM): UNAUTHENTICATED,
    (404, PROBLEM): _problem(
        "No such job of yours, or no such page.",
        404,
        "not-found",
        "Not found",
        "Not found",
    ),
    (429, PROBLEM): THROTTLED,
}

JOB_EXAMPLES = [
    OpenApiExample(
        "Running",
        response_only=True,
        status_codes=["200"],
        value={
            "job": 31,
            "status": "running",
            "received": 5000,
            "processed": 2000,
            "progress": 40,
            "accepted": 1990,
            "updated": 0,
            "unchanged": 0,
            "withdrawn": 0,
            "rejected": 10,
            "error": "",
            "created_at": "2024-04-01T10:00:00+08:00",
            "started_at": "2024-04-01T10:00:01+08:00",
            "finished_at": None,
            "receipts": {
                "count": 2000,
                "next": "https://ce-portal.gd.gov.cn/api/v1/sync/jobs/31?page=2",
                "previous": None,
                "results": [
                    {
                        "index": 0,
                        "external_id": "HY-2023-000123",
                        "outcome": "accepted",
                        "record": 5012,
                        "errors": {},
                    }
                ],
            },
        },
    )
]


NO_CONTROL_CHARACTERS = "^[^\\u0000-\\u001F\\u007F]*$"


def strict_push_schema(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: a push names no unknown field and no control
    character (``partners.services.payload`` refuses both with 400)."""
    schemas = result.get("components", {}).get("schemas", {})
    records = schemas.get("PushRequest", {}).get("properties", {}).get("records")
    if records is not None:
        # No maxItems: more than PARTNER_SYNC_MAX_RECORDS is the documented 413, not a 400.
        records["minItems"] = 1
    for name in ("PushRequest", "PushRecord"):
        schema = schemas.get(name)
        if schema is None:
            continue
        schema["additionalProperties"] = False
        for prop in schema.get("properties", {}).values():
            if prop.get("type") == "number":  # any JSON number; bounds are per record
                for bound in ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum"):
                    prop.pop(bound, None)
                prop.pop("format", None)
            if prop.get("type") == "string" and "pattern" not in prop and "format" not in prop:
                prop["pattern"] = NO_CONTROL_CHARACTERS
    return result
