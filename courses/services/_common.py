"""Small helpers shared by the courses services (no writes of their own)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from accounts.api import Decision, Notice, Organisation, notices_send
from portal.uploads import validate_evidence

MAX_ATTACHMENTS = 5


def check_decision(decision: str, reason: str) -> Decision:
    """The decision as a ``Decision``; an unknown one, or a reject/return without a reason,
    is a ValidationError (the same rule as every review of the portal)."""
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose approve, reject or return.")})
    if decision != Decision.APPROVE and not reason.strip():
        raise ValidationError({"reason": _("Give a reason when you reject or return.")})
    return Decision(decision)


def check_files(
    files: Iterable[UploadedFile], *, required: bool, field: str = "attachments"
) -> list[UploadedFile]:
    """The uploads, each checked by content (PDF, JPEG or PNG: ``portal.uploads``)."""
    checked = list(files)
    if required and not checked:
        raise ValidationError({field: _("Attach at least one file.")})
    if len(checked) > MAX_ATTACHMENTS:
        raise ValidationError({field: _("Attach at most %(n)d files.") % {"n": MAX_ATTACHMENTS}})
    for upload in checked:
        try:
            validate_evidence(upload)
        except ValidationError as exc:
            raise ValidationError(
                {field: [f"{upload.name}: {message}" for message in exc.messages]}
            ) from None
    return checked


def notify_members(
    organisation: Organisation, *, kind: str, params: dict[str, str], link: str = ""
) -> int:
    """One notice to every member of `organisation`. Call inside the change's transaction."""
    user_ids = organisation.memberships.values_list("user_id", flat=True)
    return notices_send(
        Notice(recipient_id=user_id, kind=kind, params=params, link=link) for user_id in user_ids
    )
