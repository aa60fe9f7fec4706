"""Counting what pushes did, for HRSS's partner dashboard (partners.dashboard)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction

from partners.models import Partner, PushRejection, PushTally

MAX_REASON = 300
OUTCOMES = ("accepted", "updated", "unchanged", "withdrawn", "rejected")


def reasons_of(receipts: Sequence[Mapping[str, Any]]) -> Counter[str]:
    """``field: message`` of every error of the rejected receipts, counted."""
    reasons: Counter[str] = Counter()
    for receipt in receipts:
        if receipt.get("outcome") != "rejected":
            continue
        for field, messages in (receipt.get("errors") or {}).items():
            for message in messages:
                reasons[f"{field}: {message}"[:MAX_REASON]] += 1
    return reasons


@transaction.atomic
def push_tally_record(
    *, partner: Partner, receipts: Sequence[Mapping[str, Any]], job_id: int | None = None
) -> PushTally:
    """One tally row (and one row per rejection reason) for the receipts of a push or of a
    job's chunk: two inserts whatever the number of records. No audit entry: this is a
    statistic of writes that are audited in credits.

    Caller checks: the receipts come from processing the partner's push."""
    counted = Counter(receipt.get("outcome") for receipt in receipts)
    tally = PushTally.objects.create(
        partner=partner,
        job_id=job_id,
        received=len(receipts),
        **{outcome: counted.get(outcome, 0) for outcome in OUTCOMES},
    )
    PushRejection.objects.bulk_create(
        PushRejection(partner=partner, tally=tally, at=tally.at, reason=reason, count=count)
        for reason, count in reasons_of(receipts).items()
    )
    return tally
