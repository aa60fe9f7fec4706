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

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
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
