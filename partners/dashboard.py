"""HRSS's view of the sync partners (reads only): per partner, pushes per day, what the
pushes did (accepted … rejected, with the top reasons), open jobs, its records in the
portal by state, and each key's last use. A fixed number of queries whatever the number of
partners, pushes or records (every figure is an SQL aggregate)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from credits.api import external_status_counts
from partners.models import KeyUse, Partner, PartnerKey, PushRejection, PushTally, SyncJob

WINDOW_DAYS = 30  # outcomes and reasons
DAYS_SHOWN = 14  # pushes per day
TOP_REASONS = 5
PUSH_PATH = "/api/v1/sync/records"
OUTCOMES = ("accepted", "updated", "unchanged", "withdrawn", "rejected")
# Records in the portal, as the changes feed names their states.
RECORD_STATES = {
    "counted": ("approved",),
    "withdrawn": ("withdrawn",),
    "revoked": ("revoked",),
}


@dataclass
class PartnerRow:
    partner: Partner
    keys: list[PartnerKey]
    open_jobs: int
    days: list[tuple[dt.date, int]]
    outcomes: dict[str, int]
    reasons: list[tuple[str, int]]
    records: dict[str, int]
    pushes: int = field(init=False)

    def __post_init__(self) -> None:
        self.pushes = sum(n for _, n in self.days)

    @property
    def keys_text(self) -> str:
        return "; ".join(
            f"{k.prefix}… {timezone.localtime(k.last_used_at):%Y-%m-%d %H:%M}"
            if k.last_used_at
            else f"{k.prefix}… —"
            for k in self.keys
        )

    @property
    def reasons_text(self) -> str:
        return "; ".join(f"{reason} ×{n}" for reason, n in self.reasons)


def partner_dashboard(*, today: dt.date | None = None) -> list[PartnerRow]:
    """Every partner (active or not), by name, with its figures (six queries)."""
    today = today if today is not None else timezone.localdate()
    zone = timezone.get_current_timezone()
    window_start = dt.datetime.combine(
        today - dt.timedelta(days=WINDOW_DAYS - 1), dt.time.min, tzinfo=zone
    )
    first_day = today - dt.timedelta(days=DAYS_SHOWN - 1)
    days_start = dt.datetime.combine(first_day, dt.time.min, tzinfo=zone)

    partners = list(
        Partner.objects.annotate(
            open_jobs=Count(
                "jobs",
                filter=Q(jobs__status__in=[SyncJob.Status.QUEUED, SyncJob.Status.RUNNING]),
            )
        )
        .prefetch_related(
            Prefetch("keys", queryset=PartnerKey.objects.order_by("-created_at", "-pk"))
        )
        .order_by("name")
    )
    outcomes: dict[int, dict[str, Any]] = {
        row["partner_id"]: dict(row)
        for row in PushTally.objects.filter(at__gte=window_start)
        .values("partner_id")
        .annotate(**{outcome: Sum(outcome) for outcome in OUTCOMES})
        .order_by()
    }
    reasons: dict[int, list[tuple[str, int]]] = {}
    for row in (
        PushRejection.objects.filter(at__gte=window_start)
        .values("partner_id", "reason")
        .annotate(n=Sum("count"))
        .order_by("partner_id", "-n", "reason")
    ):
        top = reasons.setdefault(row["partner_id"], [])
        if len(top) < TOP_REASONS:
            top.append((row["reason"], row["n"]))
    pushes: dict[tuple[int, dt.date], int] = {
        (row["partner_id"], row["day"]): row["n"]
        for row in KeyUse.objects.filter(at__gte=days_start, method="POST", path=PUSH_PATH)
        .annotate(day=TruncDate("at", tzinfo=zone))
        .values("partner_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
    }
    statuses = external_status_counts(sources=[p.sync_source for p in partners])
    days = [first_day + dt.timedelta(days=i) for i in range(DAYS_SHOWN)]
    rows = []
    for partner in partners:
        counted = outcomes.get(partner.pk, {})
        by_status = statuses.get(partner.sync_source, {})
        rows.append(
            PartnerRow(
                partner=partner,
                keys=list(partner.keys.all()),
                open_jobs=partner.open_jobs,
                days=[(day, pushes.get((partner.pk, day), 0)) for day in reversed(days)],
                outcomes={outcome: counted.get(outcome) or 0 for outcome in OUTCOMES},
                reasons=reasons.get(partner.pk, []),
                records={
                    state: sum(by_status.get(s, 0) for s in statuses_of)
                    for state, statuses_of in RECORD_STATES.items()
                },
            )
        )
    return rows
