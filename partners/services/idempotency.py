"""Idempotency keys (IETF httpapi ``Idempotency-Key``): the first request with a key claims
it in a row committed before the request is processed; a later request with the same key
gets the first response byte for byte, 409 while the first still runs, 422 when its body
differs.  Keys are kept at least ``PARTNER_IDEMPOTENCY_TTL`` hours; an older key may be used
again, and ``idempotency_purge`` (hourly on beat) deletes them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from partners.models import IdempotencyRecord, Partner

MAX_KEY_LENGTH = 255


class IdempotencyConflict(Exception):
    """The first request with this key is still being processed (409)."""


class IdempotencyMismatch(Exception):
    """This key was used with another request (422)."""


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    content_type: str


def fingerprint(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def key_is_valid(key: str) -> bool:
    """1 to 255 printable ASCII characters (spaces inside only)."""
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


def _ttl() -> timedelta:
    return timedelta(hours=settings.PARTNER_IDEMPOTENCY_TTL)


def idempotency_claim(
    *, partner: Partner, key: str, request_fingerprint: str
) -> IdempotencyRecord | StoredResponse:
    """Claim ``key`` for a new request (the row is committed at once: call outside any
    transaction), or return the stored response of the finished first request.

    Raises ``IdempotencyConflict`` while the first runs, ``IdempotencyMismatch`` when the
    fingerprint (method, path, body) differs."""
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    partner=partner, key=key, fingerprint=request_fingerprint
                )
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(partner=partner, key=key).first()
        if existing is None:
            continue  # purged meanwhile: claim again
        if existing.created_at < timezone.now() - _ttl():
            # Kept long enough: the key may start again.
            IdempotencyRecord.objects.filter(
                pk=existing.pk, created_at=existing.created_at
            ).delete()
            continue
        if existing.fingerprint != request_fingerprint:
            raise IdempotencyMismatch
        if existing.state == IdempotencyRecord.State.RUNNING:
            raise IdempotencyConflict
        return StoredResponse(
            status=existing.response_status or 200,
            body=bytes(existing.response_body or b""),
            content_type=existing.content_type,
        )
    raise IdempotencyConflict


def idempotency_finish(
    *, record: IdempotencyRecord, status: int, body: bytes, content_type: str
) -> None:
    """Keep the first response for replays."""
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        state=IdempotencyRecord.State.DONE,
        response_status=status,
        response_body=body,
        content_type=content_type,
    )


def idempotency_release(*, record: IdempotencyRecord) -> None:
    """Forget a claim whose request failed (a server error): the key may be sent again."""
    IdempotencyRecord.objects.filter(pk=record.pk).delete()


def idempotency_purge() -> int:
    """Delete the keys older than ``PARTNER_IDEMPOTENCY_TTL`` hours; how many."""
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - _ttl()).delete()
    return deleted
