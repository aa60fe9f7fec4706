"""Capacity holds under concurrent enrolment: parallel requests, each thread on its own
PostgreSQL connection, more requests than places; exactly ``capacity`` succeed and the rest
are refused with the "full" message (never a server error)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment, TrainingClass
from courses.tests.factories import class_make, plan_make
from tests.factories import person_create, world_create

CAPACITY = 3
REQUESTS = 10


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_parallel_enrolments_take_exactly_the_capacity() -> None:
    world = world_create("440100", "440105")
    c = class_make(plan_make(world.institution, authority=world.authority), capacity=CAPACITY)
    users = [person_create().user for _ in range(REQUESTS)]
    url = reverse("courses:class_enrol", kwargs={"class_id": c.pk})
    barrier = threading.Barrier(REQUESTS)
    outcomes: list[Any] = []
    lock = threading.Lock()

    def enrol(user: Any) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        try:
            barrier.wait(timeout=30)
            response = client.post(url, follow=True)
            with lock:
                outcomes.append((response.status_code, response.content.decode()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enrol, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    c.refresh_from_db()
    holding = Enrolment.objects.filter(
        training_class=c, status__in=Enrolment.HOLDING_STATUSES
    ).count()
    assert [code for code, _ in outcomes] == [200] * REQUESTS  # no 500: nobody hit the constraint
    assert (c.enrolled, holding) == (CAPACITY, CAPACITY)
    full = [body for _, body in outcomes if "full" in body or "已满" in body]
    assert len(full) == REQUESTS - CAPACITY
    assert TrainingClass.objects.get(pk=c.pk).places_left == 0
