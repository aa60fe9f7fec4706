"""What other apps (and later parts of this app: bulk printing, the history import, the
benchmarks) may use of the certificates app."""

from __future__ import annotations

from certificates.models import Certificate, CertificateSeries
from certificates.pdf import render_certificate_html, render_certificate_pdf, verify_url
from certificates.selectors.certificates import (
    employer_certificates,
    latest_certificate_field,
    office_certificates,
    person_certificates,
    series_locked_years,
)
from certificates.services import certificate_reconcile, number_allocate
from certificates.signing import pdf_signature_check, sign_pdf

__all__ = [
    "Certificate",
    "CertificateSeries",
    "certificate_reconcile",
    "employer_certificates",
    "latest_certificate_field",
    "number_allocate",
    "office_certificates",
    "pdf_signature_check",
    "person_certificates",
    "render_certificate_html",
    "render_certificate_pdf",
    "series_locked_years",
    "sign_pdf",
    "verify_url",
]
