"""What anyone may learn about a certificate: the verification answer's one shape."""

from __future__ import annotations

from typing import Any

from certificates.models import Certificate


def mask_name(name: str) -> str:
    """The family name and a star per other character: 张三 → 张*, 欧阳娜娜 → 欧***."""
    chars = list(name.strip())
    if len(chars) <= 1:
        return "".join(chars)
    return chars[0] + "*" * (len(chars) - 1)


FIELDS = (
    "number",
    "status",
    "superseded_by",
    "revoked_at",
    "revocation_reason",
    "year",
    "name",
    "hours",
    "issued_at",
    "sha256",
)


def public_data(certificate: Certificate | None, *, number: str = "") -> dict[str, Any]:
    """The verification answer; for no certificate the same keys, ``status`` ``not_found``
    and nothing else filled in (so a number that exists cannot be told apart)."""
    if certificate is None:
        return {**dict.fromkeys(FIELDS), "number": number, "status": "not_found"}
    return {
        "number": certificate.number,
        "status": certificate.status,
        "superseded_by": certificate.superseded_by.number if certificate.superseded_by else None,
        "revoked_at": certificate.revoked_at.isoformat() if certificate.revoked_at else None,
        "revocation_reason": certificate.revocation_reason or None,
        "year": certificate.year,
        "name": mask_name(certificate.person_name),
        "hours": certificate.hours,
        "issued_at": certificate.issued_at.isoformat(),
        "sha256": certificate.sha256,
    }
