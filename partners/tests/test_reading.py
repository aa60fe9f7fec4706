"""The partner API's reading side: the changes feed and a person's year (partners.apis.reading)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from accounts.api import Person
from certificates.models import Certificate
from credits.models import RecheckItem, RecheckSample, Record
from credits.services.recheck import recheck_decide
from partners.apis.reading import cursor_decode, cursor_encode
from partners.tests.reading_helpers import bearer, partner_with_key, push
from tests.factories import World, admin_of, catalogues_ensure, person_create, world_create

FEED = "/api/v1/sync/records"


def year_url(person: Person, year: int | None = None) -> str:
    return f"/api/v1/persons/{person.id_number}/years/{year or timezone.localdate().year}"


def read_feed(
    client: Client, secret: str, *, expect: int = 0, **params: Any
) -> tuple[list[dict[str, Any]], str]:
    """Every page from ``params`` on; the records and the last ``next_cursor``. A transaction
    still running in the database (an autovacuum's) may hold the feed back for a moment, never
    make it skip: wait up to 20 s for at least ``expect`` records."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + 20
    while True:
        response = client.get(FEED, params, headers=bearer(secret))
        assert response.status_code == 200, response.content
        body = response.json()
        seen.extend(body["results"])
        params = {**params, "cursor": body["next_cursor"]}
        if body["has_more"]:
            continue
        if len(seen) >= expect or time.monotonic() > deadline:
            return seen, body["next_cursor"]
        time.sleep(0.05)


def test_cursor_round_trip_and_foreign_cursors() -> None:
    assert cursor_decode(cursor_encode(123, 456)) == (123, 456)
    for bad in ("", "abc", cursor_encode(1, 2) + "!", "MS4tMS4y", "Mi4xLjI", "x" * 100):
        assert cursor_decode(bad) is None, bad


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "Bearer", "Bearer cep_unknown", "Basic abc"])
def test_reading_needs_a_known_key(client: Client, header: str | None) -> None:
    catalogues_ensure()
    person = person_create()
    extra = {"Authorization": header} if header else {}
    for url in (FEED, year_url(person)):
        response = client.get(url, headers=extra)
        assert response.status_code == 401, url
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 401
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_a_revoked_key_is_refused(client: Client) -> None:
    catalogues_ensure()
    partner, secret = partner_with_key()
    partner.keys.update(revoked_at=timezone.now())
    assert client.get(FEED, headers=bearer(secret)).status_code == 401


@pytest.mark.django_db(transaction=True)
def test_feed_pages_through_own_records_in_change_order_and_shows_a_later_revocation(
    client: Client,
) -> None:
    world: World = world_create("440100", "440105")
    partner, secret = partner_with_key()
    other, other_secret = partner_with_key("好医生")
    person = person_create()
    push(partner, person, "A-1", "A-2", "A-3")
    push(other, person, "B-1")

    records, cursor = read_feed(client, secret, expect=3, limit=2)
    assert [r["external_id"] for r in records] == ["A-1", "A-2", "A-3"]
    first = records[0]
    assert (first["state"], first["status"], first["id_number"], first["hours"]) == (
        "counted",
        "approved",
        person.id_number,
        "8.0",
    )
    assert [r["external_id"] for r in read_feed(client, other_secret, expect=1)[0]] == ["B-1"]
    # Read again from the end: nothing new.
    assert read_feed(client, secret, cursor=cursor)[0] == []

    # HRSS rechecks A-2 and revokes it; the partner withdraws A-3.
    record = Record.objects.get(external_source=partner.sync_source, external_id="A-2")
    sample = RecheckSample.objects.create(
        office=world.hrss, created_by=admin_of(world.hrss), size=1
    )
    item = RecheckItem.objects.create(sample=sample, record=record)
    recheck_decide(
        office=world.hrss,
        actor=admin_of(world.hrss),
        item=item,
        outcome="revoked",
        reason="复核发现无签到记录",
    )
    push(partner, person, "A-3", withdrawn=True)

    later, _ = read_feed(client, secret, expect=2, cursor=cursor)
    assert [(r["external_id"], r["state"]) for r in later] == [
        ("A-2", "revoked"),
        ("A-3", "withdrawn"),
    ]
    assert (later[0]["reason"], later[0]["revoked_by"]) == ("复核发现无签到记录", world.hrss.name)
    # The whole history from the start shows each record once, in its state now.
    everything, _ = read_feed(client, secret, expect=3)
    assert [(r["external_id"], r["state"]) for r in everything] == [
        ("A-1", "counted"),
        ("A-2", "revoked"),
        ("A-3", "withdrawn"),
    ]
    # changed_since: only what changed at or after that time.
    since = Record.objects.get(external_id="A-3", external_source=partner.sync_source).changed_at
    assert since is not None
    assert [
        r["external_id"]
        for r in read_feed(client, secret, expect=1, changed_since=since.isoformat())[0]
    ] == ["A-3"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "nope"}, "cursor"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"changed_since": "yesterday"}, "changed_since"),
        ({"changed_since": "2024-13-45T99:00:00"}, "changed_since"),
    ],
)
def test_feed_refuses_bad_queries_with_a_problem(
    client: Client, params: dict[str, str], field: str
) -> None:
    catalogues_ensure()
    _, secret = partner_with_key()
    response = client.get(FEED, params, headers=bearer(secret))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]


@pytest.mark.django_db
def test_person_year_for_a_partner_holding_records_of_the_person(client: Client) -> None:
    catalogues_ensure()
    from tests.factories import rules_ensure

    rules_ensure()
    partner, secret = partner_with_key()
    person = person_create()
    push(partner, person, "A-1", hours=20)
    year = timezone.localdate().year
    Certificate.objects.create(
        person=person,
        year=year,
        number=f"{year}-440100-000001",
        check_code="ABCDEFGH",
        person_name=person.real_name,
        status="revoked",
        revoked_at=timezone.now(),
    )
    valid = Certificate.objects.create(
        person=person,
        year=year,
        number=f"{year}-440100-000002",
        check_code="ABCDEFGH",
        person_name=person.real_name,
    )

    response = client.get(year_url(person), headers=bearer(secret))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id_number"], body["year"], body["name"]) == (
        person.id_number,
        year,
        person.real_name,
    )
    assert body["earned"]["professional"]["engineering"] == 20
    required = body["required"]["professional"]["engineering"]
    assert body["shortfall"]["professional"]["engineering"] == max(required - 20, 0)
    assert body["compliant"] is False
    assert body["certificate"]["number"] == valid.number
    assert body["certificate"]["status"] == "valid"


@pytest.mark.django_db
def test_person_year_is_the_same_404_for_strangers_and_unknown_persons(client: Client) -> None:
    catalogues_ensure()
    partner, secret = partner_with_key()
    _other, other_secret = partner_with_key("好医生")
    person, stranger = person_create(), person_create()
    push(partner, person, "A-1")

    answers = [
        client.get(year_url(person), headers=bearer(other_secret)),  # someone else's person
        client.get(year_url(stranger), headers=bearer(secret)),  # exists, never pushed
        client.get("/api/v1/persons/440105199001019999/years/2024", headers=bearer(secret)),
    ]
    assert {a.status_code for a in answers} == {404}
    assert len({a.content for a in answers}) == 1
    assert json.loads(answers[0].content)["status"] == 404
