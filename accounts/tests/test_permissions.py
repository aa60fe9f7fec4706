"""Per-organisation role groups and their guardian object permissions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group
from guardian.models import GroupObjectPermission
from guardian.shortcuts import get_perms

from accounts.models import Membership
from accounts.permissions import ROLE_PERMISSIONS, can, organisation_groups_ensure, role_group_name
from tests.factories import World, admin_of

pytestmark = pytest.mark.django_db


def test_each_role_group_holds_exactly_its_permissions_on_its_organisation_only(
    world: World,
) -> None:
    groups = organisation_groups_ensure(world.employer)

    assert set(groups) == set(ROLE_PERMISSIONS)
    for role, group in groups.items():
        assert group.name == role_group_name(world.employer.pk, role)
        assert sorted(get_perms(group, world.employer)) == sorted(ROLE_PERMISSIONS[role])
        assert get_perms(group, world.hrss) == []
    assert can(admin_of(world.employer), "review_records", world.employer)
    assert not can(world.staff_membership.user, "review_records", world.employer)
    assert can(world.staff_membership.user, "act_for_organisation", world.employer)


def test_groups_are_granted_in_bulk_and_only_once(
    world: World, django_assert_max_num_queries: Any
) -> None:
    Membership.objects.filter(organisation=world.institution).delete()
    Group.objects.filter(name__startswith=f"org:{world.institution.pk}:").delete()
    assert not GroupObjectPermission.objects.filter(object_pk=str(world.institution.pk)).exists()

    # Three get_or_create (4 queries each), the permissions, one insert: not 3 per permission.
    with django_assert_max_num_queries(15):
        organisation_groups_ensure(world.institution)
    rows = GroupObjectPermission.objects.filter(object_pk=str(world.institution.pk))
    assert rows.count() == sum(len(perms) for perms in ROLE_PERMISSIONS.values())

    organisation_groups_ensure(world.institution)
    assert rows.count() == sum(len(perms) for perms in ROLE_PERMISSIONS.values())
