"""``manage.py history_import FILE``: the old city system's certificates or records (CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from certificates.services.history import history_import


class Command(BaseCommand):
    help = (
        "Import certificates or CE records of the old city system (2018 and earlier) from a "
        "UTF-8 CSV file; a bad row fails the whole file, and importing a file twice adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: {exc}") from exc
        try:
            result = history_import(text=text, source=path.name)
        except ValidationError as exc:
            raise CommandError(
                f"{path}: nothing was imported.\n" + "\n".join(exc.messages)
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{path}: {result.rows} {result.kind} read, {result.created} new, "
                f"{result.unchanged} already imported."
            )
        )
