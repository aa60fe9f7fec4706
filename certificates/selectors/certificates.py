"""Reads of the certificates app: scoped QuerySets and small look-ups."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.api import Organisation, Person, bound_now, reviewable_organisations
from certificates.models import Certificate


def series_locked_years(person_id: int) -> list[int]:
    """Years in which ``person_id`` holds a valid certificate (their series are locked)."""
    return list(
        Certificate.objects.filter(person_id=person_id, status=Certificate.Status.VALID)
        .order_by("year")
        .values_list("year", flat=True)
    )


def person_certificates(person: Person) -> QuerySet[Certificate]:
    """Every certificate of the person, all years and states, newest year first."""
    return Certificate.objects.filter(person=person).select_related("superseded_by")


def employer_certificates(employer: Organisation) -> QuerySet[Certificate]:
    """Certificates of the persons ``employer`` employs now (any year, any state)."""
    return (
        Certificate.objects.filter(bound_now(employer.pk))
        .select_related("superseded_by")
        .order_by("person__real_name", "person_id", "-year", "-issued_at")
    )


def office_certificates(office: Organisation) -> QuerySet[Certificate]:
    """Certificates issued under employers of the HRSS office's region."""
    return Certificate.objects.filter(
        employer__in=reviewable_organisations(office).values("pk")
    ).select_related("superseded_by")


def latest_certificate_field(field: str, *, person_ref: str = "pk") -> Subquery:
    """For annotating a person list: ``field`` of the person's newest certificate (newest
    year, then newest issue) — one subquery, so the list keeps a fixed number of queries."""
    newest = Certificate.objects.filter(person_id=OuterRef(person_ref)).order_by(
        "-year", "-issued_at", "-pk"
    )
    return Subquery(newest.values(field)[:1])


def certificate_by_number(number: str) -> Certificate | None:
    return (
        Certificate.objects.select_related("superseded_by")
        .filter(number=number.strip().upper())
        .first()
    )


def certificate_by_sha256(sha256: str) -> Certificate | None:
    return Certificate.objects.select_related("superseded_by").filter(sha256=sha256).first()
