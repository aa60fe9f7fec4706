"""Reads of integrity violations (信用管理)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

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
