"""The demo data shows a published guide, approved and pending plans and an in-house plan."""

from __future__ import annotations

import pytest

from accounts.api import demo_load
from courses.demo import demo_extra_load
from courses.models import CoursePlan, SubjectGuide

pytestmark = pytest.mark.django_db


def test_demo_plans_load_once(django_user_model: object) -> None:
    from tests.factories import catalogues_ensure

    catalogues_ensure()
    demo_load()
    demo_extra_load()
    demo_extra_load()  # idempotent
    assert SubjectGuide.objects.filter(status="published").count() == 1
    statuses = sorted(CoursePlan.objects.values_list("filer__kind", "status"))
    assert statuses == [
        ("employer", "approved"),
        ("institution", "approved"),
        ("institution", "pending"),
    ]
    approved = CoursePlan.objects.filter(status="approved")
    assert all(p.hrss_office is not None and p.classes.count() == 1 for p in approved)
