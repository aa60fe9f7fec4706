"""Closing a class (004 institution #4/#6, employer #3/#7): "设置状态结班即可结束该培训班，学员即可
获得学时…系统默认将学时记录送到该学员的工作单位审核".

* ``class_close`` moves an open class to closed (audited), on or after its end date, and
  queues ``class_records_create`` after commit.
* ``class_records_create`` turns each accepted learner who passed into a record through
  ``credits.api.class_record_submit`` (a new professional record of the plan's series under
  the learner's employer's review, or hours added to their record with the same course name),
  in chunks of ``CLOSE_CHUNK`` learners, one transaction per chunk.  The enrolment keeps the
  record's id in the same transaction, so a learner with ``record`` set is done: closing
  twice, a second run of the task, or a retry after a crash writes nothing twice.
* A learner a declaration rule refuses (no confirmed employer, series no longer held, the
  year's window closed…) keeps the reason in ``close_error`` for the filer to see; a later
  run of the task tries again.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import Organisation, User, audit_log
from courses.models import Enrolment, TrainingClass
from courses.services.classes import check_filer, class_lock, transition_apply, transition_check
from credits.api import ClassRecord, class_record_submit
from portal.queue import queue_on_commit

CLOSE_CHUNK = 200
CLOSE_TASK = "courses.tasks.class_records_task"


@transaction.atomic
def class_close(
    *, training_class: TrainingClass, user: User, organisation: Organisation
) -> TrainingClass:
    """Close an open class and queue its learners' records after commit.

    Checks ``organisation`` filed the class's plan; caller checks ``user`` acts for it."""
    locked = class_lock(training_class)
    check_filer(locked, organisation)
    transition_check(locked, TrainingClass.Status.CLOSED)
    today = timezone.localdate()
    if today < locked.end_date:
        raise ValidationError(
            _("The class ends on %(end)s: close it on or after that day.")
            % {"end": locked.end_date.isoformat()},
            code="not_ended",
        )
    transition_apply(
        locked,
        TrainingClass.Status.CLOSED,
        user=user,
        organisation=organisation,
        action="class.close",
    )
    queue_on_commit(CLOSE_TASK, locked.pk, user.pk)
    return locked


@transaction.atomic
def class_records_retry(
    *, training_class: TrainingClass, user: User, organisation: Organisation
) -> TrainingClass:
    """Queue the records task again for a closed class whose learners a rule refused (e.g.
    after a learner's binding was confirmed); learners already done are skipped.

    Checks ``organisation`` filed the class's plan; caller checks ``user`` acts for it."""
    locked = class_lock(training_class)
    check_filer(locked, organisation)
    if locked.status != TrainingClass.Status.CLOSED:
        raise ValidationError(_("Only a closed class sends its hours."), code="not_closed")
    audit_log(
        actor=user,
        action="class.close_retry",
        target=locked,
        organisation=organisation,
        from_state=locked.status,
        to_state=locked.status,
    )
    queue_on_commit(CLOSE_TASK, locked.pk, user.pk)
    return locked


def _class_record(training_class: TrainingClass) -> ClassRecord:
    plan = training_class.plan
    return ClassRecord(
        year=plan.year,
        series_code=plan.series.code,
        course_name=plan.course.name,
        hours=training_class.hours,
        start_date=training_class.start_date,
        end_date=training_class.end_date,
        institution_name=plan.filer.name,
        online=training_class.mode == TrainingClass.Mode.ONLINE,
        employer_plan=plan.filer.kind == Organisation.Kind.EMPLOYER,
    )


def _pending(class_id: int, after: int) -> list[Enrolment]:
    return list(
        Enrolment.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("person")
        .filter(
            training_class_id=class_id,
            status=Enrolment.Status.ACCEPTED,
            result=Enrolment.Result.PASS,
            record__isnull=True,
            pk__gt=after,
        )
        .order_by("pk")[:CLOSE_CHUNK]
    )


def class_records_create(*, class_id: int, actor: User | None) -> int:
    """Write the records of a closed class's passed learners not done yet; how many were
    written.  Idempotent: safe to run again after a crash or a second close."""
    training_class = (
        TrainingClass.objects.select_related("plan__course", "plan__series", "plan__filer")
        .filter(pk=class_id, status=TrainingClass.Status.CLOSED)
        .first()
    )
    if training_class is None:
        return 0
    data = _class_record(training_class)
    written, after = 0, 0
    while True:
        with transaction.atomic():
            chunk = _pending(class_id, after)
            if not chunk:
                return written
            for enrolment in chunk:
                after = enrolment.pk
                try:
                    with transaction.atomic():
                        record_id = class_record_submit(
                            person=enrolment.person, data=data, actor=actor
                        )
                except ValidationError as exc:
                    enrolment.close_error = " ".join(exc.messages)[:1000]
                    enrolment.save(update_fields=["close_error", "updated_at"])
                    continue
                enrolment.record_id = record_id
                enrolment.close_error = ""
                enrolment.save(update_fields=["record", "close_error", "updated_at"])
                written += 1
