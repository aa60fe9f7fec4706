"""Checks on uploaded evidence files: the type is detected from the content, never the name.

Only PDF, JPEG and PNG are accepted, up to ``EVIDENCE_MAX_BYTES``.  A file whose first bytes
are not one of those formats (an HTML page renamed ``certificate.pdf``, say) is refused, and
images must also pass Pillow's ``verify()``.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.utils.translation import gettext as _

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024

PDF = "pdf"
JPEG = "jpeg"
PNG = "png"

# Detected kind → (magic bytes at offset 0, content type).
_SIGNATURES: dict[str, tuple[bytes, str]] = {
    PDF: (b"%PDF-", "application/pdf"),
    JPEG: (b"\xff\xd8\xff", "image/jpeg"),
    PNG: (b"\x89PNG\r\n\x1a\n", "image/png"),
}
EVIDENCE_CONTENT_TYPES: dict[str, str] = {kind: sig[1] for kind, sig in _SIGNATURES.items()}
# Content type → extension of the stored file (see ``credits.models.evidence_upload_to``).
EVIDENCE_EXTENSIONS: dict[str, str] = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}
_HEAD_BYTES = max(len(sig[0]) for sig in _SIGNATURES.values())


def _detect(head: bytes) -> str | None:
    for kind, (magic, _content_type) in _SIGNATURES.items():
        if head.startswith(magic):
            return kind
    return None


def _verify_image(uploaded_file: File) -> None:
    from PIL import Image, UnidentifiedImageError

    uploaded_file.seek(0)
    try:
        with Image.open(uploaded_file) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("This image is damaged or incomplete: upload it again."), code="evidence_broken"
        ) from exc


def validate_evidence(uploaded_file: File) -> str:
    """Return the detected kind (``"pdf"``, ``"jpeg"`` or ``"png"``) or raise ``ValidationError``.

    The file position is left at the start.
    """
    size = uploaded_file.size
    if size == 0:
        raise ValidationError(_("The file is empty."), code="evidence_empty")
    if size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size).1f MB; files may be at most %(max)d MB.")
            % {"size": size / (1024 * 1024), "max": EVIDENCE_MAX_BYTES // (1024 * 1024)},
            code="evidence_too_large",
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(_HEAD_BYTES)
    kind = _detect(head)
    if kind is None:
        raise ValidationError(
            _(
                "The file's content is not a PDF, JPEG or PNG document, whatever its name "
                "says. Upload a PDF or a photo (JPEG or PNG)."
            ),
            code="evidence_type",
        )
    if kind in (JPEG, PNG):
        _verify_image(uploaded_file)
    uploaded_file.seek(0)
    return kind
