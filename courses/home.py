"""What courses adds to the organisations' home pages (accounts.api.organisation_waiting_register).

Each part of the courses app registers its counts in its own block."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.api import Organisation, Waiting, organisation_waiting_register


def _qualifications_waiting(organisation: Organisation, perms: frozenset[str]) -> list[Waiting]:
    """An authority's pending qualification applications (one query)."""
    from courses.selectors.qualifications import pending_qualification_count

    if (
        organisation.kind != Organisation.Kind.AUTHORITY
        or not organisation.is_approved
        or "review_organisations" not in perms
    ):
        return []
    return [
        Waiting(
            _("Qualification applications to review"),
            pending_qualification_count(organisation.pk),
            reverse("courses:qualification_queue", kwargs={"organisation_id": organisation.pk}),
        )
    ]


def register() -> None:
    # --- institutions, qualifications, instructors, integrity (s4-orgs) -----------------
    organisation_waiting_register("courses.qualifications", _qualifications_waiting)
    # --- end s4-orgs ---------------------------------------------------------------------
