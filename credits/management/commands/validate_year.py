"""``manage.py validate_year 2023``: recompute every person's summary of a year."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from credits.services.validation import summaries_refresh


class Command(BaseCommand):
    help = "Annual validation: recompute the year summary of every person holding a series."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int, help="the CE year, e.g. 2023")

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        started = time.perf_counter()
        count = summaries_refresh(year=year)
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{year}: {count} summaries computed in {elapsed:.1f} s")
