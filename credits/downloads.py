"""Serving stored evidence files (to the owner, and to the employer that reviews them)."""

from __future__ import annotations

import os

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from credits.models import Evidence


def evidence_file_response(evidence: Evidence) -> FileResponse:
    """The file as an attachment under the name it was uploaded with."""
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing.")) from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or os.path.basename(str(evidence.file.name)),
        content_type=evidence.content_type,
    )
