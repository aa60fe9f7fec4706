"""Enrolment (004 person #7, institution #5).

* A person enrols in a class that accepts enrolment, of a plan in one of their series; the
  class's row is locked (``select_for_update``) while its ``enrolled`` counter is checked
  and raised, so concurrent enrolments never take more places than ``capacity`` (the check
  constraint is the last guard).  Enrolling twice, or in a full, open, closed or cancelled
  class, is refused with a message saying which.
* The filer accepts or cancels enrolments one by one or in batch while the class accepts
  enrolment or is open; a cancelled enrolment frees its place and the person gets a notice.
* A person withdraws their own enrolment while the class still accepts enrolment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.api import (
    Notice,
    Organisation,
    Person,
    User,
    audit_log,
    audit_log_many,
    notices_send,
)
from courses.models import Enrolment, ReviewStatus, TrainingClass
from courses.services.classes import check_filer, class_lock

Status = TrainingClass.Status

_NOT_ACCEPTING: dict[str, Any] = {
    Status.PLANNED: gettext_lazy("This class does not accept enrolment yet."),
    Status.OPEN: gettext_lazy("This class has started and no longer accepts enrolment."),
    Status.CLOSED: gettext_lazy("This class is closed."),
    Status.CANCELLED: gettext_lazy("This class was cancelled."),
}


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


@transaction.atomic
def enrolment_create(*, training_class: TrainingClass, person: Person, user: User) -> Enrolment:
    """Enrol ``person`` in ``training_class`` (status applied: the filer accepts it).

    Caller checks: ``person`` is ``user``'s own."""
    locked = class_lock(training_class)
    if locked.status != Status.ACCEPTING or locked.plan.status != ReviewStatus.APPROVED:
        raise _refuse(
            str(_NOT_ACCEPTING.get(locked.status, _NOT_ACCEPTING[Status.PLANNED])),
            "not_accepting",
        )
    existing = Enrolment.objects.filter(training_class=locked, person=person).first()
    if existing is not None and existing.status in Enrolment.HOLDING_STATUSES:
        raise _refuse(_("You are already enrolled in this class."), "already_enrolled")
    if not person.series.filter(pk=locked.plan.series_id).exists():
        raise _refuse(
            _("This class counts for the series “%(series)s”, which you do not hold.")
            % {"series": locked.plan.series.name},
            "series",
        )
    if locked.enrolled >= locked.capacity:
        raise _refuse(
            _("This class is full: all %(capacity)d places are taken.")
            % {"capacity": locked.capacity},
            "full",
        )
    if existing is not None:  # enrolling again after a cancellation
        existing.status = Enrolment.Status.APPLIED
        existing.decided_at = None
        existing.result, existing.score = Enrolment.Result.NONE, None
        existing.save(update_fields=["status", "decided_at", "result", "score", "updated_at"])
        enrolment = existing
    else:
        enrolment = Enrolment.objects.create(training_class=locked, person=person)
    TrainingClass.objects.filter(pk=locked.pk).update(enrolled=F("enrolled") + 1)
    audit_log(
        actor=user,
        action="enrolment.create",
        target=enrolment,
        to_state=enrolment.status,
    )
    return enrolment


@dataclass(frozen=True)
class DecideResult:
    changed: int
    skipped: int


@transaction.atomic
def enrolments_decide(
    *,
    training_class: TrainingClass,
    enrolment_ids: Sequence[int],
    accept: bool,
    user: User,
    organisation: Organisation,
) -> DecideResult:
    """Accept (applied → accepted) or cancel (applied or accepted → cancelled) the chosen
    enrolments of one class, while it accepts enrolment or is open; others are skipped.

    Checks ``organisation`` filed the class's plan; caller checks ``user`` acts for it."""
    locked = class_lock(training_class)
    check_filer(locked, organisation)
    if locked.status not in (Status.ACCEPTING, Status.OPEN):
        raise _refuse(
            _("Enrolments can be decided only while the class accepts enrolment or is open."),
            "class_state",
        )
    if not enrolment_ids:
        raise _refuse(_("Choose at least one enrolment."), "none")
    from_states = (Enrolment.Status.APPLIED,) if accept else Enrolment.HOLDING_STATUSES
    rows = list(
        Enrolment.objects.select_for_update()
        .select_related("person")
        .filter(training_class=locked, pk__in=list(enrolment_ids), status__in=from_states)
    )
    to = Enrolment.Status.ACCEPTED if accept else Enrolment.Status.CANCELLED
    now = timezone.now()
    ids = [e.pk for e in rows]
    Enrolment.objects.filter(pk__in=ids).update(status=to, decided_at=now, updated_at=now)
    if not accept and ids:
        TrainingClass.objects.filter(pk=locked.pk).update(enrolled=F("enrolled") - len(ids))
        notices_send(
            Notice(
                recipient_id=e.person.user_id,
                kind=Notice.Kind.ENROLMENT_CANCELLED,
                params={"title": locked.name, "by": organisation.name},
            )
            for e in rows
        )
    audit_log_many(
        actor=user,
        action="enrolment.accept" if accept else "enrolment.cancel",
        target_type="courses.enrolment",
        target_ids=ids,
        organisation=organisation,
        to_state=to,
    )
    return DecideResult(changed=len(ids), skipped=len(set(enrolment_ids)) - len(ids))


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, person: Person, user: User) -> Enrolment:
    """The person cancels their own enrolment while the class accepts enrolment.

    Checks the enrolment is ``person``'s; caller checks ``person`` is ``user``'s own."""
    if enrolment.person_id != person.pk:
        raise PermissionDenied(_("This enrolment belongs to someone else."))
    locked = class_lock(enrolment.training_class)
    row = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if row.status not in Enrolment.HOLDING_STATUSES:
        raise _refuse(_("This enrolment is already cancelled."), "cancelled")
    if locked.status != Status.ACCEPTING:
        raise _refuse(
            _("You can cancel your enrolment only while the class accepts enrolment."),
            "class_state",
        )
    before = row.status
    row.status = Enrolment.Status.CANCELLED
    row.decided_at = timezone.now()
    row.save(update_fields=["status", "decided_at", "updated_at"])
    TrainingClass.objects.filter(pk=locked.pk).update(enrolled=F("enrolled") - 1)
    audit_log(
        actor=user, action="enrolment.withdraw", target=row, from_state=before, to_state=row.status
    )
    return row
