"""Partners and their API keys: registration, key creation, rotation, revocation, and the
look-up that authenticates a request.

A key is ``cep_`` + 43 URL-safe characters (256 random bits).  Only its first 12 characters
(the prefix, shown in lists and the key-use log) and the SHA-256 of the whole key are
stored; a presented key is found by its prefix and compared in constant time.  Rotating a key
creates a new one and lets the old one work ``PARTNER_KEY_ROTATION_GRACE`` seconds more;
revoking ends a key at once.  Each change is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import ProfessionalSeries, User, audit_log
from credits.api import RecordCategory
from partners.models import Partner, PartnerKey

KEY_SCHEME = "cep_"
PREFIX_LENGTH = 12


@dataclass(frozen=True)
class IssuedKey:
    """A key just created: ``secret`` is shown once and never stored."""

    key: PartnerKey
    secret: str


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(partner: Partner) -> IssuedKey:
    while True:
        secret = KEY_SCHEME + secrets.token_urlsafe(32)
        prefix = secret[:PREFIX_LENGTH]
        if not PartnerKey.objects.filter(prefix=prefix).exists():
            break
    key = PartnerKey.objects.create(partner=partner, prefix=prefix, hashed=_hash(secret))
    return IssuedKey(key, secret)


def _scope(series: Collection[str], categories: Collection[str]) -> list[ProfessionalSeries]:
    codes = sorted({code.strip() for code in series if code.strip()})
    found = list(ProfessionalSeries.objects.filter(code__in=codes))
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(codes) - {s.code for s in found})
    if unknown:
        errors["series"] = [
            _("Unknown series: %(codes)s.") % {"codes": ", ".join(unknown)},
        ]
    bad = sorted(set(categories) - set(RecordCategory.values))
    if bad:
        errors["categories"] = [
            _("Unknown categories: %(codes)s (use %(known)s).")
            % {"codes": ", ".join(bad), "known": ", ".join(RecordCategory.values)}
        ]
    if errors:
        raise ValidationError(errors)
    return found


@transaction.atomic
def partner_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    series: Collection[str],
    categories: Collection[str],
) -> IssuedKey:
    """Register a partner allowed to push ``series`` (codes) and ``categories``
    (``RecordCategory`` values), with its first key (shown once).

    Caller checks: ``actor`` is HRSS staff (the admin site, or a command run on the server)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": [_("Enter the partner's name.")]})
    if kind not in Partner.Kind.values:
        raise ValidationError(
            {"kind": [_("Choose one of: %(kinds)s.") % {"kinds": ", ".join(Partner.Kind.values)}]}
        )
    if Partner.objects.filter(name=name).exists():
        raise ValidationError({"name": [_("A partner with this name exists already.")]})
    found = _scope(series, categories)
    partner = Partner.objects.create(
        name=name, kind=kind, categories=sorted(set(categories), key=RecordCategory.values.index)
    )
    partner.series.set(found)
    audit_log(actor=actor, action="partner.create", target=partner, to_state="active")
    issued = _issue(partner)
    audit_log(actor=actor, action="partner.key_create", target=partner, reason=issued.key.prefix)
    return issued


FIELDS = ("series", "categories", "active")


@transaction.atomic
def partner_update(
    *,
    actor: User | None,
    partner: Partner,
    series: Collection[str],
    categories: Collection[str],
    active: bool,
) -> Partner:
    """Change what a partner may push, and whether it may push at all.

    Caller checks: ``actor`` is HRSS staff."""
    found = _scope(series, categories)
    locked = Partner.objects.select_for_update().get(pk=partner.pk)
    before = (
        sorted(locked.series.values_list("code", flat=True)),
        list(locked.categories),
        locked.active,
    )
    locked.categories = sorted(set(categories), key=RecordCategory.values.index)
    locked.active = active
    locked.save(update_fields=["categories", "active"])
    locked.series.set(found)
    after = (sorted(s.code for s in found), locked.categories, active)
    if after != before:
        audit_log(
            actor=actor,
            action="partner.update",
            target=locked,
            from_state="active" if before[2] else "inactive",
            to_state="active" if active else "inactive",
            changes={
                name: (old, new)
                for name, old, new in zip(
                    ("series", "categories", "active"), before, after, strict=True
                )
                if old != new
            },
        )
    return locked


@transaction.atomic
def key_create(*, actor: User | None, partner: Partner) -> IssuedKey:
    """A new key for ``partner``, next to its others (shown once).

    Caller checks: ``actor`` is HRSS staff."""
    issued = _issue(partner)
    audit_log(actor=actor, action="partner.key_create", target=partner, reason=issued.key.prefix)
    return issued


@transaction.atomic
def key_rotate(*, actor: User | None, key: PartnerKey) -> IssuedKey:
    """A new key replacing ``key``, which keeps working ``PARTNER_KEY_ROTATION_GRACE``
    seconds more (or less, if it was to end sooner anyway).

    Caller checks: ``actor`` is HRSS staff."""
    locked = PartnerKey.objects.select_for_update().select_related("partner").get(pk=key.pk)
    if not locked.is_valid():
        raise ValidationError(_("This key is revoked or expired: create a new key instead."))
    ends = timezone.now() + timedelta(seconds=settings.PARTNER_KEY_ROTATION_GRACE)
    if locked.expires_at is None or locked.expires_at > ends:
        locked.expires_at = ends
        locked.save(update_fields=["expires_at"])
    issued = _issue(locked.partner)
    audit_log(
        actor=actor,
        action="partner.key_rotate",
        target=locked.partner,
        reason=_("%(old)s… replaced by %(new)s…; the old key works until %(until)s.")
        % {
            "old": locked.prefix,
            "new": issued.key.prefix,
            "until": timezone.localtime(locked.expires_at).isoformat(timespec="minutes"),
        },
    )
    return issued


@transaction.atomic
def key_revoke(*, actor: User | None, key: PartnerKey) -> PartnerKey:
    """End ``key`` at once (a revoked key is never valid again).

    Caller checks: ``actor`` is HRSS staff."""
    locked = PartnerKey.objects.select_for_update().select_related("partner").get(pk=key.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit_log(actor=actor, action="partner.key_revoke", target=locked.partner, reason=locked.prefix)
    return locked


def key_find(secret: str) -> PartnerKey | None:
    """The key whose secret this is, valid or not (with its partner), or ``None``.

    One query by prefix; the hash is compared in constant time."""
    if not secret.startswith(KEY_SCHEME) or len(secret) < PREFIX_LENGTH or len(secret) > 200:
        return None
    key = PartnerKey.objects.select_related("partner").filter(prefix=secret[:PREFIX_LENGTH]).first()
    if key is None or not hmac.compare_digest(key.hashed, _hash(secret)):
        return None
    return key


def key_usable(key: PartnerKey) -> bool:
    """A key lets its partner in: not revoked, not expired, the partner active."""
    return key.is_valid() and key.partner.active
