"""Object look-ups of the partners app for the partner asking: another partner's object and
a missing one end the same way (404), never in ad-hoc checks in the API views."""

from __future__ import annotations

from django.http import Http404

from accounts.api import Person, normalise_id_number
from credits.api import external_records_of_person
from partners.models import Partner, SyncJob


def get_job_for_partner(*, partner: Partner, job_id: int) -> SyncJob:
    """The partner's own job; another partner's job and a missing one are both 404."""
    job = SyncJob.objects.defer("payload").filter(pk=job_id, partner=partner).first()
    if job is None:
        raise Http404
    return job


def person_of_partner(*, partner: Partner, id_number: str) -> Person | None:
    """The person with ``id_number`` if ``partner`` pushed any record of theirs, else
    ``None`` (whether or not the person exists: no ID-number oracle)."""
    number = normalise_id_number(id_number)
    person = Person.objects.filter(id_number=number).first() if len(number) == 18 else None
    if person is None or not external_records_of_person(
        source=partner.sync_source, person_id=person.pk
    ):
        return None
    return person
