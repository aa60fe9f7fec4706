"""Serving stored evidence files (to the owner, to the employer that reviews them, and to the
HRSS office that rechecks them): as a download, or inline for the preview on the record page."""

from __future__ import annotations

import os

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from credits.models import Evidence
from portal.http import stored_file_response

# Only these types are shown inline (upload checks make every stored file one of them).
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
# The preview runs nothing and loads nothing; only a page of this site may frame it.
INLINE_CSP = "sandbox; default-src 'none'; img-src 'self'; frame-ancestors 'self'"


def evidence_file_response(evidence: Evidence, *, inline: bool = False) -> FileResponse:
    """The file under the name it was uploaded with: an attachment, or (``inline``) a preview
    served with its stored content type, ``nosniff`` and a sandboxing CSP."""
    if inline and evidence.content_type not in INLINE_TYPES:
        raise Http404(_("This file cannot be previewed."))
    response = stored_file_response(
        evidence.file,
        as_attachment=not inline,
        filename=evidence.original_name or os.path.basename(str(evidence.file.name)),
        content_type=evidence.content_type,
    )
    if inline:
        response["Content-Security-Policy"] = INLINE_CSP
        response["Cache-Control"] = "private, no-store"
    return response
