"""What other apps may use of accounts; nothing else of this app is imported elsewhere
(import-linter checks it: pyproject.toml, docs/decisions/0009-app-boundaries.md).

Other apps' models reference accounts' models by their "accounts.Name" string; the classes
are exported here for queries and type hints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from accounts.audit import TargetType, register_actions, register_target
from accounts.audit import readable as audit_readable
from accounts.demo import DemoLogin, demo_load
from accounts.forms import DecisionForm
from accounts.home import Waiting, organisation_waiting_register, person_home_register
from accounts.models import (
    NOTICE_TEXTS,
    AuditEntry,
    Decision,
    Employment,
    Notice,
    Organisation,
    Person,
    ProfessionalSeries,
    ProfileFact,
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
from accounts.selectors import RoleOption, staff_list_annotations
from accounts.services import (
    audit_log,
    audit_log_many,
    notice_send,
    notices_send,
    series_lock_hooks,
)
from accounts.signals import employment_ended, profile_facts_changed
from accounts.throttle import throttle_hit
from accounts.validators import (
    mask_id_number,
    normalise_id_number,
    validate_id_number,
    validate_visible_text,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise


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
    "ProfileFacts",
    "Region",
    "RoleOption",
    "TargetType",
    "User",
    "Waiting",
    "access",
    "audit_log",
    "audit_log_many",
    "audit_readable",
    "bound_now",
    "can",
    "confirmed_employer_id",
    "confirmed_profile_facts",
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
    "profile_facts_changed",
    "register_actions",
    "register_notice_texts",
    "register_target",
    "reviewable_organisations",
    "series_lock_hooks",
    "staff_list_annotations",
    "throttle_hit",
    "validate_id_number",
    "validate_visible_text",
]


def register_notice_texts(texts: Mapping[str, StrOrPromise]) -> None:
    """Add the message templates of another app's notice kinds (``"app.kind"`` strings of
    at most 30 characters, sent with ``notice_send``); ``Notice.text`` fills them in."""
    NOTICE_TEXTS.update(texts)


def confirmed_employer_id(person: Person) -> int | None:
    """The employer that currently confirms `person`'s records, if any."""
    return (
        Employment.objects.filter(person=person, status=Employment.Status.CONFIRMED)
        .values_list("employer_id", flat=True)
        .first()
    )


@dataclass(frozen=True)
class ProfileFacts:
    """A person's confirmed profile facts as plain data (pending and rejected ones count
    nothing): the day accounting CE's clock starts from (qualification obtained or accounting
    work begun), the day an archives post was taken up, and whether the person holds an
    archives degree of 大专 or above (``None`` when no archives fact is confirmed)."""

    accounting_start: date | None = None
    archives_post: date | None = None
    archives_degree: bool | None = None


def confirmed_profile_facts(person_ids: Sequence[int] | None = None) -> dict[int, ProfileFacts]:
    """The confirmed facts of ``person_ids`` (``None``: of everyone), by person id; persons
    without a confirmed fact are left out. One query."""
    rows = ProfileFact.objects.filter(status=ProfileFact.Status.CONFIRMED)
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    accounting: dict[int, date] = {}
    archives: dict[int, tuple[date, bool]] = {}
    for person_id, kind, on, education in rows.values_list("person_id", "kind", "on", "education"):
        if kind == ProfileFact.Kind.ACCOUNTING_START:
            accounting[person_id] = on
        else:
            archives[person_id] = (on, education in ProfileFact.DEGREE_EDUCATION)
    return {
        pk: ProfileFacts(
            accounting_start=accounting.get(pk),
            archives_post=archives[pk][0] if pk in archives else None,
            archives_degree=archives[pk][1] if pk in archives else None,
        )
        for pk in accounting.keys() | archives.keys()
    }
