"""What other apps may call from accounts; nothing else of this app is imported elsewhere.

(Model classes are referenced from other apps' models by their "accounts.Name" string.)
"""

from __future__ import annotations

from accounts.audit import TargetType, register_actions, register_target
from accounts.http import AuthedRequest
from accounts.models import Decision, Employment, Notice, Organisation, Person, User
from accounts.permissions import (
    PERSON_ONLY,
    PUBLIC,
    access,
    bound_now,
    can,
    employer_binds_person,
    get_person_for_user,
    org_access,
    reviewable_organisations,
)
from accounts.selectors import staff_list_annotations
from accounts.services import audit_log, notice_send, notices_send, series_lock_hooks
from accounts.throttle import throttle_hit
from accounts.validators import mask_id_number

__all__ = [
    "PERSON_ONLY",
    "PUBLIC",
    "AuthedRequest",
    "Decision",
    "Employment",
    "Notice",
    "Organisation",
    "Person",
    "TargetType",
    "User",
    "access",
    "audit_log",
    "bound_now",
    "can",
    "confirmed_employer_id",
    "employer_binds_person",
    "get_person_for_user",
    "mask_id_number",
    "notice_send",
    "notices_send",
    "org_access",
    "register_actions",
    "register_target",
    "reviewable_organisations",
    "series_lock_hooks",
    "staff_list_annotations",
    "throttle_hit",
]


def confirmed_employer_id(person: Person) -> int | None:
    """The employer that currently confirms `person`'s records, if any."""
    return (
        Employment.objects.filter(person=person, status=Employment.Status.CONFIRMED)
        .values_list("employer_id", flat=True)
        .first()
    )
