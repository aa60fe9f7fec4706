"""Checks on uploaded proof files (record evidence, profile-fact proof): the type is detected
from the content, never the name. Shared by every app (``credits.uploads`` re-exports it for
record evidence; ``accounts`` uses it for the proof of profile facts).

Only PDF, JPEG and PNG are accepted, up to ``EVIDENCE_MAX_BYTES`` and, for images, up to
``settings.EVIDENCE_MAX_PIXELS`` pixels (a small PNG can declare 100,000 × 100,000 pixels).
A file whose first bytes are not one of those formats (an HTML page renamed
``certificate.pdf``, say) is refused, and images must also pass Pillow's ``verify()``.
"""

from __future__ import annotations

from django.conf import settings
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


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        _(
            "This image is %(width)d × %(height)d pixels; images may have at most "
            "%(max)d million pixels. Scan or photograph it at a lower resolution."
        )
        % {"width": width, "height": height, "max": settings.EVIDENCE_MAX_PIXELS // 1_000_000},
        code="evidence_too_many_pixels",
    )


def _verify_image(uploaded_file: File) -> None:
    from PIL import Image, UnidentifiedImageError

    uploaded_file.seek(0)
    try:
        # Image.open reads only the header; Pillow refuses outright (DecompressionBombError)
        # above twice its own MAX_IMAGE_PIXELS, and our lower cap applies below that.
        with Image.open(uploaded_file) as image:
            width, height = image.size
            if width * height > settings.EVIDENCE_MAX_PIXELS:
                raise _too_many_pixels(width, height)
            image.verify()
    except Image.DecompressionBombError as exc:
        raise ValidationError(
            _(
                "This image has far too many pixels to be a scan or photo of a document; "
                "upload it at a lower resolution."
            ),
            code="evidence_too_many_pixels",
        ) from exc
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
