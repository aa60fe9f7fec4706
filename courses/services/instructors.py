"""Writes of instructors (师资, 004 institution #7 and employer #6): kept by institutions and
employers; add, edit, enable, disable, and delete only one who never taught a class."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.api import Organisation, User, audit_log, can
from courses.models import Instructor

OWNER_KINDS = (Organisation.Kind.INSTITUTION, Organisation.Kind.EMPLOYER)
FIELDS = ("name", "title", "specialty", "phone")


def _check_owner(actor: User, owner: Organisation) -> None:
    if owner.kind not in OWNER_KINDS:
        raise PermissionDenied(_("Only institutions and employers keep instructors."))
    if not can(actor, "act_for_organisation", owner):
        raise PermissionDenied(_("You may not act for this organisation."))


def _locked(instructor: Instructor) -> Instructor:
    return Instructor.objects.select_for_update().select_related("owner").get(pk=instructor.pk)


@transaction.atomic
def instructor_add(
    *,
    actor: User,
    owner: Organisation,
    name: str,
    title: str = "",
    specialty: str = "",
    phone: str = "",
) -> Instructor:
    """Add an enabled instructor to `owner`'s list.  Checks `actor` acts for `owner`."""
    _check_owner(actor, owner)
    instructor = Instructor(
        owner=owner,
        name=name.strip(),
        title=title.strip(),
        specialty=specialty.strip(),
        phone=phone.strip(),
    )
    instructor.full_clean()
    instructor.save()
    audit_log(
        actor=actor,
        action="instructor.add",
        target=instructor,
        organisation=owner,
        to_state="enabled",
    )
    return instructor


@transaction.atomic
def instructor_edit(
    *,
    actor: User,
    instructor: Instructor,
    name: str,
    title: str = "",
    specialty: str = "",
    phone: str = "",
) -> Instructor:
    """Change an instructor's details (the edit is audited field by field)."""
    locked = _locked(instructor)
    _check_owner(actor, locked.owner)
    new = {
        "name": name.strip(),
        "title": title.strip(),
        "specialty": specialty.strip(),
        "phone": phone.strip(),
    }
    changes = {f: (getattr(locked, f), v) for f, v in new.items() if getattr(locked, f) != v}
    if not changes:
        return locked
    for field, value in new.items():
        setattr(locked, field, value)
    locked.full_clean()
    locked.save()
    audit_log(
        actor=actor,
        action="instructor.edit",
        target=locked,
        organisation=locked.owner,
        changes=changes,
    )
    return locked


@transaction.atomic
def instructor_set_enabled(*, actor: User, instructor: Instructor, enabled: bool) -> Instructor:
    """Enable or disable an instructor (only enabled ones can be put on a class)."""
    locked = _locked(instructor)
    _check_owner(actor, locked.owner)
    if locked.enabled == enabled:
        message = (
            _("%(name)s is already enabled.") if enabled else _("%(name)s is already disabled.")
        )
        raise ValidationError(message % {"name": locked.name})
    locked.enabled = enabled
    locked.save(update_fields=["enabled", "updated_at"])
    audit_log(
        actor=actor,
        action="instructor.enable" if enabled else "instructor.disable",
        target=locked,
        organisation=locked.owner,
        from_state="disabled" if enabled else "enabled",
        to_state="enabled" if enabled else "disabled",
    )
    return locked


@transaction.atomic
def instructor_delete(*, actor: User, instructor: Instructor) -> None:
    """Delete an instructor who never taught a class; one who did can only be disabled."""
    locked = _locked(instructor)
    _check_owner(actor, locked.owner)
    if locked.classes.exists():
        raise ValidationError(
            _(
                "%(name)s has taught a class and cannot be deleted: the class keeps its "
                "instructors. Disable them instead."
            )
            % {"name": locked.name}
        )
    audit_log(
        actor=actor,
        action="instructor.delete",
        target=locked,
        organisation=locked.owner,
        from_state="enabled" if locked.enabled else "disabled",
        to_state="deleted",
    )
    locked.delete()
