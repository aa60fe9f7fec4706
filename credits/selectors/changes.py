"""The changes feed over a sync partner's records (docs/decisions/0017-sync-change-feed.md).

Records are read in the order of their last change, ``(change_xid, change_seq)``, both
written by the trigger of ``credits.change_marks``. A position (the last row a reader saw)
is enough to continue: nothing is skipped or served twice, even while other transactions
are still writing, because on PostgreSQL only changes of transactions below the oldest
transaction of this database still running (the snapshot's xmin, leaving out transactions
of other databases: ``_SETTLED_BELOW``) are served. Every
transaction that could still commit a change has an id at or above that bound, so it sorts
after anything served so far. (A long transaction holds the feed back until it ends; it
never makes it skip.)
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.expressions import RawSQL

from credits.models import Record

# Changes of transactions at or above this id may still be running (PostgreSQL only): the
# oldest transaction of the statement's snapshot still in progress (its xmin), except those
# known to run in another database of the cluster (they never write these records; without
# this, any open transaction elsewhere, e.g. another test database's, would hold the feed
# back). A transaction whose database is unknown (e.g. it ended since the snapshot, or its
# session is not visible to this role) still counts: a race only makes the bound lower.
# Transaction ids in pg_stat_activity are 32-bit, the snapshot's 64-bit (epoch + id).
_SETTLED_BELOW = """(
    SELECT coalesce(
        min(running::text::bigint), pg_snapshot_xmax(pg_current_snapshot())::text::bigint
    )
    FROM pg_snapshot_xip(pg_current_snapshot()) AS running
    WHERE running::text::bigint %% 4294967296 NOT IN (
        SELECT backend_xid::text::bigint FROM pg_stat_activity
        WHERE datname <> current_database() AND backend_xid IS NOT NULL
    )
)"""


def record_changes(
    *,
    source: str,
    after: tuple[int, int] | None = None,
    since: dt.datetime | None = None,
    limit: int = 100,
) -> list[Record]:
    """Up to ``limit`` records of ``source`` (``Record.external_source``) whose last change
    comes after the position ``after`` (``(change_xid, change_seq)`` of the last record
    read) and happened at or after ``since``, in change order, with person, series and
    the revoking office loaded (one query)."""
    rows: QuerySet[Record] = Record.objects.filter(external_source=source, change_seq__isnull=False)
    if connection.vendor == "postgresql":
        rows = rows.filter(change_xid__lt=RawSQL(_SETTLED_BELOW, []))  # noqa: S611 (constant)
    if after is not None:
        xid, seq = after
        rows = rows.filter(Q(change_xid__gt=xid) | Q(change_xid=xid, change_seq__gt=seq))
    if since is not None:
        rows = rows.filter(changed_at__gte=since)
    return list(
        rows.select_related("person", "series", "revoked_by_office").order_by(
            "change_xid", "change_seq"
        )[:limit]
    )


def source_holds_person(*, source: str, person_id: int) -> bool:
    """Whether ``source`` pushed any record (in any state) of the person."""
    return Record.objects.filter(external_source=source, person_id=person_id).exists()


def status_counts(sources: list[str]) -> dict[str, dict[str, int]]:
    """``{source: {status: number of records}}`` of the given sources (one query)."""
    counts: dict[str, dict[str, int]] = {source: {} for source in sources}
    rows = (
        Record.objects.filter(external_source__in=sources)
        .values_list("external_source", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for source, status, n in rows:
        counts[source][status] = n
    return counts
