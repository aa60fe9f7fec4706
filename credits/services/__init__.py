"""Every write of the credits app, one module per area (``records`` …).

Keyword-only, typed, one transaction per call, one audit entry per state change, no HTTP.
"""

from credits.services.records import (
    record_create,
    record_submit,
    record_update,
)

__all__ = ["record_create", "record_submit", "record_update"]
