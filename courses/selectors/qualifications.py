"""Reads of institutions' teaching qualifications."""

from __future__ import annotations

from courses.models import Qualification, ReviewStatus


def qualification_held(*, institution_id: int, series_id: int) -> bool:
    """Whether the institution holds an approved qualification for the series (only then
    may it plan classes in that series)."""
    return Qualification.objects.filter(
        institution_id=institution_id, series_id=series_id, status=ReviewStatus.APPROVED
    ).exists()
