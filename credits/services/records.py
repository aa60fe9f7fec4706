"""Persons declaring CE records: create, edit (draft or returned only) and submit for review.

Validation reads each rule from the year's settings (``credits.selectors.records.rulebook_load``):

* Declarations for a year close at its ``declaration_deadline`` (a year without one: one year
  after its end), or at the series' own deadline when one is set (accounting 补登); public
  records close at the end of the year's public-subject study window
  (``public_catch_up_deadline``, 31 December without a row).  ``credits.rules.windows_for``.
* A record certified on another body's platform (education, health, accounting from 2020:
  ``credits.rules.route_for`` over the certification routes) is refused unless that
  platform pushes it in (source ``sync_partner``): it names the platform and its address.
* Days convert with the year's ``hours_per_day``; minutes are floored to whole hours with its
  ``minutes_per_hour``, as the rules engine does; the declared amount and unit are kept.
* At most 24 hours per calendar day of the record's span.
* Both dates fall in the declared year; a public record may end in the year's catch-up
  window.  Nothing may end after today.
* A professional record names one of the person's series; any record naming a series must
  name one the person holds.
* No second open record (not rejected or revoked) with the same content, year and dates.
* An accounting activity (``RecordDraft.activity_code``) is professional in the activity's
  series, which the person must hold; its amount is a quantity (whole items, days that fit
  in its dates, hours at most 24 a day); an exam with a results window of the person's region
  must end (results published) inside it.  Only a professional record may be marked general
  knowledge (docs/decisions/0011-accounting-activities.md).

Every failure is a ``ValidationError`` keyed by the field to correct, raised before anything
is written.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import Employment, Organisation, Person, ProfessionalSeries, User, audit_log
from credits.models import Evidence, Record
from credits.rules import CertificationRoute, route_for, settings_for_year, windows_for
from credits.rules.types import ActivityConversion as RuleActivity
from credits.rules.types import RuleBook, YearSettings, quantize_hours
from credits.selectors.records import person_regions, rulebook_load
from credits.uploads import EVIDENCE_CONTENT_TYPES, validate_evidence

HOURS_PER_CALENDAR_DAY = Decimal(24)
_UNITS = (Record.Unit.HOURS, Record.Unit.DAYS, Record.Unit.MINUTES)
# Read once: ``Choices.values`` builds a new list on every access (a sheet checks 10,000 rows).
_CATEGORIES = frozenset(Record.Category.values)
_FORMS = frozenset(Record.Form.values)
_ASSESSMENTS = frozenset(Record.Assessment.values)
_KINDS = frozenset(Record.Kind.values)


@dataclass(frozen=True)
class RecordDraft:
    """What a person (or, for them, their employer) declares: the typed input of
    ``record_create`` and ``record_update``.  Nothing is checked here; the services check
    every declaration rule.

    ``amount`` is in ``unit`` (``hours``, ``days`` or ``minutes``); ``series_code`` is one of
    the person's series (required for professional records).  With ``activity_code`` (an
    accounting activity of the rule book) ``amount`` is the activity's quantity (items, days
    or hours, as the activity counts), and the category, series and unit follow the activity.
    ``general_knowledge`` marks professional general knowledge (专业通识知识).
    """

    year: int
    category: str
    series_code: str | None
    amount: Decimal | int | str
    title: str
    form: str
    start_date: date
    end_date: date
    unit: str = Record.Unit.HOURS
    assessment_result: str = Record.Assessment.NONE
    institution_name: str = ""
    kind: str = ""
    approved_plan: bool | None = None
    activity_code: str = ""
    general_knowledge: bool = False

    @classmethod
    def of(cls, record: Record) -> RecordDraft:
        """The draft a stored record was declared with (``series`` loaded)."""
        return cls(
            year=record.year,
            category=record.category,
            series_code=record.series.code if record.series is not None else None,
            amount=record.original_amount,
            unit=record.original_unit,
            title=record.title,
            form=record.form,
            start_date=record.start_date,
            end_date=record.end_date,
            assessment_result=record.assessment_result,
            institution_name=record.institution_name,
            kind=record.kind,
            approved_plan=record.approved_plan,
            activity_code=record.activity_code,
            general_knowledge=record.general_knowledge,
        )


@dataclass(frozen=True)
class _Declared:
    """A person's declaration after parsing and validation, ready to copy onto a ``Record``."""

    year: int
    category: str
    series: ProfessionalSeries | None
    hours: Decimal
    original_amount: Decimal
    original_unit: str
    title: str
    form: str
    start_date: date
    end_date: date
    assessment_result: str
    institution_name: str
    kind: str = ""
    approved_plan: bool | None = None
    activity_code: str = ""
    general_knowledge: bool = False


