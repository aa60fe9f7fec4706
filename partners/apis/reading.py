"""What a sync partner reads back (docs/decisions/0017-sync-change-feed.md):

* ``GET /api/v1/sync/records?changed_since=…&cursor=…&limit=…``: the partner's records with
  their state in the portal now (counted, pending, withdrawn, revoked by an HRSS recheck and
  why…), in the order of their last change, cursor-paginated; ``next_cursor`` is where to go
  on from, now or a year later, and nothing is skipped or served twice meanwhile.
* ``GET /api/v1/persons/{id_number}/years/{year}``: the person's year as the calculator
  shows it (required, earned, shortfall, compliant) with the year's certificate, for a
  partner holding at least one record of that person; everyone else gets the same 404,
  whether the person exists or not.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import HttpResponse
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_naive, make_aware
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api import Person
from certificates.api import Certificate, person_certificates
from credits.api import (
    EvaluationError,
    record_changes,
    year_explanation,
)
from partners.apis import docs
from partners.apis.base import PROBLEM_CONTENT_TYPE, PartnerApiView, problem
from partners.apis.sync import SyncRecordsApi
from partners.permissions import person_of_partner

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
CURSOR_VERSION = "1"
_MAX_POSITION = 2**63 - 1

# The state a partner sees, from the record's status.
STATES = {
    "approved": "counted",
    "submitted": "pending",
    "draft": "pending",
    "returned": "pending",
    "rejected": "rejected",
    "revoked": "revoked",
    "withdrawn": "withdrawn",
}
STATE_CHOICES = sorted(set(STATES.values()))


def cursor_encode(xid: int, seq: int) -> str:
    raw = f"{CURSOR_VERSION}.{xid}.{seq}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(value: str) -> tuple[int, int] | None:
    """The position a cursor names, or ``None`` if it is not one of ours."""
    if not value or len(value) > 64:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
        version, xid, seq = raw.split(".")
        position = (int(xid), int(seq))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if version != CURSOR_VERSION or not all(0 <= p <= _MAX_POSITION for p in position):
        return None
    if not (xid.isdigit() and seq.isdigit()):
        return None
    return position


# --- the changes feed ----------------------------------------------------------------------


class FeedRecordSerializer(serializers.Serializer):
    """One record as the portal holds it now."""

    external_id = serializers.CharField(help_text="Your id of the record.")
    record = serializers.IntegerField(source="pk", help_text="The portal's id of the record.")
    id_number = serializers.CharField(source="person.id_number")
    year = serializers.IntegerField()
    category = serializers.CharField()
    series = serializers.CharField(source="series.code", allow_null=True, default=None)
    hours = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=True)
    title = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    state = serializers.ChoiceField(
        choices=STATE_CHOICES,
        help_text="counted: approved and counted in the person's year; withdrawn: you "
        "withdrew it; revoked: HRSS revoked it after a recheck (see reason, revoked_by); "
        "pending, rejected: not counted.",
    )
    status = serializers.CharField(help_text="The record's status in the portal.")
    reason = serializers.CharField(
        allow_blank=True, help_text="Why it was revoked or rejected (empty otherwise)."
    )
    revoked_by = serializers.CharField(
        allow_null=True, help_text="The HRSS office whose recheck revoked it."
    )
    changed_at = serializers.DateTimeField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        state = STATES.get(instance.status, instance.status)
        return {
            "external_id": instance.external_id,
            "record": instance.pk,
            "id_number": instance.person.id_number,
            "year": instance.year,
            "category": instance.category,
            "series": instance.series.code if instance.series else None,
            "hours": str(instance.hours),
            "title": instance.title,
            "start_date": instance.start_date.isoformat(),
            "end_date": instance.end_date.isoformat(),
            "state": state,
            "status": instance.status,
            "reason": instance.reviewer_reason if state in ("revoked", "rejected") else "",
            "revoked_by": instance.revoked_by_office.name if instance.revoked_by_office else None,
            "changed_at": serializers.DateTimeField().to_representation(instance.changed_at),
        }


class FeedPageSerializer(serializers.Serializer):
    results = FeedRecordSerializer(many=True)
    next_cursor = serializers.CharField(
        help_text="Pass it as `cursor` to read on (also later: new changes come after it)."
    )
    has_more = serializers.BooleanField(help_text="More changes are ready right now.")


FEED_EXAMPLE = {
    "results": [
        {
            "external_id": "EDU-2024-000123",
            "record": 5821,
            "id_number": "440105199001010018",
            "year": 2024,
            "category": "professional",
            "series": "engineering",
            "hours": "8.0",
            "title": "工程质量安全管理专题培训",
            "start_date": "2024-03-02",
            "end_date": "2024-03-02",
            "state": "revoked",
            "status": "revoked",
            "reason": "复核发现无签到记录",
            "revoked_by": "广州市人力资源和社会保障局",
            "changed_at": "2024-06-01T10:12:03.120000+08:00",
        }
    ],
    "next_cursor": "MS4xMjM0NTYuOTg3",
    "has_more": False,
}


class RecordFeedMixin:
    """``GET``: the changes feed (combined with the push's ``POST`` on the same URL)."""

    @extend_schema(
        operation_id="sync_records_changes",
        summary="Your records as the portal holds them now, in the order of their last change",
        description=(
            "Read from the start (no `cursor`) or from `changed_since`, then keep passing "
            "`next_cursor`. Nothing is skipped or served twice, even while pushes continue: a "
            "change appears once every transaction that began before it has ended. A record "
            "changed again (say, revoked by an HRSS recheck) appears again, later in the feed, "
            "with its new state."
        ),
        parameters=[
            OpenApiParameter(
                "changed_since",
                OpenApiTypes.DATETIME,
                description="Only records whose last change is at or after this time "
                "(ISO 8601, with a time zone; without one, China time).",
            ),
            OpenApiParameter(
                "cursor", str, description="`next_cursor` of the previous page (opaque)."
            ),
            OpenApiParameter(
                "limit",
                int,
                description=f"Records per page, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
            ),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                FeedPageSerializer,
                examples=[OpenApiExample("A revoked record", FEED_EXAMPLE)],
            ),
            (400, PROBLEM_CONTENT_TYPE): docs._problem(
                "A query parameter is invalid (messages per parameter in `errors`).",
                400,
                "invalid-query",
                "Invalid query",
                "Some query parameters are invalid.",
            ),
            (401, PROBLEM_CONTENT_TYPE): docs.UNAUTHENTICATED,
            (429, PROBLEM_CONTENT_TYPE): docs.THROTTLED,
        },
        tags=["sync"],
    )
    def get(self, request: Request) -> Response | HttpResponse:
        partner = self.partner  # type: ignore[attr-defined]
        params = request.query_params
        errors: dict[str, list[str]] = {}
        after = None
        if "cursor" in params:
            after = cursor_decode(params["cursor"])
            if after is None:
                errors["cursor"] = [_("Not a cursor this API gave out.")]
        since = None
        if "changed_since" in params:
            since = _parse_datetime(params["changed_since"])
            if since is None:
                errors["changed_since"] = [_("Give an ISO 8601 date and time.")]
        limit = DEFAULT_LIMIT
        if "limit" in params:
            raw = params["limit"]
            limit = int(raw) if raw.isdigit() and len(raw) < 6 else 0
            if not 1 <= limit <= MAX_LIMIT:
                errors["limit"] = [_("Give a whole number from 1 to %(max)d.") % {"max": MAX_LIMIT}]
        if errors:
            return problem(
                400,
                "invalid-query",
                _("Invalid query"),
                _("Some query parameters are invalid."),
                errors=errors,
            )
        rows = record_changes(source=partner.sync_source, after=after, since=since, limit=limit + 1)
        page, has_more = rows[:limit], len(rows) > limit
        if page:
            last = page[-1]
            next_cursor = cursor_encode(last.change_xid or 0, last.change_seq or 0)
        else:
            next_cursor = cursor_encode(*(after or (0, 0)))
        return Response(
            {
                "results": FeedRecordSerializer(page, many=True).data,
                "next_cursor": next_cursor,
                "has_more": has_more,
            }
        )


