"""HRSS's partner dashboard: pushes per day, outcomes and top reasons, open jobs, records by
state, keys' last use; a fixed number of queries; CSV / XLSX export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Person
from partners.models import SyncJob
from partners.services.keys import partner_create
from partners.tests.conftest import Pusher, record
from tests.factories import World, admin_of

pytestmark = pytest.mark.django_db


def hrss_client(world: World) -> Client:
    client = Client()
    client.force_login(admin_of(world.hrss))
    return client


def mixed_push(pusher: Pusher, nurse: Person) -> None:
    response = pusher.post(
        {
            "records": [
                record(nurse, "H-1"),
                record(nurse, "H-2", hours=4),
                record(None, "H-3"),  # unknown person
                record(None, "H-4"),  # unknown person
                record(nurse, "H-5", series="engineering"),  # outside the scope
            ]
        }
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (2, 3)


def test_hrss_sees_what_a_partner_pushed(world: World, pusher: Pusher, nurse: Person) -> None:
    mixed_push(pusher, nurse)
    SyncJob.objects.create(partner=pusher.partner, total=2000)  # queued
    response = hrss_client(world).get(reverse("partners:dashboard", args=[world.hrss.pk]))
    assert response.status_code == 200
    rows = response.context["rows"]
    row = next(r for r in rows if r.partner == pusher.partner)
    assert row.outcomes == {
        "accepted": 2,
        "updated": 0,
        "unchanged": 0,
        "withdrawn": 0,
        "rejected": 3,
    }
    assert row.reasons[0][1] == 2  # the unknown person, twice, comes first
    assert row.reasons[0][0].startswith("id_number: ")
    assert sum(n for _, n in row.reasons) == 3
    assert row.open_jobs == 1
    assert row.records == {"counted": 2, "withdrawn": 0, "revoked": 0}
    assert dict(row.days)[timezone.localdate()] == 1
    assert row.keys[0].last_used_at is not None
    html = response.content.decode()
    assert pusher.partner.name in html and row.keys[0].prefix in html


def test_the_dashboard_keeps_a_fixed_number_of_queries(
    world: World, pusher: Pusher, nurse: Person
) -> None:
    client = hrss_client(world)
    url = reverse("partners:dashboard", args=[world.hrss.pk])
    mixed_push(pusher, nurse)
    client.get(url)  # warm caches (session, permissions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for n in range(3):
        other = partner_create(
            actor=None, name=f"平台{n}", kind="education", series=["health"], categories=["public"]
        )
        Pusher(other.key.partner, other.secret, Client()).post({"records": [record(nurse, "X")]})
        SyncJob.objects.create(partner=other.key.partner, total=1500)
    with CaptureQueriesContext(connection) as four:
        response = client.get(url)
    assert len(response.context["rows"]) == 4
    assert len(four) == len(one), [q["sql"] for q in four.captured_queries]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_dashboard_exports_one_row_per_partner(
    world: World, pusher: Pusher, nurse: Person, fmt: str
) -> None:
    mixed_push(pusher, nurse)
    response = hrss_client(world).get(reverse(f"partners:dashboard_{fmt}", args=[world.hrss.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if fmt == "csv" else b"".join(response)  # type: ignore[attr-defined]
    if fmt == "csv":
        lines = content.decode("utf-8-sig").splitlines()
        assert len(lines) == 2
        cells: list[Any] = lines[1].split(",")
    else:
        sheet = load_workbook(io.BytesIO(content)).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == 2
        cells = list(rows[1])
    assert cells[0] == pusher.partner.name
    assert [str(c) for c in cells[4:9]] == ["2", "0", "0", "0", "3"]
