from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.models import Person
from partners.models import Partner
from partners.services.keys import partner_create
from tests.factories import catalogues_ensure, person_create, rules_ensure

URL = "/api/v1/sync/records"
YEAR = timezone.localdate().year - 1  # open for declarations until the end of this year


@dataclass
class Pusher:
    """A partner with its key, and a client that pushes as it."""

    partner: Partner
    key: str
    client: Client

    def post(
        self,
        body: Any,
        *,
        key: str | None = "",
        idempotency_key: str | None = None,
        content_type: str = "application/json",
        raw: bytes | None = None,
    ) -> Any:
        headers: dict[str, str] = {}
        used = self.key if key == "" else key
        if used is not None:
            headers["Authorization"] = f"Bearer {used}"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        data = raw if raw is not None else json.dumps(body)
        return self.client.post(URL, data=data, content_type=content_type, headers=headers)

    def get(self, url: str, *, key: str | None = "") -> Any:
        used = self.key if key == "" else key
        headers = {"Authorization": f"Bearer {used}"} if used is not None else {}
        return self.client.get(url, headers=headers)


def record(person: Person | None, external_id: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "external_id": external_id,
        "id_number": person.id_number if person is not None else "440101199001011234",
        "year": YEAR,
        "category": "professional",
        "series": "health",
        "hours": 8,
        "title": f"Course {external_id}",
        "start_date": date(YEAR, 5, 10).isoformat(),
        "end_date": date(YEAR, 5, 10).isoformat(),
        "form": "online",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture(autouse=True)
def _clean_cache() -> None:
    cache.clear()  # throttle counters of earlier tests


@pytest.fixture
def pusher() -> Pusher:
    # An earlier transactional test may have emptied the catalogues and rule tables.
    catalogues_ensure()
    rules_ensure()
    issued = partner_create(
        actor=None,
        name="华医网",
        kind="health",
        series=["health"],
        categories=["public", "professional", "elective"],
    )
    return Pusher(issued.key.partner, issued.secret, Client())


@pytest.fixture
def nurse() -> Person:
    return person_create(series=("health",))
