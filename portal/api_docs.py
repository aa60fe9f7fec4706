"""The API's documentation pages: the OpenAPI schema, Swagger UI and ReDoc.

Both UIs are served from this site's static files (drf-spectacular-sidecar), with templates
that have no inline script (Swagger UI's start-up script is a second request to the same
URL, ``?script``), so the site's Content-Security-Policy applies to Swagger UI unchanged.
ReDoc styles itself with styled-components, which writes ``<style>`` elements at run time and
takes no nonce from the page (its bundle fixes webpack's nonce to none), and builds its search
index in a worker made from a ``blob:`` URL: that one page allows inline *styles*
(``style-src 'unsafe-inline'``) and ``worker-src blob:``; scripts stay ``'self'`` only, as
everywhere. ReDoc's "API docs by Redocly" footer asks for its logo on cdn.redoc.ly: the policy
blocks it (no request leaves) and ReDoc hides the broken image.
"""

from __future__ import annotations

import json
from typing import Any

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

SCHEMA_URL_NAME = "api_schema"

schema = SpectacularAPIView.as_view()
swagger_ui = SpectacularSwaggerSplitView.as_view(
    url_name=SCHEMA_URL_NAME, template_name="api_docs/swagger_ui.html"
)
redoc = csp_update({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
    SpectacularRedocView.as_view(url_name=SCHEMA_URL_NAME, template_name="api_docs/redoc.html")
)


PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem_media_types(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook: an answer described by the ``Problem`` component
    (RFC 9457) is served as ``application/problem+json``, so the schema says so too."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                described = content.get("application/json")
                if described and described.get("schema", {}).get("$ref") == PROBLEM_REF:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return result


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: under ``/api/`` a problem+json answer (a URL that matches no API route,
    e.g. a job id that is not a number, is still an API answer); elsewhere the site's page."""
    if request.path.startswith("/api/"):
        body = {
            "type": "https://ce-portal.gd.gov.cn/problems/not-found",
            "title": str(_("Not found")),
            "status": 404,
            "detail": str(_("No such API resource.")),
        }
        return HttpResponse(
            json.dumps(body, ensure_ascii=False), status=404, content_type=PROBLEM_MEDIA_TYPE
        )
    return page_not_found(request, exception or Http404())
