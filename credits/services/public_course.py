"""Public-subject hours from the online platform: a passed online course becomes an approved
public record of the course year, certified automatically (001 §4, 004 Q&A policy #7:
"学习任务完成后，公需科目学时由系统自动申报和认定通过").

The record goes through the same declaration rules as any other (``declaration_validate``
with source ``public_course``): the year's public-subject study window (so also after
31 December while the window is open, never after it closes), the certification route, the
dates, the hours per day.  The route must say ``automatic``: when HRSS has routed these
records elsewhere, nothing is created and the message names the platform.

Idempotent: a person has at most one open public-course record per course title and year;
asking again returns it (the row is locked, so two concurrent calls for one person find
the same record; the courses app also keeps the record's id on the enrolment row it locks).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import Person, audit_log
from credits.models import Record
from credits.rules import CERTIFIER_AUTOMATIC
from credits.selectors.records import rulebook_load
from credits.services.records import RecordDraft, _route, _save, declaration_validate
from credits.services.validation import summaries_refresh_later


@transaction.atomic
def public_course_record_create(
    *,
    person: Person,
    year: int,
    title: str,
    hours: Decimal,
    start_date: date,
    end_date: date,
    institution_name: str = "",
    today: date | None = None,
) -> tuple[Record, bool]:
    """The approved public record of ``year`` for a passed online course, and whether it was
    created now (``False``: it already existed).  Raises ``ValidationError`` when the
    declaration rules refuse it (window closed, certified elsewhere …).

    Caller checks: the person passed the course's exam for ``year`` (the courses app)."""
    today = today if today is not None else timezone.localdate()
    # Lock the person's row: two concurrent passes of the same course wait for each other here.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    existing = (
        Record.objects.filter(
            person=person,
            year=year,
            title=title.strip(),
            source=Record.Source.PUBLIC_COURSE,
        )
        .exclude(status__in=Record.CLOSED_STATUSES)
        .first()
    )
    if existing is not None:
        return existing, False
    book = rulebook_load()
    route = _route(
        person=person,
        series=None,
        category=Record.Category.PUBLIC,
        source=Record.Source.PUBLIC_COURSE,
        year=year,
        book=book,
    )
    if not route.elsewhere and route.certifier != CERTIFIER_AUTOMATIC:
        raise ValidationError(
            _(
                "Public online courses of %(year)d are not certified automatically: "
                "declare the hours to your employer instead."
            )
            % {"year": year},
            code="not_automatic",
        )
    declared = declaration_validate(
        person=person,
        draft=RecordDraft(
            year=year,
            category=Record.Category.PUBLIC,
            series_code=None,
            amount=hours,
            title=title,
            form=Record.Form.ONLINE,
            start_date=start_date,
            end_date=end_date,
            assessment_result=Record.Assessment.PASS,
            institution_name=institution_name,
        ),
        today=today,
        source=Record.Source.PUBLIC_COURSE,
        book=book,
    )
    record = Record(
        person=person,
        source=Record.Source.PUBLIC_COURSE,
        status=Record.Status.APPROVED,
        decided_at=timezone.now(),
    )
    record.year = declared.year
    record.category = declared.category
    record.hours = declared.hours
    record.original_amount = declared.original_amount
    record.original_unit = declared.original_unit
    record.title = declared.title
    record.form = declared.form
    record.start_date = declared.start_date
    record.end_date = declared.end_date
    record.assessment_result = declared.assessment_result
    record.institution_name = declared.institution_name
    _save(record)
    audit_log(
        actor=None,
        action="record.certify_automatic",
        target=record,
        to_state=record.status,
        reason=route.platform_name,
    )
    summaries_refresh_later([(person.pk, year)])
    return record, True
