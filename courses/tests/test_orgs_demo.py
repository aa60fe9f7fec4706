"""`make run`'s demo shows the institutions, qualifications, instructors and integrity
parts (courses/demo.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Organisation
from courses.models import Instructor, Qualification, ReviewStatus
from courses.selectors.integrity import organisation_active_violation, public_violations
from courses.selectors.qualifications import filed_institutions


@pytest.mark.django_db
def test_the_demo_has_a_qualified_institution_instructors_and_a_violation(capsys: Any) -> None:
    call_command("seed_demo")
    printed = capsys.readouterr().out
    for username in ("city_hrss", "edu_city", "institution2", "institution3"):
        assert username in printed
    institution = Organisation.objects.get(memberships__user__username="institution")
    states = dict(
        Qualification.objects.filter(institution=institution).values_list("series__code", "status")
    )
    assert states == {"higher_education": ReviewStatus.APPROVED, "education": ReviewStatus.PENDING}
    assert Instructor.objects.filter(owner=institution, enabled=True).count() == 2
    assert Instructor.objects.filter(owner__kind="employer").exists()
    other = Organisation.objects.get(memberships__user__username="institution2")
    today = timezone.localdate()
    assert organisation_active_violation(organisation_id=other.pk, today=today) is not None
    assert [v.party_organisation_id for v in public_violations(today=today)] == [other.pk]
    filed = set(filed_institutions().values_list("name", flat=True))
    assert institution.name in filed and other.name in filed
    pending = Organisation.objects.get(memberships__user__username="institution3")
    assert pending.status == Organisation.Status.PENDING