def _parse_datetime(value: str) -> Any:
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        return None
    if parsed is None:
        return None
    try:
        return make_aware(parsed) if is_naive(parsed) else parsed
    except (ValueError, OverflowError):
        return None


class SyncRecordsFeedApi(RecordFeedMixin, SyncRecordsApi):
    """``/api/v1/sync/records``: ``POST`` pushes (partners.apis.sync), ``GET`` reads back."""


# --- a person's year -----------------------------------------------------------------------


class HoursSerializer(serializers.Serializer):
    public = serializers.FloatField(help_text="Hours (学时) of public subjects.")
    elective = serializers.FloatField(help_text="Hours (学时) of elective subjects.")
    professional = serializers.DictField(
        child=serializers.FloatField(), help_text="Hours of professional subjects, per series."
    )


class YearCertificateSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Certificate.Status.values)
    issued_at = serializers.DateTimeField()


class PersonYearSerializer(serializers.Serializer):
    id_number = serializers.CharField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    compliant = serializers.BooleanField(help_text="The year's quota is met.")
    required = HoursSerializer()  # type: ignore[assignment]
    earned = HoursSerializer()
    shortfall = HoursSerializer()
    certificate = YearCertificateSerializer(
        allow_null=True, help_text="The year's certificate (the valid one, else the newest)."
    )


