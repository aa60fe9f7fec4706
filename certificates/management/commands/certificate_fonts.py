from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from certificates.fonts import ensure_compact_font


class Command(BaseCommand):
    help = (
        "Build the compact certificate font (certificates/fonts.py) from Noto Serif CJK SC "
        "into CERTIFICATE_FONT_CACHE unless it is there (once per machine; ~15-40 s)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            path = ensure_compact_font()
        except Exception as error:
            raise CommandError(f"No compact certificate font: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(f"Certificate font {path} ({time.perf_counter() - started:.1f} s)")
        )
