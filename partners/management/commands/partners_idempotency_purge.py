from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from partners.services.idempotency import idempotency_purge


class Command(BaseCommand):
    help = "Delete idempotency keys older than PARTNER_IDEMPOTENCY_TTL hours (beat runs it hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{idempotency_purge()} idempotency keys deleted.")
