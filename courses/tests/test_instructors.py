"""Instructors (师资) of institutions and employers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import AuditEntry
from courses.models import Instructor
from courses.selectors.instructors import enabled_instructors
from courses.services.instructors import (
    instructor_add,
    instructor_delete,
    instructor_edit,
    instructor_set_enabled,
)
from courses.tests.orgs_helpers import class_with
from tests.factories import World, admin_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _add(world: World, kind: str = "institution", name: str = "王老师") -> Instructor:
    owner = world.org(kind)
    return instructor_add(actor=admin_of(owner), owner=owner, name=name, title="高级工程师")


@pytest.mark.parametrize("kind", ["institution", "employer"])
def test_institutions_and_employers_keep_instructors(world: World, kind: str) -> None:
    instructor = _add(world, kind)
    assert instructor.enabled
    assert list(enabled_instructors(world.org(kind).pk)) == [instructor]
    assert AuditEntry.objects.filter(action="instructor.add", target_id=str(instructor.pk)).exists()


def test_authorities_keep_no_instructors(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _add(world, "authority")


def test_only_enabled_instructors_of_the_owner_are_offered(
    world: World, other_world: World
) -> None:
    kept = _add(world, name="甲")
    disabled = _add(world, name="乙")
    _add(other_world, name="丙")
    instructor_set_enabled(actor=admin_of(world.institution), instructor=disabled, enabled=False)
    assert list(enabled_instructors(world.institution.pk)) == [kept]
    instructor_set_enabled(actor=admin_of(world.institution), instructor=disabled, enabled=True)
    assert set(enabled_instructors(world.institution.pk)) == {kept, disabled}
    with pytest.raises(ValidationError):
        instructor_set_enabled(actor=admin_of(world.institution), instructor=kept, enabled=True)


def test_an_edit_is_audited_field_by_field(world: World) -> None:
    instructor = _add(world)
    instructor_edit(
        actor=admin_of(world.institution),
        instructor=instructor,
        name="王老师",
        title="教授",
        specialty="结构",
        phone="13800000000",
    )
    entry = AuditEntry.objects.get(action="instructor.edit")
    assert entry.changes is not None and entry.changes["title"] == ["高级工程师", "教授"]


def test_another_organisation_cannot_touch_them(world: World, other_world: World) -> None:
    instructor = _add(world)
    with pytest.raises(PermissionDenied):
        instructor_delete(actor=admin_of(other_world.institution), instructor=instructor)


def test_an_instructor_never_used_is_deleted(world: World) -> None:
    instructor = _add(world)
    instructor_delete(actor=admin_of(world.institution), instructor=instructor)
    assert not Instructor.objects.filter(pk=instructor.pk).exists()
    assert AuditEntry.objects.filter(action="instructor.delete").exists()


def test_an_instructor_who_taught_a_class_is_not_deleted(world: World) -> None:
    instructor = _add(world)
    class_with(instructor, world.authority)
    with pytest.raises(ValidationError, match="cannot be deleted"):
        instructor_delete(actor=admin_of(world.institution), instructor=instructor)
    assert Instructor.objects.filter(pk=instructor.pk).exists()


def test_the_pages_add_disable_confirm_and_delete(world: World) -> None:
    client = Client()
    client.force_login(admin_of(world.employer))
    org_kw = {"organisation_id": world.employer.pk}
    url = reverse("courses:instructors", kwargs=org_kw)
    assert (
        client.post(
            url, {"name": "赵老师", "title": "", "specialty": "安全", "phone": ""}
        ).status_code
        == 302
    )
    instructor = Instructor.objects.get(owner=world.employer)
    kw = {**org_kw, "instructor_id": instructor.pk}
    client.post(reverse("courses:instructor_toggle", kwargs=kw), {"enabled": "0"})
    instructor.refresh_from_db()
    assert not instructor.enabled
    edit = client.post(
        reverse("courses:instructor_edit", kwargs=kw),
        {"name": "赵老师", "title": "讲师", "specialty": "安全", "phone": ""},
    )
    assert edit.status_code == 302
    confirm = client.get(reverse("courses:instructor_delete", kwargs=kw))
    assert confirm.status_code == 200 and b'data-testid="confirm-delete"' in confirm.content
    assert Instructor.objects.filter(pk=instructor.pk).exists()  # a GET deletes nothing
    client.post(reverse("courses:instructor_delete", kwargs=kw))
    assert not Instructor.objects.filter(pk=instructor.pk).exists()


def test_the_delete_page_of_a_used_instructor_refuses_with_a_message(world: World) -> None:
    instructor = _add(world)
    class_with(instructor, world.authority)
    client = Client()
    client.force_login(admin_of(world.institution))
    kw = {"organisation_id": world.institution.pk, "instructor_id": instructor.pk}
    page = client.get(reverse("courses:instructor_delete", kwargs=kw))
    assert page.context["taught"] == 1 and b'data-testid="confirm-delete"' not in page.content
    response = client.post(reverse("courses:instructor_delete", kwargs=kw), follow=True)
    assert Instructor.objects.filter(pk=instructor.pk).exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_list_exports(world: World, fmt: str) -> None:
    _add(world, name="钱老师")
    client = Client()
    client.force_login(admin_of(world.institution))
    response = client.get(
        reverse(
            f"courses:instructors_export_{fmt}", kwargs={"organisation_id": world.institution.pk}
        )
    )
    assert response.status_code == 200
    if fmt == "csv":
        body = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
        assert "钱老师" in body
