"""What other apps may use of accounts; nothing else of this app is imported elsewhere
(import-linter checks it: pyproject.toml, docs/decisions/0009-app-boundaries.md).

Other apps' models reference accounts' models by their "accounts.Name" string; the classes
are exported here for queries and type hints.
"""

from __future__ import annotations

from accounts.audit import TargetType, register_actions, register_target
from accounts.demo import DemoLogin, demo_load
from accounts.forms import DecisionForm
from accounts.home import Waiting, organisation_waiting_register, person_home_register
from accounts.models import (
    AuditEntry,
    Decision,
    Employment,
    Notice,
    Organisation,
    Person,
    ProfessionalSeries,
    Region,
    User,
)
from accounts.permissions import (
    PERSON_ONLY,
    PUBLIC,
    Policy,
    access,
    bound_now,
    can,
    employer_binds_person,
    get_person_for_user,
    org_access,
    reviewable_organisations,
)
from accounts.selectors import RoleOption
from accounts.services import audit_log, audit_log_many, notice_send, notices_send
from accounts.signals import employment_ended
from accounts.validators import (
    mask_id_number,
    normalise_id_number,
    validate_id_number,
    validate_visible_text,
)

__all__ = [
    "PERSON_ONLY",
    "PUBLIC",
    "AuditEntry",
    "Decision",
    "DecisionForm",
    "DemoLogin",
    "Employment",
    "Notice",
    "Organisation",
    "Person",
    "Policy",
    "ProfessionalSeries",
    "Region",
    "RoleOption",
    "TargetType",
    "User",
    "Waiting",
    "access",
    "audit_log",
    "audit_log_many",
    "bound_now",
    "can",
    "confirmed_employer_id",
    "demo_load",
    "employer_binds_person",
    "employment_ended",
    "get_person_for_user",
    "mask_id_number",
    "normalise_id_number",
    "notice_send",
    "notices_send",
    "org_access",
    "organisation_waiting_register",
    "person_home_register",
    "register_actions",
    "register_target",
    "reviewable_organisations",
    "validate_id_number",
    "validate_visible_text",
]


def confirmed_employer_id(person: Person) -> int | None:
    """The employer that currently confirms `person`'s records, if any."""
    return (
        Employment.objects.filter(person=person, status=Employment.Status.CONFIRMED)
        .values_list("employer_id", flat=True)
        .first()
    )