class _Errors(dict[str, list[str]]):
    def add(self, field: str, message: str) -> None:
        self.setdefault(field, []).append(message)


def _today(today: date | None) -> date:
    return today if today is not None else timezone.localdate()


def _check_deadline(
    errors: _Errors,
    *,
    year: int,
    category: str,
    series: ProfessionalSeries | None,
    book: RuleBook,
    today: date,
) -> None:
    """Refuse a record after its window: public records after the year's public-subject
    study window, others after the year's (or their series') declaration deadline."""
    deadline = windows_for(year, book).deadline(
        category=category, series=series.code if series is not None else None
    )
    if today > deadline:
        if category == Record.Category.PUBLIC:
            message = _("The public-subject study window for %(year)d closed on %(deadline)s.")
        else:
            message = _("Declarations for %(year)d closed on %(deadline)s.")
        errors.add("year", message % {"year": year, "deadline": deadline.isoformat()})


def _route(
    *,
    person: Person,
    series: ProfessionalSeries | None,
    category: str,
    source: str,
    year: int,
    book: RuleBook,
    held_series: Mapping[str, ProfessionalSeries] | None = None,
) -> CertificationRoute:
    """The record's certification route.  A record naming no series follows the person's
    series (``held_series`` when the caller loaded them, by code): the employer reviews it if
    it reviews it for any series the person holds."""
    codes: list[str | None]
    if series is not None:
        codes = [series.code]
    elif held_series is not None:
        codes = [*sorted(held_series)] or [None]
    else:
        codes = [*person.series.order_by("code").values_list("code", flat=True)] or [None]
    routes = [
        book.memo(
            ("route", code, category, source, year),
            partial(
                route_for, book.routes, series=code, category=category, source=source, year=year
            ),
        )
        for code in codes
    ]
    return next((r for r in routes if not r.elsewhere), routes[0])


def _check_route(
    errors: _Errors,
    *,
    person: Person,
    series: ProfessionalSeries | None,
    category: str,
    source: str,
    year: int,
    book: RuleBook,
    held_series: Mapping[str, ProfessionalSeries] | None = None,
) -> None:
    """Refuse a record another body certifies unless that body pushes it in."""
    if category not in _CATEGORIES:
        return
    route = _route(
        person=person,
        series=series,
        category=category,
        source=source,
        year=year,
        book=book,
        held_series=held_series,
    )
    if not route.elsewhere or source == Record.Source.SYNC_PARTNER:
        return
    errors.add(
        "series" if series is not None else "category",
        _(
            "These records for %(year)d are certified on %(platform)s%(address)s, which sends "
            "them here: declare them there, not to your employer."
        )
        % {
            "year": year,
            "platform": route.platform_name,
            "address": f" ({route.platform_url})" if route.platform_url else "",
        },
    )


