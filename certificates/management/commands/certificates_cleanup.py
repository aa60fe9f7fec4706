from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from certificates.services.bulk_print import bulk_print_cleanup


class Command(BaseCommand):
    help = (
        "Delete the files of bulk prints whose download link has expired (also run hourly by "
        "Celery beat); idempotent, every deletion audited."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = bulk_print_cleanup()
        self.stdout.write(f"Deleted {deleted} expired bulk print file(s).")
