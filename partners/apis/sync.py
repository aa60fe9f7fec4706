"""``POST /api/v1/sync/records`` (push records, idempotent) and ``GET /api/v1/sync/jobs/{id}``
(a big push's progress and receipts).  docs/decisions/0016-partner-sync.md."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request

from partners.apis import docs
from partners.apis.base import PartnerApiView, json_bytes, json_response, problem
from partners.permissions import get_job_for_partner
from partners.selectors import job_receipts
from partners.services.idempotency import (
    IdempotencyConflict,
    IdempotencyMismatch,
    StoredResponse,
    fingerprint,
    idempotency_claim,
    idempotency_finish,
    idempotency_release,
    key_is_valid,
)
from partners.services.payload import PayloadError, body_parse, records_read
from partners.services.sync import job_create, push_inline

JSON = "application/json"
RECEIPTS_PAGE_SIZE = 500
RECEIPTS_MAX_PAGE_SIZE = 1_000


def _too_large() -> HttpResponse:
    return problem(
        413,
        "body-too-large",
        _("Request body too large"),
        _("Send at most %(bytes)d bytes; split the push.")
        % {"bytes": settings.PARTNER_SYNC_MAX_BODY},
    )


class SyncRecordsApi(PartnerApiView):
    """Push records: create, update or withdraw them, one receipt each."""

    @extend_schema(
        operation_id="sync_records_push",
        summary="Push records",
        description=docs.PUSH_DESCRIPTION,
        request={JSON: docs.PushRequestSerializer},
        parameters=[docs.IDEMPOTENCY_KEY],
        responses=docs.PUSH_RESPONSES,
        examples=docs.PUSH_EXAMPLES,
        tags=["sync"],
    )
    def post(self, request: Request) -> HttpResponse:
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type != JSON:
            return problem(
                415,
                "unsupported-media-type",
                _("Unsupported media type"),
                _("Send the records as JSON (Content-Type: application/json)."),
            )
        raw = self._body(request)
        if raw is None:
            return _too_large()
        claim = None
        key = request.headers.get("Idempotency-Key")
        if key is not None:
            if not key_is_valid(key):
                return problem(
                    400,
                    "invalid-idempotency-key",
                    _("Invalid Idempotency-Key"),
                    _("Use 1 to 255 printable ASCII characters."),
                )
            try:
                claimed = idempotency_claim(
                    partner=self.partner,
                    key=key,
                    request_fingerprint=fingerprint(request.method or "", request.path, raw),
                )
            except IdempotencyMismatch:
                return problem(
                    422,
                    "idempotency-key-reused",
                    _("Idempotency-Key reused"),
                    _("This Idempotency-Key was used with another request; use a new key."),
                )
            except IdempotencyConflict:
                return problem(
                    409,
                    "idempotency-key-in-use",
                    _("Request in progress"),
                    _("A request with this Idempotency-Key is still being processed; retry later."),
                    headers={"Retry-After": "1"},
                )
            if isinstance(claimed, StoredResponse):
                replay = HttpResponse(
                    claimed.body, status=claimed.status, content_type=claimed.content_type
                )
                replay["Idempotent-Replayed"] = "true"
                return replay
            claim = claimed
        try:
            response = self._push(request, raw)
        except BaseException:
            if claim is not None:
                idempotency_release(record=claim)
            raise
        if claim is not None:
            if response.status_code >= 500:
                idempotency_release(record=claim)
            else:
                idempotency_finish(
                    record=claim,
                    status=response.status_code,
                    body=response.content,
                    content_type=response["Content-Type"],
                )
        return response

    def _body(self, request: Request) -> bytes | None:
        """The body, or ``None`` when it is larger than ``PARTNER_SYNC_MAX_BODY``."""
        limit = settings.PARTNER_SYNC_MAX_BODY
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return None
        raw = request._request.read(limit + 1)
        return None if len(raw) > limit else raw

    def _push(self, request: Request, raw: bytes) -> HttpResponse:
        try:
            records = records_read(body_parse(raw), max_records=settings.PARTNER_SYNC_MAX_RECORDS)
        except PayloadError as exc:
            if exc.status == 413:
                return problem(
                    413,
                    "too-many-records",
                    _("Too many records"),
                    exc.errors["records"][0],
                    errors=exc.errors,
                )
            return problem(
                400,
                "invalid-body",
                _("Malformed request"),
                _("The body does not match the schema; nothing was saved."),
                errors=exc.errors,
            )
        if len(records) <= settings.PARTNER_SYNC_INLINE_LIMIT:
            return json_response(push_inline(partner=self.partner, records=records))
        job = job_create(partner=self.partner, records=records, body=raw)
        url = request.build_absolute_uri(reverse("partners:sync_job", args=[job.pk]))
        response = json_response({"job": job.pk, "status_url": url}, status=202)
        response["Location"] = url
        return response


class SyncJobApi(PartnerApiView):
    """A big push's status, progress and receipts (paginated)."""

    @extend_schema(
        operation_id="sync_job_status",
        summary="A push job's status and receipts",
        description=docs.JOB_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "page", {"type": "integer", "minimum": 1}, description="Page of receipts."
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1},
                description=f"Receipts per page (default {RECEIPTS_PAGE_SIZE}, "
                f"at most {RECEIPTS_MAX_PAGE_SIZE}).",
            ),
            OpenApiParameter(
                "outcome",
                OpenApiTypes.STR,
                enum=list(docs.OUTCOMES),
                description="Only receipts with this outcome.",
            ),
        ],
        responses=docs.JOB_RESPONSES,
        examples=docs.JOB_EXAMPLES,
        tags=["sync"],
    )
    def get(self, request: Request, sync_job_id: str) -> HttpResponse:
        # Any text reaches the view (not Django's HTML 404): a problem+json 404 for a non-id.
        if not sync_job_id.isdigit() or len(sync_job_id) > 18:
            return problem(404, "not-found", _("Not found"), _("No such job."))
        job = get_job_for_partner(partner=self.partner, job_id=int(sync_job_id))
        params = request.query_params
        errors: dict[str, list[str]] = {}
        page_number = _positive(params.get("page"), 1, errors, "page")
        page_size = min(
            _positive(params.get("page_size"), RECEIPTS_PAGE_SIZE, errors, "page_size"),
            RECEIPTS_MAX_PAGE_SIZE,
        )
        outcome = params.get("outcome") or None
        if outcome is not None and outcome not in docs.OUTCOMES:
            errors["outcome"] = [
                _("Must be one of: %(choices)s.") % {"choices": ", ".join(docs.OUTCOMES)}
            ]
        if errors:
            return problem(400, "invalid-request", _("Invalid request"), errors=errors)
        receipts = job_receipts(job=job, outcome=outcome)
        paginator = Paginator(receipts, page_size)
        try:
            page = paginator.page(page_number)
        except EmptyPage:
            return problem(404, "not-found", _("Not found"), _("This page has no receipts."))

        def link(number: int) -> str:
            query = params.copy()
            query["page"] = str(number)
            return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

        body: dict[str, Any] = {
            "job": job.pk,
            "status": job.status,
            "received": job.total,
            "processed": job.processed,
            "progress": round(100 * job.processed / job.total) if job.total else 100,
            "accepted": job.accepted,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "withdrawn": job.withdrawn,
            "rejected": job.rejected,
            "error": job.error,
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
            "receipts": {
                "count": paginator.count,
                "next": link(page.next_page_number()) if page.has_next() else None,
                "previous": link(page.previous_page_number()) if page.has_previous() else None,
                "results": [
                    {
                        "index": r.index,
                        "external_id": r.external_id,
                        "outcome": r.outcome,
                        "record": r.record_id,
                        "errors": r.errors,
                    }
                    for r in page.object_list
                ],
            },
        }
        return HttpResponse(json_bytes(body), content_type=JSON)


def _positive(value: str | None, default: int, errors: dict[str, list[str]], name: str) -> int:
    if value in (None, ""):
        return default
    if not value.isdigit() or int(value) < 1 or len(value) > 9:
        errors[name] = [_("Must be a positive integer.")]
        return default
    return int(value)
