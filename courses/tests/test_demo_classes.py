"""`make run`'s demo classes: one accepting enrolment with enrolments, one open with results,
one closed whose record waits in the demo employer's queue."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from courses.demo_classes import demo_classes_load
from courses.models import Enrolment, TrainingClass
from credits.models import Record


@pytest.mark.django_db
def test_the_demo_has_a_class_in_each_state_and_a_record_in_the_employers_queue() -> None:
    call_command("seed_demo")
    states = dict(TrainingClass.objects.values_list("name", "status"))
    assert {"accepting", "open", "closed"} <= set(states.values())
    accepting = TrainingClass.objects.get(status="accepting", name__contains="装配式")
    assert accepting.enrolled == 2
    assert Enrolment.objects.filter(training_class__status="open", result="pass").exists()
    record = Record.objects.select_related("employer").get(source="institution_class")
    assert record.employer is not None
    assert (record.status, record.person.user.username, record.employer.name) == (
        "submitted",
        "person",
        "广州示范建设工程有限公司",
    )

    demo_classes_load()  # again: nothing new
    assert Record.objects.filter(source="institution_class").count() == 1
    assert Enrolment.objects.count() == 4
