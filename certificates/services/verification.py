"""Public verification: by number and check code, or by the file itself.  Every look-up is
written to ``VerificationLookup`` (the log of who asked what)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from certificates.models import Certificate, VerificationLookup
from certificates.selectors.certificates import certificate_by_number, certificate_by_sha256
from certificates.signing import pdf_signature_check

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class FileVerdict:
    """What an uploaded file is."""

    ISSUED = "file_issued"  # exactly a PDF the portal issued (status tells valid or not)
    ALTERED = "file_altered"  # sealed by us once, but changed since (or a broken seal)
    NOT_OURS = "file_not_ours"  # no seal of the portal at all
    UNKNOWN = "file_unknown"  # sealed by us and intact, but no certificate has this hash


@dataclass(frozen=True)
class FileResult:
    verdict: str
    certificate: Certificate | None = None


def _log(
    *, channel: str, number: str, certificate: Certificate | None, outcome: str, ip: str | None
) -> None:
    VerificationLookup.objects.create(
        channel=channel,
        number=number[:64],
        certificate=certificate,
        outcome=outcome,
        ip=ip or None,
    )


def verification_lookup(
    *, number: str, code: str, channel: str, ip: str | None
) -> Certificate | None:
    """The certificate with ``number`` if ``code`` is its check code; ``None`` otherwise (an
    unknown number and a wrong code look the same)."""
    number = number.strip().upper()
    certificate = certificate_by_number(number) if number else None
    given = code.strip().upper().encode()
    if certificate is not None and not hmac.compare_digest(given, certificate.check_code.encode()):
        certificate = None
    _log(
        channel=channel,
        number=number,
        certificate=certificate,
        outcome="found" if certificate is not None else "not_found",
        ip=ip,
    )
    return certificate


def verification_file(*, data: bytes, ip: str | None) -> FileResult:
    """Whether ``data`` is exactly a certificate PDF the portal issued: its seal is intact,
    made by the portal's signing certificate, and its SHA-256 is an issued certificate's."""
    check = pdf_signature_check(data)
    digest = hashlib.sha256(data).hexdigest()
    certificate = certificate_by_sha256(digest) if check.intact and check.by_portal else None
    if certificate is not None:
        result = FileResult(FileVerdict.ISSUED, certificate)
    elif not check.signed:
        result = FileResult(FileVerdict.NOT_OURS)
    elif not check.intact:
        result = FileResult(FileVerdict.ALTERED)
    elif not check.by_portal:
        result = FileResult(FileVerdict.NOT_OURS)
    else:
        result = FileResult(FileVerdict.UNKNOWN)
    _log(
        channel=VerificationLookup.Channel.FILE,
        number=certificate.number if certificate else "",
        certificate=certificate,
        outcome=result.verdict,
        ip=ip,
    )
    return result
