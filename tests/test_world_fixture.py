"""The `world` fixtures are built once per module and every test sees them as built.

The two tests run in file order: the first changes the shared world's rows and its own Python
copy; the second finds the same rows (same ids, not rebuilt) exactly as they were built.
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.models import Person
from credits.models import Record
from tests.factories import World, record_make

pytestmark = pytest.mark.django_db

_seen: dict[str, Any] = {}


def test_a_test_may_change_the_world(world: World, other_world: World) -> None:
    _seen.update(
        person=world.person.pk, other=other_world.person.pk, records=Record.objects.count()
    )
    Person.objects.filter(pk=world.person.pk).update(real_name="改过的名字")
    world.person.real_name = "改过的名字"
    record_make(world.person, world.employer, title="只在这个测试里")
    world.record.delete()

    assert Record.objects.count() == _seen["records"]


def test_the_next_test_sees_the_same_world_as_built(world: World, other_world: World) -> None:
    if not _seen:
        pytest.skip("runs after test_a_test_may_change_the_world")
    assert (world.person.pk, other_world.person.pk) == (_seen["person"], _seen["other"])
    assert world.person.real_name != "改过的名字"
    assert Person.objects.get(pk=world.person.pk).real_name == world.person.real_name
    assert Record.objects.count() == _seen["records"]
    assert Record.objects.filter(pk=world.record.pk).exists()
    assert not Record.objects.filter(title="只在这个测试里").exists()