def _to_hours(
    errors: _Errors, *, amount: Decimal | int | str, unit: str, settings: YearSettings
) -> tuple[Decimal, Decimal] | None:
    """(original amount, hours), or ``None`` after adding an error on ``amount``."""
    if unit not in _UNITS:
        errors.add("unit", _("Choose hours, days or minutes."))
        return None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        errors.add("amount", _("Enter a number."))
        return None
    if not value.is_finite() or value <= 0:
        errors.add("amount", _("The amount must be greater than 0."))
        return None
    if value != quantize_hours(value):
        errors.add("amount", _("Use at most one decimal place."))
        return None
    if unit == Record.Unit.DAYS:
        hours = quantize_hours(value * settings.hours_per_day)
    elif unit == Record.Unit.MINUTES:
        hours = quantize_hours(value // Decimal(settings.minutes_per_hour))
        if hours <= 0:
            errors.add(
                "amount",
                _("Under %(minutes)d minutes is less than one hour and cannot be declared.")
                % {"minutes": settings.minutes_per_hour},
            )
            return None
    else:
        hours = value
    return value, hours


def _check_dates(
    errors: _Errors,
    *,
    year: int,
    category: str,
    start_date: date,
    end_date: date,
    settings: YearSettings,
    today: date,
    results_to: date | None = None,
) -> bool:
    """Add date errors; ``True`` when the span is usable for the hours-per-day check.

    ``results_to``: an activity whose result may be published after the year (an exam's
    score, within the table's window) may end up to that day."""
    ok = True
    year_start, year_end = date(year, 1, 1), date(year, 12, 31)
    if end_date < start_date:
        errors.add("end_date", _("The end date cannot be before the start date."))
        ok = False
    if not year_start <= start_date <= year_end:
        errors.add(
            "start_date",
            _("The start date must fall in the declared year %(year)d.") % {"year": year},
        )
    latest_end = year_end
    if category == Record.Category.PUBLIC:
        latest_end = max(year_end, settings.public_catch_up_deadline)
    if results_to is not None:
        latest_end = max(year_end, results_to)
    if not year_start <= end_date <= latest_end:
        if latest_end == year_end:
            message = _("The end date must fall in the declared year %(year)d.") % {"year": year}
        else:
            message = _(
                "The end date must fall in %(year)d or the public-subject catch-up window "
                "ending %(deadline)s."
            ) % {"year": year, "deadline": latest_end.isoformat()}
        errors.add("end_date", message)
    elif end_date > today:
        errors.add("end_date", _("You can only declare study that has ended."))
    return ok


def _check_hours_per_day(
    errors: _Errors, *, hours: Decimal, start_date: date, end_date: date
) -> None:
    days = (end_date - start_date).days + 1
    limit = HOURS_PER_CALENDAR_DAY * days
    if hours > limit:
        errors.add(
            "amount",
            _(
                "%(hours)s hours is more than 24 hours a day over %(days)d day(s) "
                "(at most %(limit)s)."
            )
            % {"hours": hours, "days": days, "limit": limit},
        )


def _series_for(
    errors: _Errors,
    *,
    person: Person,
    category: str,
    series_code: str | None,
    held_series: Mapping[str, ProfessionalSeries] | None = None,
) -> ProfessionalSeries | None:
    code = (series_code or "").strip()
    if not code:
        if category == Record.Category.PROFESSIONAL:
            errors.add("series", _("Choose the series this professional record counts for."))
        return None
    if held_series is not None:
        series = held_series.get(code)
    else:
        series = person.series.filter(code=code).first()
    if series is None:
        errors.add(
            "series",
            _("You do not hold the series “%(code)s”: choose one of your series.") % {"code": code},
        )
    return series


def duplicate_key(declared: _Declared) -> tuple[str, int, date, date]:
    """What makes two of a person's open records the same (``credits_record_no_duplicate``)."""
    return (declared.title, declared.year, declared.start_date, declared.end_date)


# --- accounting activities (docs/decisions/0011-accounting-activities.md) -------------------


def _activity_for(errors: _Errors, *, draft: RecordDraft, book: RuleBook) -> RuleActivity | None:
    code = (draft.activity_code or "").strip()
    if not code:
        return None
    conversion = book.activity(code)
    if conversion is None:
        errors.add("activity", _("Choose one of the listed activities."))
    return conversion


def _activity_series(
    errors: _Errors,
    *,
    person: Person,
    conversion: RuleActivity,
    held_series: Mapping[str, ProfessionalSeries] | None = None,
) -> ProfessionalSeries | None:
    if held_series is not None:
        series = held_series.get(conversion.series)
    else:
        series = person.series.filter(code=conversion.series).first()
    if series is None:
        errors.add(
            "activity",
            _("This activity counts for the series “%(code)s”, which you do not hold.")
            % {"code": conversion.series},
        )
    return series


def _activity_amount(
    errors: _Errors, *, amount: Decimal | int | str, conversion: RuleActivity
) -> tuple[Decimal, Decimal] | None:
    """(quantity, hours) of an activity, or ``None`` after adding an error on ``amount``."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        errors.add("amount", _("Enter a number."))
        return None
    if not value.is_finite() or value <= 0:
        errors.add("amount", _("The amount must be greater than 0."))
        return None
    if value != quantize_hours(value):
        errors.add("amount", _("Use at most one decimal place."))
        return None
    if conversion.unit == "item" and value != value.to_integral_value():
        errors.add("amount", _("Count items in whole numbers."))
        return None
    return value, quantize_hours(value * conversion.hours)


def _check_activity_span(
    errors: _Errors,
    *,
    quantity: Decimal,
    conversion: RuleActivity,
    start_date: date,
    end_date: date,
) -> None:
    """Days of an activity fit in its dates; hours fit in 24 a day."""
    days = (end_date - start_date).days + 1
    if conversion.unit == "day" and quantity > days:
        errors.add(
            "amount",
            _("%(quantity)s days do not fit between the start and end dates (%(days)d days).")
            % {"quantity": quantity, "days": days},
        )
    elif conversion.unit == "hour" and quantity > HOURS_PER_CALENDAR_DAY * days:
        errors.add(
            "amount",
            _(
                "%(hours)s hours is more than 24 hours a day over %(days)d day(s) "
                "(at most %(limit)s)."
            )
            % {"hours": quantity, "days": days, "limit": HOURS_PER_CALENDAR_DAY * days},
        )


def _results_window(
    *, person: Person, conversion: RuleActivity, year: int, book: RuleBook
) -> tuple[date, date] | None:
    """The window in which the activity's result must have been published for ``year`` in
    the person's region (the 2023 Guangzhou table's exam scores), or ``None``."""
    if not any(
        row.activity == conversion.code and row.year == year for row in book.activity_conditions
    ):
        return None  # no condition on it that year anywhere: no query
    regions = person_regions([person.pk]).get(person.pk, ())
    condition = book.activity_condition(conversion.code, year, regions)
    if condition is None or (condition.results_from is None and condition.results_to is None):
        return None
    return (
        condition.results_from or date(year, 1, 1),
        condition.results_to or date(year, 12, 31),
    )


def _check_results_window(
    errors: _Errors, *, window: tuple[date, date], end_date: date, year: int
) -> None:
    if not window[0] <= end_date <= window[1]:
        errors.add(
            "end_date",
            _(
                "For %(year)d this activity counts only with results published from "
                "%(start)s to %(end)s: enter the publication date as the end date."
            )
            % {"year": year, "start": window[0].isoformat(), "end": window[1].isoformat()},
        )


def _check_duplicate(
    errors: _Errors,
    *,
    person: Person,
    declared: _Declared,
    exclude_pk: int | None,
    open_keys: Collection[tuple[str, int, date, date]] | None = None,
) -> None:
    if open_keys is not None:
        duplicate = duplicate_key(declared) in open_keys
    else:
        duplicates = Record.objects.filter(
            person=person,
            title=declared.title,
            year=declared.year,
            start_date=declared.start_date,
            end_date=declared.end_date,
        ).exclude(status__in=Record.CLOSED_STATUSES)
        if exclude_pk is not None:
            duplicates = duplicates.exclude(pk=exclude_pk)
        duplicate = duplicates.exists()
    if duplicate:
        errors.add(
            "title",
            _("You already declared “%(title)s” for these dates in %(year)d.")
            % {"title": declared.title, "year": declared.year},
        )


def _declared(
    *,
    person: Person,
    draft: RecordDraft,
    today: date,
    exclude_pk: int | None = None,
    source: str = Record.Source.SELF_DECLARED,
    book: RuleBook | None = None,
    held_series: Mapping[str, ProfessionalSeries] | None = None,
    open_keys: Collection[tuple[str, int, date, date]] | None = None,
) -> _Declared:
    """Validate a declaration against every rule; raise one ``ValidationError`` for all.

    ``source`` is where the record comes from (``Record.Source``): the certification route
    and the windows apply to every source alike.  The rule book is loaded once here and
    handed to every check.  A caller checking many rows at once (``credits.services.entry``)
    passes what it loaded for all of them: the rule book, the person's series by code and the
    ``duplicate_key`` of the person's open records; otherwise each is read here.
    """
    year, category, series_code = draft.year, draft.category, draft.series_code
    amount, unit, form = draft.amount, draft.unit, draft.form
    start_date, end_date = draft.start_date, draft.end_date
    assessment_result, kind = draft.assessment_result, draft.kind
    approved_plan = draft.approved_plan
    book = book or rulebook_load()
    errors = _Errors()
    conversion = _activity_for(errors, draft=draft, book=book)
    if conversion is not None:
        # An activity counts as professional hours of its series (credits.rules).
        category, series_code = Record.Category.PROFESSIONAL, conversion.series
        unit = Record.Unit.ACTIVITY
    title = draft.title.strip()
    institution_name = draft.institution_name.strip()
    if not title:
        errors.add("title", _("Describe the content of the study."))
    if category not in _CATEGORIES:
        errors.add("category", _("Choose public, professional or elective."))
    if form not in _FORMS:
        errors.add("form", _("Choose the form of the study."))
    if assessment_result not in _ASSESSMENTS:
        errors.add("assessment_result", _("Choose the assessment result."))
    kind = kind or ""
    if kind not in _KINDS:
        errors.add("kind", _("Choose ordinary study, degree study or in-house training."))
    elif kind and conversion is not None:
        errors.add("kind", _("An accounting activity is declared without a kind."))
    if draft.general_knowledge and category != Record.Category.PROFESSIONAL:
        errors.add(
            "general_knowledge",
            _("Only a professional record can be professional general knowledge."),
        )
    # Only in-house training has a course plan, and only a class of an authority-approved
    # employer plan (source "institution_class", written by credits.services.class_records)
    # says it was approved: nobody ticks it (docs/decisions/0018-approved-plan-from-classes.md).
    if kind == Record.Kind.INHOUSE_TRAINING:
        approved_plan = bool(approved_plan) and source == Record.Source.INSTITUTION_CLASS
    else:
        approved_plan = None
    minimum_year = book.min_year
    if not minimum_year <= year <= today.year:
        errors.add(
            "year",
            _("The declared year must be between %(min)d and %(max)d.")
            % {"min": minimum_year, "max": today.year},
        )
        raise ValidationError(errors)
    settings: YearSettings = book.memo(
        ("settings", year), lambda: settings_for_year(year, book.year_settings)
    )
    if conversion is None:
        series = _series_for(
            errors,
            person=person,
            category=category,
            series_code=series_code,
            held_series=held_series,
        )
        converted = _to_hours(errors, amount=amount, unit=unit, settings=settings)
        window = None
    else:
        series = _activity_series(
            errors, person=person, conversion=conversion, held_series=held_series
        )
        converted = _activity_amount(errors, amount=amount, conversion=conversion)
        window = _results_window(person=person, conversion=conversion, year=year, book=book)
    _check_deadline(errors, year=year, category=category, series=series, book=book, today=today)
    _check_route(
        errors,
        person=person,
        series=series,
        category=category,
        source=source,
        year=year,
        book=book,
        held_series=held_series,
    )
    dates_ok = _check_dates(
        errors,
        year=year,
        category=category,
        start_date=start_date,
        end_date=end_date,
        settings=settings,
        today=today,
        results_to=window[1] if window is not None else None,
    )
    if window is not None:
        _check_results_window(errors, window=window, end_date=end_date, year=year)
    if converted is not None and dates_ok:
        if conversion is None:
            _check_hours_per_day(
                errors, hours=converted[1], start_date=start_date, end_date=end_date
            )
        else:
            _check_activity_span(
                errors,
                quantity=converted[0],
                conversion=conversion,
                start_date=start_date,
                end_date=end_date,
            )
    if errors or converted is None:
        raise ValidationError(errors)
    declared = _Declared(
        year=year,
        category=category,
        series=series,
        hours=converted[1],
        original_amount=converted[0],
        original_unit=unit,
        title=title,
        form=form,
        start_date=start_date,
        end_date=end_date,
        assessment_result=assessment_result,
        institution_name=institution_name,
        kind=kind,
        approved_plan=approved_plan,
        activity_code=conversion.code if conversion is not None else "",
        general_knowledge=bool(draft.general_knowledge),
    )
    _check_duplicate(
        errors, person=person, declared=declared, exclude_pk=exclude_pk, open_keys=open_keys
    )
    if errors:
        raise ValidationError(errors)
    return declared


# The one set of declaration rules, for ``credits.services.entry``'s sheet import, which
# checks every row with look-ups loaded once for the whole sheet.
Declared = _Declared
declaration_validate = _declared


@dataclass(frozen=True)
class EnteredBy:
    """A record an employer enters for a person it employs (``credits.services.entry``
    checks the binding): it goes straight to that employer's review."""

    user: User
    employer: Organisation


