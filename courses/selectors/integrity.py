"""Reads of integrity violations (信用管理)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from accounts.api import Organisation, Person
from courses.models import Violation


def active_violations(*, today: date) -> QuerySet[Violation]:
    """Violations in force on ``today``: not cleared early, clearing date not yet passed."""
    return Violation.objects.filter(cleared_at__isnull=True, clears_on__gte=today)


def organisation_active_violation(*, organisation_id: int, today: date) -> Violation | None:
    """The organisation's violation in force on ``today`` that clears last, or ``None``
    (an institution with one files no new plans)."""
    return (
        active_violations(today=today)
        .filter(Q(party_organisation_id=organisation_id))
        .order_by("-clears_on", "-pk")
        .first()
    )


def public_violations(*, today: date, search: str = "") -> QuerySet[Violation]:
    """失信信息查询: the violations in force against institutions (never persons or
    employers), newest first, with the institution's name."""
    qs = active_violations(today=today).filter(
        party_organisation__kind=Organisation.Kind.INSTITUTION
    )
    if search:
        qs = qs.filter(party_organisation__name__icontains=search)
    return qs.select_related("party_organisation").order_by("-occurred_on", "-pk")


def violations_recorded_by(
    recorder_id: int, *, active_only: bool = False, today: date | None = None
) -> QuerySet[Violation]:
    """What an HRSS office or authority recorded, newest first, with the party."""
    qs = Violation.objects.filter(recorded_by_id=recorder_id)
    if active_only and today is not None:
        qs = qs.filter(cleared_at__isnull=True, clears_on__gte=today)
    return qs.select_related("party_organisation", "party_person", "series").order_by(
        "-occurred_on", "-pk"
    )


def violations_of_organisation(organisation_id: int) -> QuerySet[Violation]:
    """信用管理查看 for an organisation: every violation recorded against it."""
    return (
        Violation.objects.filter(party_organisation_id=organisation_id)
        .select_related("recorded_by", "series")
        .order_by("-occurred_on", "-pk")
    )


def violations_of_person(person_id: int) -> QuerySet[Violation]:
    """信用管理查看 for a person: every violation recorded against them."""
    return (
        Violation.objects.filter(party_person_id=person_id)
        .select_related("recorded_by", "series")
        .order_by("-occurred_on", "-pk")
    )


def recordable_institutions() -> QuerySet[Organisation]:
    """The filed institutions a violation may name (the form's choice list)."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.INSTITUTION, status=Organisation.Status.APPROVED
    ).order_by("name", "pk")


def employer_by_uscc(uscc: str) -> Organisation | None:
    """The approved employer with this credit code (what a violation names)."""
    return (
        Organisation.objects.filter(
            kind=Organisation.Kind.EMPLOYER,
            status=Organisation.Status.APPROVED,
            uscc=uscc.strip().upper(),
        )
        .select_related("region__parent")
        .first()
    )


def person_by_id_number(id_number: str) -> Person | None:
    return Person.objects.filter(id_number=id_number).select_related("user").first()
