"""`make run`'s demo data: one login per role and a professional's reviewed records."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Notice, Organisation, ProfileFact, User
from credits.models import ImportJob, RecheckItem, Record, YearSummary


@pytest.mark.django_db
def test_seed_demo_creates_every_role_and_a_reviewed_ce_history(capsys: Any) -> None:
    call_command("seed_demo")

    printed = capsys.readouterr().out
    for username in ("hrss", "institution", "authority", "employer", "person", "reviewer"):
        assert username in printed
        assert User.objects.filter(username=username).exists()
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    year = timezone.localdate().year
    person_records = Record.objects.filter(person__user__username="person")
    assert set(person_records.values_list("status", flat=True)) == {
        "approved",
        "submitted",
        "returned",
        "revoked",
    }
    # HRSS rechecked this year's records: one revoked (the person is told), one still open.
    revoked = person_records.get(status="revoked")
    assert revoked.revoked_by_office is not None
    assert Notice.objects.filter(kind="record_revoked", recipient__username="person").exists()
    assert RecheckItem.objects.filter(outcome="pending").exists()
    last_year = YearSummary.objects.get(person__user__username="person", year=year - 1)
    this_year = YearSummary.objects.get(person__user__username="person", year=year)
    assert (last_year.compliant, this_year.compliant) == (True, False)
    # The archivist's confirmed facts (new in post this year, no archives degree): 80 h.
    archivist = YearSummary.objects.get(person__user__username="archivist", year=year)
    assert archivist.professional_required == 80
    assert ProfileFact.objects.filter(status="pending", person__user__username="reviewer").exists()

    # The employer entered records for the person: one by one, and from a finished import.
    entered = person_records.filter(source="employer")
    assert set(entered.values_list("status", flat=True)) == {"submitted"}
    job = ImportJob.objects.get()
    assert (job.status, job.created) == ("finished", 3)
    assert entered.filter(import_job=job).count() == 3 and entered.count() == 4
    assert Notice.objects.filter(kind="record_entered", recipient__username="person").count() == 4

    # The accountant declared accounting activities: a conference day counts 10 credits.
    activities = dict(
        Record.objects.filter(person__user__username="person2").values_list(
            "activity_code", "hours"
        )
    )
    assert activities == {"conference_day": 10, "online_hour": 60}

    call_command("seed_demo")  # a second run changes nothing
    assert "already loaded" in capsys.readouterr().out
    # 13 of its own, and one from the closed demo class (courses.demo_classes).
    assert Record.objects.filter(person__user__username="person").count() == 14


@pytest.mark.django_db
def test_seed_demo_shows_a_valid_a_superseded_and_a_revoked_certificate() -> None:
    from certificates.models import Certificate

    call_command("seed_demo")
    year = timezone.localdate().year - 1
    certificates = Certificate.objects.filter(person__user__username="person", year=year)
    assert sorted(certificates.values_list("status", flat=True)) == [
        "revoked",
        "superseded",
        "valid",
    ]
    superseded = certificates.get(status="superseded")
    assert superseded.superseded_by == certificates.get(status="valid")
    assert all(c.pdf and c.sha256 for c in certificates)
