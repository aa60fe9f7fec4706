"""Every write of the credits app, one module per area (``records`` …).

Keyword-only, typed, one transaction per call, one audit entry per state change, no HTTP.
"""

from credits.services.records import (
    RecordDraft,
    evidence_remove,
    record_create,
    record_delete,
    record_submit,
    record_update,
)
from credits.services.reviews import (
    ReviewResult,
    record_decision_change,
    records_review,
    review_job_process,
    review_job_start,
)

__all__ = [
    "RecordDraft",
    "ReviewResult",
    "evidence_remove",
    "record_create",
    "record_decision_change",
    "record_delete",
    "record_submit",
    "record_update",
    "records_review",
    "review_job_process",
    "review_job_start",
]
