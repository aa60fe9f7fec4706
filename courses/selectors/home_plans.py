"""What course plans add to an organisation's home page: the plans waiting for its review."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.api import Organisation, Waiting
from courses.selectors.plans import review_queue_count

REVIEWERS = (Organisation.Kind.AUTHORITY, Organisation.Kind.HRSS)


def organisation_waiting(organisation: Organisation, perms: frozenset[str]) -> list[Waiting]:
    if (
        organisation.kind not in REVIEWERS
        or not organisation.is_approved
        or "review_organisations" not in perms
    ):
        return []
    return [
        Waiting(
            label=_("Course plans to review"),
            count=review_queue_count(organisation),
            url=reverse("courses:plan_review_queue", kwargs={"organisation_id": organisation.pk}),
        )
    ]
