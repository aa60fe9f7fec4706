from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def en_client() -> Client:
    """A browser that asks for English, so messages can be asserted in the source language."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
