from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from certificates.signing import key_paths, keys_init


class Command(BaseCommand):
    help = (
        "init: create a throwaway signing CA, certificate and ECDSA P-256 key for certificate "
        "PDFs at the paths of the CERTIFICATE_SIGNING_* settings, unless they exist "
        "(development and tests; production brings its own)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["init"])

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CERTIFICATE_KEYS_AUTOCREATE:
            raise CommandError("Production settings: install the real signing key instead.")
        paths = key_paths()
        if keys_init(paths):
            self.stdout.write(
                self.style.SUCCESS(f"Created signing key and CA in {paths.key.parent}")
            )
        else:
            self.stdout.write(f"Signing key already present in {paths.key.parent}")
