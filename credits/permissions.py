"""The credits app's "get this object for this user" helpers.

Built on the access policies and binding checks accounts exports (``accounts.api``): a
missing object and one the user may not see both end in 404, exactly as in
``accounts.permissions``.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.api import Organisation, Person, bound_now
from credits.models import Evidence, ImportJob, RecheckItem, RecheckSample, Record, ReviewJob
from credits.selectors.records import record_evidence


def get_own_record(person: Person, record_id: int) -> Record:
    """One of `person`'s own CE records (someone else's, or a missing one: 404)."""
    return get_object_or_404(
        Record.objects.select_related(
            "series", "employer", "revoked_by_office", "entered_by_organisation"
        ),
        pk=record_id,
        person=person,
    )


def get_record_for_employer(employer: Organisation, record_id: int) -> Record:
    """A record `employer` reviews (any status) of a person it employs now (confirmed
    binding); 404 for anyone else's, and for a former employee's."""
    return get_object_or_404(
        Record.objects.select_related(
            "person", "series", "decided_by", "revoked_by_office", "entered_by"
        ).filter(bound_now(employer.pk)),
        pk=record_id,
        employer_id=employer.pk,
    )


def get_review_job(employer: Organisation, job_id: int) -> ReviewJob:
    """One of `employer`'s background review jobs; 404 for anyone else's."""
    return get_object_or_404(ReviewJob.objects.all(), pk=job_id, employer_id=employer.pk)


def get_recheck_sample(office: Organisation, sample_id: int) -> RecheckSample:
    """A recheck sample `office` drew; 404 for any other office's."""
    return get_object_or_404(
        RecheckSample.objects.select_related("created_by"), pk=sample_id, office_id=office.pk
    )


def get_recheck_item(office: Organisation, item_id: int) -> RecheckItem:
    """One item of a sample `office` drew; 404 for any other office's."""
    return get_object_or_404(
        RecheckItem.objects.select_related(
            "sample",
            "record",
            "record__person",
            "record__series",
            "record__employer",
            "record__decided_by",
            "record__revoked_by_office",
            "record__entered_by",
        ),
        pk=item_id,
        sample__office_id=office.pk,
    )


def get_evidence_of(record: Record, evidence_id: int) -> Evidence:
    """One of `record`'s evidence files (the record already fetched for the user through one
    of the helpers above); 404 for any other record's."""
    return get_object_or_404(record_evidence(record), pk=evidence_id)


def get_import_job(employer: Organisation, import_id: int) -> ImportJob:
    """One of `employer`'s record sheet imports; 404 for anyone else's."""
    return get_object_or_404(
        ImportJob.objects.defer("content").select_related("requested_by"),
        pk=import_id,
        employer_id=employer.pk,
    )
