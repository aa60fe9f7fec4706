"""Records a closing class writes for its passed learners (seed 004 institution #4/#6,
employer #3/#7), through the same declaration rules as every other source.

* The record is professional, in the plan's series, source ``institution_class``, the
  institution (the plan's filer) shown as ``institution_name`` and the course name as its
  content; it goes straight to the learner's confirmed employer's review (``submitted``).
* A class of an authority-approved employer plan writes in-house training with
  ``approved_plan`` set: the only way a record gets it (decision 0018).
* A learner who already has an open record (not rejected or revoked) with the same content
  in the same year gets the hours added to that record instead of a new one (institution
  #6); the record's dates widen to cover both, and it goes back to the employer's review
  (an approved one too: the employer decides on the new total).
* Every rule of a declaration applies (``declaration_validate`` with the source
  ``institution_class``): the series held, the year's windows, the certification route, the
  dates (the class has ended), 24 hours a day, duplicates. A failure is a
  ``ValidationError`` and nothing is written.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import Employment, Person, User, audit_log
from credits.models import Record
from credits.services.records import (
    RecordDraft,
    declaration_validate,
    declared_apply,
    record_save,
)
from credits.services.validation import summaries_refresh_later


@dataclass(frozen=True)
class ClassRecord:
    """What a closing class says about one passed learner."""

    year: int
    series_code: str
    course_name: str
    hours: Decimal
    start_date: date
    end_date: date
    institution_name: str
    online: bool = False
    employer_plan: bool = False  # the plan was filed (and approved) by an employer


def _employer_id(person: Person) -> int:
    employer_id = (
        Employment.objects.filter(person=person, status=Employment.Status.CONFIRMED)
        .values_list("employer_id", flat=True)
        .first()
    )
    if employer_id is None:
        raise ValidationError(
            _("The learner has no confirmed employer to review the hours."), code="no_employer"
        )
    return employer_id


def _same_course(person: Person, data: ClassRecord) -> Record | None:
    return (
        Record.objects.select_for_update(of=("self",))
        .select_related("series")
        .filter(person=person, year=data.year, title=data.course_name, activity_code="")
        .exclude(status__in=Record.CLOSED_STATUSES)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def class_record_submit(
    *, person: Person, data: ClassRecord, actor: User | None, today: date | None = None
) -> Record:
    """Write (or add to) the learner's record for a closed class; under their employer's
    review.  ``actor`` is who closed the class (the audit entry names them)."""
    today = today if today is not None else timezone.localdate()
    employer_id = _employer_id(person)
    existing = _same_course(person, data)
    source = Record.Source.INSTITUTION_CLASS
    if existing is not None:
        base = RecordDraft.of(existing)
        draft = dataclasses.replace(
            base,
            amount=existing.hours + data.hours,
            unit=Record.Unit.HOURS,
            start_date=min(existing.start_date, data.start_date),
            end_date=max(existing.end_date, data.end_date),
        )
        declared = declaration_validate(
            person=person, draft=draft, today=today, exclude_pk=existing.pk, source=source
        )
        was_counted = existing.status == Record.Status.APPROVED
        before = existing.status
        declared_apply(existing, declared)
        existing.status = Record.Status.SUBMITTED
        existing.employer_id = employer_id
        existing.reviewer_reason = ""
        existing.decided_by = None
        existing.decided_at = None
        record_save(existing)
        audit_log(
            actor=actor,
            action="record.class_add",
            target=existing,
            from_state=before,
            to_state=existing.status,
            reason=f"+{data.hours}",
        )
        if was_counted:
            summaries_refresh_later([(person.pk, existing.year)])
        return existing
    kind = Record.Kind.INHOUSE_TRAINING if data.employer_plan else Record.Kind.ORDINARY
    draft = RecordDraft(
        year=data.year,
        category=Record.Category.PROFESSIONAL,
        series_code=data.series_code,
        amount=data.hours,
        unit=Record.Unit.HOURS,
        title=data.course_name,
        form=Record.Form.ONLINE if data.online else Record.Form.CLASS,
        start_date=data.start_date,
        end_date=data.end_date,
        assessment_result=Record.Assessment.PASS,
        institution_name=data.institution_name[:120],
        kind=kind,
        approved_plan=True if data.employer_plan else None,
    )
    declared = declaration_validate(person=person, draft=draft, today=today, source=source)
    record = Record(
        person=person, source=source, status=Record.Status.SUBMITTED, employer_id=employer_id
    )
    declared_apply(record, declared)
    record_save(record)
    audit_log(actor=actor, action="record.class_submit", target=record, to_state=record.status)
    return record
