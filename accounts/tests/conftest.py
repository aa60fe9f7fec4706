from __future__ import annotations

from typing import Any

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: Any) -> None:
    """MD5 in tests (STYLE.md): `make test` sets it too; this keeps a bare `pytest` as fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def en_client() -> Client:
    """A browser that asks for English, so messages can be asserted in the source language."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