def _validated_files(evidence_files: Iterable[File]) -> list[tuple[File, str]]:
    """Each file with its detected kind; every file is checked before any is stored."""
    checked: list[tuple[File, str]] = []
    messages: list[str] = []
    for uploaded in evidence_files:
        try:
            checked.append((uploaded, validate_evidence(uploaded)))
        except ValidationError as exc:
            name = os.path.basename(str(uploaded.name or ""))
            messages.extend(f"{name}: {message}" if name else message for message in exc.messages)
    if messages:
        raise ValidationError({"evidence": messages})
    return checked


def _evidence_store(record: Record, files: list[tuple[File, str]]) -> None:
    for uploaded, kind in files:
        evidence = Evidence(
            record=record,
            original_name=os.path.basename(str(uploaded.name or ""))[:255],
            content_type=EVIDENCE_CONTENT_TYPES[kind],
            size=uploaded.size,
        )
        # The storage name comes from ``evidence_upload_to``; the name passed here is ignored.
        evidence.file.save(f"upload.{kind}", uploaded, save=False)
        evidence.save()


def _apply(record: Record, declared: _Declared) -> None:
    record.year = declared.year
    record.category = declared.category
    record.series = declared.series
    record.hours = declared.hours
    record.original_amount = declared.original_amount
    record.original_unit = declared.original_unit
    record.activity_code = declared.activity_code
    record.general_knowledge = declared.general_knowledge
    record.title = declared.title
    record.form = declared.form
    record.start_date = declared.start_date
    record.end_date = declared.end_date
    record.assessment_result = declared.assessment_result
    record.institution_name = declared.institution_name
    record.kind = declared.kind
    record.approved_plan = declared.approved_plan


