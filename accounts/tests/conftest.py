from __future__ import annotations

import pytest

from tests.factories import World, world_create


@pytest.fixture
def world(db: None) -> World:
    return world_create("440100", "440105")


@pytest.fixture
def other_world(db: None) -> World:
    return world_create("440300", "440305")
