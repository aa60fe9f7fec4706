from __future__ import annotations

import pytest
from django.conf import settings


@pytest.fixture(scope="session", autouse=True)
def _signing_keys() -> None:
    """The throwaway signing CA and key (``manage.py certificate_keys init``) exist."""
    from certificates.signing import keys_init

    assert settings.CERTIFICATE_KEYS_AUTOCREATE
    keys_init()
