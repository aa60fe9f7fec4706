from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from partners.models import Partner, PartnerKey
from partners.services.keys import key_create, key_revoke, key_rotate


class Command(BaseCommand):
    help = (
        "Manage a sync partner's API keys: `list PARTNER`, `create PARTNER`, `rotate PREFIX` "
        "(the old key works PARTNER_KEY_ROTATION_GRACE seconds more), `revoke PREFIX`. A new "
        "key is printed once, on the last line. PARTNER is the partner's name or id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "create", "rotate", "revoke"])
        parser.add_argument("target", help="Partner name or id (list, create); key prefix.")

    def _partner(self, target: str) -> Partner:
        partner = Partner.objects.filter(name=target).first()
        if partner is None and target.isdigit():
            partner = Partner.objects.filter(pk=int(target)).first()
        if partner is None:
            raise CommandError(f"No partner named {target!r}.")
        return partner

    def _key(self, prefix: str) -> PartnerKey:
        key = PartnerKey.objects.select_related("partner").filter(prefix=prefix).first()
        if key is None:
            raise CommandError(f"No key with the prefix {prefix!r}.")
        return key

    def handle(self, *args: Any, **options: Any) -> None:
        action, target = options["action"], options["target"]
        try:
            if action == "list":
                for key in self._partner(target).keys.order_by("created_at", "pk"):
                    state = "valid" if key.is_valid() else "ended"
                    if key.revoked_at:
                        state = f"revoked {timezone.localtime(key.revoked_at):%Y-%m-%d %H:%M}"
                    elif key.expires_at:
                        state += f", ends {timezone.localtime(key.expires_at):%Y-%m-%d %H:%M}"
                    self.stdout.write(f"{key.prefix}…  {state}")
                return
            if action == "revoke":
                key = key_revoke(actor=None, key=self._key(target))
                self.stdout.write(f"Key {key.prefix}… of {key.partner.name} revoked.")
                return
            if action == "rotate":
                old = self._key(target)
                issued = key_rotate(actor=None, key=old)
                old.refresh_from_db()
                assert old.expires_at is not None
                self.stdout.write(
                    f"Key {old.prefix}… works until "
                    f"{timezone.localtime(old.expires_at):%Y-%m-%d %H:%M}; "
                    f"new key {issued.key.prefix}…, shown once:"
                )
            else:
                issued = key_create(actor=None, partner=self._partner(target))
                self.stdout.write(f"New key {issued.key.prefix}… shown once:")
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(issued.secret)
