"""Checks on uploaded evidence files: the shared content validator of ``portal.uploads``."""

from portal.uploads import (
    EVIDENCE_CONTENT_TYPES,
    EVIDENCE_EXTENSIONS,
    EVIDENCE_MAX_BYTES,
    JPEG,
    PDF,
    PNG,
    validate_evidence,
)

__all__ = [
    "EVIDENCE_CONTENT_TYPES",
    "EVIDENCE_EXTENSIONS",
    "EVIDENCE_MAX_BYTES",
    "JPEG",
    "PDF",
    "PNG",
    "validate_evidence",
]
