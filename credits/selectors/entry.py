"""Reads of the employer's record entry pages."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.api import Organisation
from credits.models import ImportJob


def employer_imports(employer: Organisation) -> QuerySet[ImportJob]:
    """The employer's sheet imports, newest first, without the files (one query a page)."""
    return (
        ImportJob.objects.filter(employer_id=employer.pk)
        .defer("content", "errors")
        .select_related("requested_by")
        .order_by("-created_at", "-pk")
    )
