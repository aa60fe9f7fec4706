"""The request type views see once the access policies (accounts.api.access, org_access) and
the acting-role middleware have let them in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from accounts.api import RoleOption, User


class AuthedRequest(HttpRequest):
    user: User
    roles: list[RoleOption]
    acting_role: RoleOption | None
    organisation_perms: frozenset[str]


def stored_file_response(
    stored: FieldFile, *, filename: str, content_type: str, as_attachment: bool = True
) -> FileResponse:
    """A stored file (a ``FileField``'s value) served under ``filename`` with ``nosniff``;
    404 when nothing was stored or the file is gone from storage."""
    if not stored:
        raise Http404(_("No file was uploaded."))
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing.")) from None
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
