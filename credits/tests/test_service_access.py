"""The credits services that check who may act refuse everyone else, whatever calls them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from credits.models import Evidence, ReviewJob
from credits.services import evidence_remove, review_job_start
from tests.factories import World, admin_of, evidence_make, member_create, record_make

pytestmark = pytest.mark.django_db


def test_only_a_reviewer_of_the_employer_queues_a_review_job(
    world: World, other_world: World
) -> None:
    staff = member_create(world.employer, "queue-staff", "staff").user
    before = ReviewJob.objects.count()
    for outsider in (staff, admin_of(other_world.employer), world.person.user):
        with pytest.raises(PermissionDenied):
            review_job_start(
                reviewer=outsider,
                employer=world.employer,
                record_ids=[world.record.pk],
                decision="approve",
            )
    assert ReviewJob.objects.count() == before


def test_only_the_records_person_removes_its_evidence(world: World, other_world: World) -> None:
    record = record_make(world.person, world.employer, title="Mine", status="draft")
    evidence = evidence_make(record)
    with pytest.raises(PermissionDenied):
        evidence_remove(person=other_world.person, evidence=evidence)
    assert Evidence.objects.filter(pk=evidence.pk).exists()
