"""The key-use log: one row per request made with a key (its prefix, the method, the path
and the answer), written after the response is ready."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from partners.models import KeyUse, PartnerKey

LAST_USED_PRECISION = timedelta(minutes=1)


def key_use_log(*, key: PartnerKey, method: str, path: str, status_code: int) -> None:
    """One insert; ``last_used_at`` is also moved when it is more than a minute old (so a
    busy key costs one extra update a minute, not one per request)."""
    now = timezone.now()
    KeyUse.objects.create(
        partner_id=key.partner_id,
        key_prefix=key.prefix,
        at=now,
        method=method[:8],
        path=path[:200],
        status_code=status_code,
    )
    if key.last_used_at is None or key.last_used_at < now - LAST_USED_PRECISION:
        PartnerKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
