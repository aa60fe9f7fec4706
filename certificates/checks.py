"""System checks: production must have the certificate-signing key, certificate and chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error


def signing_files_present(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.CERTIFICATE_KEYS_AUTOCREATE:
        return []  # created on first use outside production
    errors: list[CheckMessage] = []
    names = ("CERTIFICATE_SIGNING_KEY", "CERTIFICATE_SIGNING_CERT", "CERTIFICATE_SIGNING_CHAIN")
    for name in names:
        path = Path(getattr(settings, name))
        if not path.is_file():
            errors.append(
                Error(
                    f"{name} points at {path}, which is not a readable file.",
                    hint="Install the portal's certificate-signing key, certificate and CA chain.",
                    id="certificates.E001",
                )
            )
    return errors
