"""A class's way (004 institution #4): planned → accepting enrolment → open → closed, or
cancelled from any state before closed (``TrainingClass.TRANSITIONS``).

* Only the filer of the class's plan changes its state (its members: institution, employer
  or authority), each change audited in its transaction.
* A class of a plan the authority has not approved cannot accept enrolment (nor open).
* Cancelling a class with enrolments cancels them, frees the places and sends each
  enrolled person a notice.
* Closing is ``courses.services.closing.class_close`` (it also writes the learners' records).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import Notice, Organisation, User, audit_log, audit_log_many, notices_send
from courses.models import Enrolment, ReviewStatus, TrainingClass

Status = TrainingClass.Status


def class_lock(training_class: TrainingClass) -> TrainingClass:
    """The class's row, locked for this transaction, with its plan."""
    return (
        TrainingClass.objects.select_for_update(of=("self",))
        .select_related("plan__course", "plan__filer", "plan__series")
        .get(pk=training_class.pk)
    )


def check_filer(training_class: TrainingClass, organisation: Organisation) -> None:
    if training_class.plan.filer_id != organisation.pk:
        raise PermissionDenied(_("Only the organisation that filed the plan runs its classes."))


def _refuse_transition(locked: TrainingClass, to: str) -> ValidationError:
    return ValidationError(
        _("A class that is “%(current)s” cannot become “%(to)s”.")
        % {"current": locked.get_status_display(), "to": Status(to).label},
        code="transition",
    )


def transition_check(locked: TrainingClass, to: str) -> None:
    """Refuse a change ``TRANSITIONS`` does not allow, or enrolment for an unapproved plan."""
    if to not in Status.values or not locked.can_become(to):
        raise _refuse_transition(locked, to)
    if to in (Status.ACCEPTING, Status.OPEN) and locked.plan.status != ReviewStatus.APPROVED:
        raise ValidationError(
            _(
                "The plan of this class is not approved by the authority yet: it cannot "
                "accept enrolment."
            ),
            code="plan_not_approved",
        )


def transition_apply(
    locked: TrainingClass,
    to: str,
    *,
    user: User,
    organisation: Organisation,
    action: str = "class.status",
    reason: str = "",
) -> None:
    before = locked.status
    locked.status = to
    locked.status_changed_at = timezone.now()
    if to == Status.CLOSED:
        locked.closed_at = locked.status_changed_at
    locked.save(update_fields=["status", "status_changed_at", "closed_at", "updated_at"])
    audit_log(
        actor=user,
        action=action,
        target=locked,
        organisation=organisation,
        from_state=before,
        to_state=to,
        reason=reason,
    )


def _cancel_enrolments(
    locked: TrainingClass, *, user: User, organisation: Organisation, reason: str
) -> None:
    holding = list(
        Enrolment.objects.select_for_update()
        .filter(training_class=locked, status__in=Enrolment.HOLDING_STATUSES)
        .select_related("person")
    )
    if not holding:
        return
    now = timezone.now()
    Enrolment.objects.filter(pk__in=[e.pk for e in holding]).update(
        status=Enrolment.Status.CANCELLED, decided_at=now, updated_at=now
    )
    TrainingClass.objects.filter(pk=locked.pk).update(enrolled=0)
    locked.enrolled = 0
    audit_log_many(
        actor=user,
        action="enrolment.cancel",
        target_type="courses.enrolment",
        target_ids=[e.pk for e in holding],
        organisation=organisation,
        to_state=Enrolment.Status.CANCELLED,
        reason=reason,
    )
    notices_send(
        Notice(
            recipient_id=e.person.user_id,
            kind=Notice.Kind.CLASS_CANCELLED,
            params={"title": locked.name, "by": organisation.name, "reason": reason},
        )
        for e in holding
    )


@transaction.atomic
def class_status_change(
    *,
    training_class: TrainingClass,
    to: str,
    user: User,
    organisation: Organisation,
    reason: str = "",
) -> TrainingClass:
    """Move a class to ``to`` (accepting, open or cancelled; closing is ``class_close``).

    Checks ``organisation`` filed the class's plan; caller checks ``user`` acts for it."""
    locked = class_lock(training_class)
    check_filer(locked, organisation)
    if to == Status.CLOSED:
        raise ValidationError(_("Close the class with its own button."), code="close")
    transition_check(locked, to)
    if to == Status.CANCELLED:
        reason = reason.strip()
        if not reason:
            raise ValidationError({"reason": _("Say why the class is cancelled.")})
        _cancel_enrolments(locked, user=user, organisation=organisation, reason=reason)
    transition_apply(locked, to, user=user, organisation=organisation, reason=reason)
    return locked