PERSON_YEAR_EXAMPLE = {
    "id_number": "440105199001010018",
    "name": "张三",
    "year": 2024,
    "compliant": False,
    "required": {"public": 30, "elective": 0, "professional": {"engineering": 60}},
    "earned": {"public": 30, "elective": 0, "professional": {"engineering": 52.5}},
    "shortfall": {"public": 0, "elective": 0, "professional": {"engineering": 7.5}},
    "certificate": None,
}
NOT_FOUND_DETAIL = "No person of yours with this ID number."


def _year_certificate(person: Person, year: int) -> dict[str, Any] | None:
    certificates = list(person_certificates(person).filter(year=year))
    if not certificates:
        return None
    chosen = min(
        certificates,
        key=lambda c: (c.status != Certificate.Status.VALID, -c.issued_at.timestamp(), -c.pk),
    )
    return {
        "number": chosen.number,
        "status": chosen.status,
        "issued_at": serializers.DateTimeField().to_representation(chosen.issued_at),
    }


class PersonYearApi(PartnerApiView):
    @extend_schema(
        operation_id="person_year",
        summary="A person's year as the calculator shows it, with the year's certificate",
        description=(
            "Only for a person you pushed at least one record of (in any state). Anyone else "
            "gets 404 with the same body whether the person exists or not."
        ),
        responses={
            (200, "application/json"): OpenApiResponse(
                PersonYearSerializer,
                examples=[OpenApiExample("Short of professional hours", PERSON_YEAR_EXAMPLE)],
            ),
            (404, PROBLEM_CONTENT_TYPE): docs._problem(
                "Not a person you pushed records of, or no such person (the same answer).",
                404,
                "not-found",
                "Not found",
                NOT_FOUND_DETAIL,
            ),
            (401, PROBLEM_CONTENT_TYPE): docs.UNAUTHENTICATED,
            (422, PROBLEM_CONTENT_TYPE): docs._problem(
                "The year cannot be evaluated (e.g. before the rules begin or in the future).",
                422,
                "year-not-evaluable",
                "This year cannot be evaluated",
                "Some fields are invalid.",
            ),
            (429, PROBLEM_CONTENT_TYPE): docs.THROTTLED,
        },
        parameters=[
            OpenApiParameter("id_number", str, OpenApiParameter.PATH),
            OpenApiParameter("year", int, OpenApiParameter.PATH),
        ],
        tags=["persons"],
    )
    def get(self, request: Request, id_number: str, year: str) -> Response | HttpResponse:
        # (The URL takes any text, so that every answer is this API's problem+json.)
        person = person_of_partner(partner=self.partner, id_number=id_number)
        if not (year.isdigit() and len(year) == 4) or person is None:
            return problem(404, "not-found", _("Not found"), NOT_FOUND_DETAIL)
        try:
            result = year_explanation(person=person, year=int(year))
        except EvaluationError as exc:
            return problem(
                422,
                "year-not-evaluable",
                _("This year cannot be evaluated"),
                _("Some fields are invalid."),
                errors=dict(exc.errors),
            )
        body = {
            "id_number": person.id_number,
            "name": person.real_name,
            "year": int(year),
            "compliant": result.compliant,
            "required": result.required.to_json_dict(),
            "earned": result.earned.to_json_dict(),
            "shortfall": result.shortfall.to_json_dict(),
            "certificate": _year_certificate(person, int(year)),
        }
        return Response(body)
