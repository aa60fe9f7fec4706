"""Receivers of other apps' signals; each only queues a certificates task."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from certificates.tasks import RECONCILE_CHUNK, certificates_reconcile_task


def year_summary_changed(sender: type, *, pairs: Sequence[tuple[int, int]], **kwargs: Any) -> None:
    """credits sent this after commit: queue the reconciliation of those person-years."""
    wanted = [[int(person_id), int(year)] for person_id, year in sorted(set(pairs))]
    for start in range(0, len(wanted), RECONCILE_CHUNK):
        certificates_reconcile_task.delay(wanted[start : start + RECONCILE_CHUNK])
