"""Every write of the certificates app (issuing, reissue, revocation, lookups)."""

from certificates.services.issuing import (
    ReconcileResult,
    certificate_reconcile,
    certificate_reissue,
    certificate_revoke,
)
from certificates.services.numbers import check_code_new, number_allocate

__all__ = [
    "ReconcileResult",
    "certificate_reconcile",
    "certificate_reissue",
    "certificate_revoke",
    "check_code_new",
    "number_allocate",
]
