"""National ID numbers are masked for everyone but the person, except one audited reveal."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry, Person
from accounts.validators import mask_id_number
from tests.factories import World, admin_of, bind, person_create


def test_mask_keeps_the_first_six_and_the_last_four() -> None:
    assert mask_id_number("440105199001010010") == "440105********0010"
    assert mask_id_number("") == ""


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.django_db
def test_other_roles_pages_show_only_the_masked_number(world: World) -> None:
    waiting = person_create()
    bind(waiting, world.employer, confirm=False)
    employer = world.employer.pk
    pages = {
        admin_of(world.employer): [
            reverse("accounts:staff_list", kwargs={"organisation_id": employer}),
            reverse("accounts:binding_queue", kwargs={"organisation_id": employer}),
            reverse("credits:review_queue", kwargs={"organisation_id": employer}),
            reverse(
                "credits:record_review_detail",
                kwargs={"organisation_id": employer, "record_id": world.record.pk},
            ),
        ],
        admin_of(world.hrss): [
            reverse(
                "credits:recheck_sample",
                kwargs={
                    "organisation_id": world.hrss.pk,
                    "sample_id": world.recheck_item.sample_id,
                },
            ),
            reverse(
                "credits:recheck_record",
                kwargs={"organisation_id": world.hrss.pk, "item_id": world.recheck_item.pk},
            ),
        ],
    }
    for user, urls in pages.items():
        client = _client(user)
        for url in urls:
            html = client.get(url).content.decode()
            shown = waiting if "bindings" in url else world.person
            assert shown.id_number not in html, url
            assert shown.masked_id_number in html, url


@pytest.mark.django_db
def test_admin_list_masks_the_number(world: World) -> None:
    from accounts.admin import PersonAdmin

    model_admin = site._registry[Person]
    assert isinstance(model_admin, PersonAdmin)
    assert "id_number" not in model_admin.list_display
    assert model_admin.masked_id_number(world.person) == world.person.masked_id_number


@pytest.mark.django_db
def test_reviewer_reveals_a_binding_requests_number_and_the_view_is_audited(
    world: World,
) -> None:
    waiting = person_create()
    employment = bind(waiting, world.employer, confirm=False)
    admin = admin_of(world.employer)
    url = reverse(
        "accounts:binding_id_number",
        kwargs={"organisation_id": world.employer.pk, "employment_id": employment.pk},
    )
    client = _client(admin)

    assert client.get(url).status_code == 405  # only on request (POST)
    response = client.post(url)

    assert response.status_code == 200
    assert waiting.id_number in response.content.decode()
    entry = AuditEntry.objects.get(action="person.id_number_viewed")
    assert (entry.actor_id, entry.target_id, entry.organisation_id) == (
        admin.pk,
        str(waiting.pk),
        world.employer.pk,
    )


@pytest.mark.django_db
def test_reveal_only_for_bindings_waiting_for_this_employer(
    world: World, other_world: World
) -> None:
    client = _client(admin_of(world.employer))
    url = reverse(
        "accounts:binding_id_number",
        kwargs={"organisation_id": world.employer.pk, "employment_id": world.employment.pk},
    )
    other = reverse(
        "accounts:binding_id_number",
        kwargs={"organisation_id": world.employer.pk, "employment_id": other_world.employment.pk},
    )

    assert client.post(url).status_code == 404  # already confirmed: no need to see it
    assert client.post(other).status_code == 404
    assert not AuditEntry.objects.filter(action="person.id_number_viewed").exists()