def _save(record: Record) -> None:
    """Save, turning a lost race on the duplicate constraint into the usual message."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"title": _("You already declared a record with this content and these dates.")}
        ) from exc


# For credits.services.class_records, which writes class records under the same rules.
declared_apply = _apply
record_save = _save


def _own(person: Person, record: Record) -> Record:
    locked = Record.objects.select_for_update().get(pk=record.pk)
    if locked.person_id != person.pk:
        raise PermissionDenied(_("This record belongs to someone else."))
    return locked


@transaction.atomic
def record_create(
    *,
    person: Person,
    draft: RecordDraft,
    evidence_files: Iterable[File] = (),
    actor: User | None = None,
    today: date | None = None,
    entered_by: EnteredBy | None = None,
) -> Record:
    """Declare a record as a draft for ``person``; ``actor`` (default: the person's user) is
    who the audit entry names.

    Caller checks: `person` is the logged-in user's own, or, with ``entered_by``, that the
    employer employs them now: the employer enters it for the person, it is under that
    employer's review at once, and the audit entry names the employer's user as the actor.
    """
    declared = _declared(
        person=person,
        draft=draft,
        today=_today(today),
        source=Record.Source.EMPLOYER if entered_by is not None else Record.Source.SELF_DECLARED,
    )
    files = _validated_files(evidence_files)
    record = Record(person=person, source=Record.Source.SELF_DECLARED)
    if entered_by is not None:
        record.source = Record.Source.EMPLOYER
        record.status = Record.Status.SUBMITTED
        record.employer = entered_by.employer
        record.entered_by = entered_by.user
        record.entered_by_organisation = entered_by.employer
    _apply(record, declared)
    _save(record)
    _evidence_store(record, files)
    audit_log(
        actor=entered_by.user if entered_by is not None else (actor or person.user),
        action="record.enter" if entered_by is not None else "record.create",
        target=record,
        organisation=entered_by.employer if entered_by is not None else None,
        to_state=record.status,
    )
    return record


@transaction.atomic
def record_update(
    *,
    person: Person,
    record: Record,
    draft: RecordDraft,
    evidence_files: Iterable[File] = (),
    actor: User | None = None,
    today: date | None = None,
) -> Record:
    """Edit a draft or returned record (its status stays); new files are added to it.
    ``actor`` (default: the person's user) is who the audit entry names.

    Checks the record is `person`'s; caller checks `person` is the logged-in user's own."""
    locked = _own(person, record)
    if not locked.is_editable:
        if locked.status == Record.Status.SUBMITTED:
            message = _(
                "This record is under review and cannot be edited. Ask your employer to "
                "return it for changes."
            )
        else:
            message = _("A %(status)s record cannot be edited.") % {
                "status": locked.get_status_display().lower()
            }
        raise ValidationError(message, code="not_editable")
    declared = _declared(person=person, draft=draft, today=_today(today), exclude_pk=locked.pk)
    files = _validated_files(evidence_files)
    _apply(locked, declared)
    _save(locked)
    _evidence_store(locked, files)
    audit_log(
        actor=actor if actor is not None else person.user,
        action="record.update",
        target=locked,
        from_state=locked.status,
        to_state=locked.status,
    )
    return locked


@transaction.atomic
def record_submit(*, person: Person, record: Record, today: date | None = None) -> Record:
    """Send a draft or returned record to the person's confirmed employer for review.

    Every declaration rule is checked again (the deadline may have passed, the person's
    series may have changed since the draft was saved).

    Checks the record is `person`'s; caller checks `person` is the logged-in user's own.
    """
    locked = _own(person, record)
    if not locked.is_editable:
        raise ValidationError(
            _("Only a draft or a returned record can be submitted."), code="not_submittable"
        )
    employment = (
        Employment.objects.select_related("employer")
        .filter(person=person, status=Employment.Status.CONFIRMED)
        .first()
    )
    if employment is None:
        raise ValidationError(
            _(
                "Bind to your employer, and wait until it confirms you, before you submit "
                "records: your employer reviews them."
            ),
            code="no_employer",
        )
    declared = _declared(
        person=person, draft=RecordDraft.of(locked), today=_today(today), exclude_pk=locked.pk
    )
    before = locked.status
    _apply(locked, declared)
    locked.status = Record.Status.SUBMITTED
    locked.employer = employment.employer
    locked.reviewer_reason = ""
    locked.decided_by = None
    locked.decided_at = None
    _save(locked)
    audit_log(
        actor=person.user,
        action="record.submit",
        target=locked,
        organisation=employment.employer,
        from_state=before,
        to_state=locked.status,
    )
    return locked


def _files_remove_after_commit(names: list[str]) -> None:
    """Delete stored files once the transaction that dropped their rows has committed (a
    rollback keeps both the rows and the files)."""
    storage = Evidence._meta.get_field("file").storage

    def remove() -> None:
        for name in names:
            # Already gone, or the storage refused: the row is gone anyway.
            with contextlib.suppress(OSError):
                storage.delete(name)

    if names:
        transaction.on_commit(remove)


@transaction.atomic
def record_delete(*, person: Person, record: Record) -> None:
    """Delete one of the person's draft records and its evidence (files after commit).

    Checks the record is `person`'s; caller checks `person` is the logged-in user's own."""
    locked = _own(person, record)
    if locked.status != Record.Status.DRAFT:
        raise ValidationError(
            _("Only a draft can be deleted; a record that was submitted stays on file."),
            code="not_draft",
        )
    names = [name for name in locked.evidence.values_list("file", flat=True) if name]
    audit_log(
        actor=person.user,
        action="record.delete",
        target=locked,
        from_state=locked.status,
        to_state="deleted",
        reason=locked.title,
    )
    locked.delete()
    _files_remove_after_commit(names)


@transaction.atomic
def evidence_remove(*, person: Person, evidence: Evidence) -> Record:
    """Remove one evidence file from the person's draft or returned record (file after
    commit); not while the record is under review or decided.

    Checks the record is `person`'s; caller checks `person` is the logged-in user's own.
    """
    locked = _own(person, evidence.record)
    if not locked.is_editable:
        raise ValidationError(
            _("Evidence can only be removed from a draft or a returned record."),
            code="not_editable",
        )
    row = Evidence.objects.filter(pk=evidence.pk, record=locked).first()
    if row is None:
        raise ValidationError(_("This file was already removed."), code="gone")
    name = row.file.name or ""
    row.delete()
    audit_log(
        actor=person.user,
        action="record.evidence_remove",
        target=locked,
        from_state=locked.status,
        to_state=locked.status,
        reason=row.original_name or name,
    )
    _files_remove_after_commit([name] if name else [])
    return locked
