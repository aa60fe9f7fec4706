"""Helpers of the certificates tests: a person-year made compliant (or not) through credits."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Organisation, Person
from credits.models import Record
from credits.services.validation import summaries_refresh
from tests.factories import record_make

LAST_YEAR = timezone.localdate().year - 1


def make_compliant(person: Person, employer: Organisation | None, year: int = LAST_YEAR) -> None:
    """Approved records enough for every category of ``year``, then the summary refresh
    (which sends ``year_summary_changed`` after commit)."""
    for category, hours in (("public", 40), ("professional", 90), ("elective", 40)):
        record_make(
            person,
            employer,
            status="approved",
            year=year,
            category=category,
            hours=hours,
            title=f"{category} training",
        )
    summaries_refresh(year=year, person_ids=[person.pk])


def make_short(person: Person, year: int = LAST_YEAR) -> None:
    """Revoke the person's professional records of ``year`` (as a recheck would) and refresh."""
    Record.objects.filter(person=person, year=year, category="professional").update(
        status=Record.Status.REVOKED
    )
    summaries_refresh(year=year, person_ids=[person.pk])
