"""Employers entering records for their staff (seed 003: "登记工作可由专业技术人员和用人单位
通过管理系统进行"), one by one or by uploading a sheet.

* Only an employer's members who review its records (``review_records``) enter them, and only
  for persons it employs now (a CONFIRMED binding): a former employer cannot.
* The declaration rules are ``credits.services.records``'s: one record goes through
  ``record_create``; a sheet's rows through the same ``declaration_validate`` with the look-ups
  (persons, bindings, series held, open records, the rule book) loaded once for the sheet.
* An entered record is under the employer's review at once (``submitted``), is certified by
  that review like any other, keeps who entered it (``source = employer``, the user and the
  organisation), and its person gets a notice.
* A sheet is all or nothing: ``import_job_process`` checks every row (``done`` moves the
  progress bar), then creates every record in one transaction together with the job's final
  status, or saves only the list of bad rows (line, column, message). A second run of a job
  that already finished changes nothing.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.api import (
    AuditEntry,
    Employment,
    Notice,
    Organisation,
    Person,
    ProfessionalSeries,
    User,
    audit_log,
    can,
    normalise_id_number,
    notice_send,
    validate_id_number,
)
from accounts.api import notices_send as _notices_send
from credits.models import ImportJob, Record
from credits.rules import RuleBook
from credits.selectors.records import rulebook_load
from credits.services.records import (
    Declared,
    EnteredBy,
    RecordDraft,
    declaration_validate,
    duplicate_key,
    record_create,
)
from credits.services.reviews import RECORD_TARGET_TYPE, record_link_parts
from credits.sheets import (
    COLUMN_BY_KEY,
    LineError,
    SheetError,
    SheetRow,
    sheet_format,
    sheet_rows,
)
from portal.queue import queue_on_commit

logger = logging.getLogger(__name__)

PERM = "review_records"
ERRORS_KEPT = 1_000  # bad rows listed on the job (the count says how many there were)
PROGRESS_EVERY = 500  # rows checked between two progress updates
BATCH = 1_000
IMPORT_TARGET_TYPE = "credits.importjob"
IMPORT_JOB_TASK = "credits.tasks.import_job_run"  # queued by name: credits.tasks imports this

DupKey = tuple[str, int, date, date]


def _check_member(actor: User, employer: Organisation) -> None:
    if employer.kind != Organisation.Kind.EMPLOYER or not can(actor, PERM, employer):
        raise PermissionDenied(_("You may not enter records for this employer."))


def _not_staff() -> ValidationError:
    # The same answer for an unknown ID number, a wrong name and a former employee: an
    # employer learns nothing about persons it does not employ.
    return ValidationError(
        {
            "id_number": _(
                "No professional with this ID number and name is confirmed as your staff. "
                "Check both, and that the binding is confirmed."
            )
        }
    )


def staff_person(*, employer: Organisation, id_number: str, real_name: str) -> Person:
    """The person with this ID number and name whom ``employer`` employs now (CONFIRMED)."""
    person = (
        Person.objects.select_related("user")
        .filter(
            id_number=normalise_id_number(id_number),
            employments__employer_id=employer.pk,
            employments__status=Employment.Status.CONFIRMED,
        )
        .first()
    )
    if person is None or person.real_name.strip() != real_name.strip():
        raise _not_staff()
    return person


@transaction.atomic
def record_enter(
    *,
    actor: User,
    employer: Organisation,
    id_number: str,
    real_name: str,
    declaration: Mapping[str, Any],
    evidence_files: Iterable[File] = (),
    today: date | None = None,
) -> Record:
    """Enter one record for a person ``employer`` employs; ``declaration`` holds
    ``record_create``'s declaration keywords. The record goes to the employer's review."""
    _check_member(actor, employer)
    person = staff_person(employer=employer, id_number=id_number, real_name=real_name)
    record = record_create(
        person=person,
        draft=RecordDraft(**declaration),
        evidence_files=evidence_files,
        today=today,
        entered_by=EnteredBy(user=actor, employer=employer),
    )
    prefix, suffix = record_link_parts()
    notice_send(
        recipient_id=person.user_id,
        kind=Notice.Kind.RECORD_ENTERED,
        params={"title": record.title, "by": employer.name},
        link=f"{prefix}{record.pk}{suffix}",
    )
    return record


# ---------------------------------------------------------------------------------------------
# Sheets
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def import_start(
    *, actor: User, employer: Organisation, content: bytes, original_name: str
) -> ImportJob:
    """Check the file's type and size, keep it, and queue its rows after this transaction."""
    _check_member(actor, employer)
    fmt = sheet_format(content)
    job = ImportJob.objects.create(
        employer_id=employer.pk,
        requested_by=actor,
        original_name=original_name[:255],
        format=fmt,
        content=content,
    )
    audit_log(
        actor=actor,
        action="import.upload",
        target=job,
        organisation=employer,
        to_state=job.status,
    )
    job_id = job.pk
    queue_on_commit(IMPORT_JOB_TASK, job_id)
    return job


@dataclass
class _Context:
    """What checking the sheet's rows needs from the database, loaded once for all rows."""

    book: RuleBook
    persons: dict[str, tuple[int, str, int]]  # id number → (person id, real name, user id)
    employed: set[int]  # person ids the employer binds now (CONFIRMED)
    held: dict[int, dict[str, ProfessionalSeries]]  # person id → series code → series
    open_keys: dict[int, set[DupKey]]  # person id → duplicate keys of open records
    series_codes: dict[str, str]  # series code or name (casefolded) → code

    def facts(self) -> tuple[Any, ...]:
        """A copy of everything the rows were checked against, to compare with later."""
        return (
            self.book,
            dict(self.persons),
            set(self.employed),
            {pk: set(codes) for pk, codes in self.held.items()},
            {pk: set(keys) for pk, keys in self.open_keys.items() if keys},
            dict(self.series_codes),
        )


def _context(employer_id: int, rows: Sequence[SheetRow]) -> _Context:
    """Six queries whatever the number of rows."""
    numbers = {normalise_id_number(str(r.values.get("id_number") or "")) for r in rows}
    persons = {
        number: (pk, name, user_id)
        for pk, number, name, user_id in Person.objects.filter(id_number__in=numbers).values_list(
            "pk", "id_number", "real_name", "user_id"
        )
    }
    person_ids = [p[0] for p in persons.values()]
    employed = set(
        Employment.objects.filter(
            employer_id=employer_id,
            status=Employment.Status.CONFIRMED,
            person_id__in=person_ids,
        ).values_list("person_id", flat=True)
    )
    all_series = list(ProfessionalSeries.objects.all())
    by_pk = {s.pk: s for s in all_series}
    held: dict[int, dict[str, ProfessionalSeries]] = defaultdict(dict)
    through = Person.series.through.objects.filter(person_id__in=employed)
    for person_id, series_id in through.values_list("person_id", "professionalseries_id"):
        series = by_pk[series_id]
        held[person_id][series.code] = series
    open_keys: dict[int, set[DupKey]] = defaultdict(set)
    records = (
        Record.objects.filter(person_id__in=employed)
        .exclude(status__in=Record.CLOSED_STATUSES)
        .values_list("person_id", "title", "year", "start_date", "end_date")
    )
    for person_id, title, year, start, end in records.iterator(chunk_size=5_000):
        open_keys[person_id].add((title, year, start, end))
    series_codes: dict[str, str] = {}
    for series in all_series:
        series_codes[series.code.casefold()] = series.code
        series_codes[series.name.casefold()] = series.code
    return _Context(rulebook_load(), persons, employed, held, open_keys, series_codes)


# --- Reading cell values --------------------------------------------------------------------


def _choices(choices: Iterable[tuple[str, Any]], *extra: tuple[str, str]) -> dict[str, str]:
    """Every way a sheet may name a choice: its code, its English and Chinese labels."""
    names: dict[str, str] = {}
    for value, label in choices:
        names[str(value).casefold()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[str(label).strip().casefold()] = value
    for alias, value in extra:
        names[alias.casefold()] = value
    return names


def _choice_maps() -> dict[str, dict[str, str]]:
    return {
        "category": _choices(
            Record.Category.choices,
            ("公需课", "public"),
            ("专业课", "professional"),
            ("选修课", "elective"),
        ),
        "unit": _choices(
            [(u, Record.Unit(u).label) for u in ("hours", "days", "minutes")],
            ("学时", "hours"),
            ("小时", "hours"),
            ("天", "days"),
            ("分钟", "minutes"),
        ),
        "form": _choices(Record.Form.choices, ("面授", "class"), ("网络培训", "online")),
        "assessment_result": _choices(Record.Assessment.choices, ("不合格", "fail")),
        "kind": _choices(Record.Kind.choices, ("单位内部培训", "inhouse_training")),
    }


_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


class _Cell(Exception):
    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def _text(values: Mapping[str, Any], key: str) -> str:
    value = values.get(key)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _required(values: Mapping[str, Any], key: str) -> str:
    text = _text(values, key)
    if not text:
        raise _Cell(key, _("This column must be filled in."))
    return text


def _date(values: Mapping[str, Any], key: str) -> date:
    value = values.get(key)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _required(values, key)
    match = _DATE_RE.match(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise _Cell(key, _("Write the date as YYYY-MM-DD, e.g. 2023-05-08."))


def _choice(values: Mapping[str, Any], key: str, names: Mapping[str, str], default: str) -> str:
    text = _text(values, key)
    if not text:
        return default
    value = names.get(text.casefold())
    if value is None:
        raise _Cell(key, _("“%(value)s” is not one of the accepted values.") % {"value": text})
    return value


def _row_declaration(
    row: SheetRow, context: _Context, maps: Mapping[str, Mapping[str, str]], today: date
) -> tuple[int, dict[str, Any]]:
    """(person id, ``declaration_validate`` keywords) of one row, or ``_Cell``."""
    values = row.values
    raw_id = values.get("id_number")
    if isinstance(raw_id, int | float):
        raise _Cell(
            "id_number",
            _("The ID number became a number in the spreadsheet; format the column as text."),
        )
    id_number = normalise_id_number(_required(values, "id_number"))
    if id_number not in context.persons:  # a known person's ID number was checked already
        try:
            validate_id_number(id_number, today=today)
        except ValidationError as exc:
            raise _Cell("id_number", " ".join(exc.messages)) from None
    name = _required(values, "real_name")
    found = context.persons.get(id_number)
    if found is None or found[0] not in context.employed or found[1].strip() != name:
        raise _Cell("id_number", str(_not_staff().message_dict["id_number"][0]))
    year_text = _required(values, "year")
    if not year_text.isdigit():
        raise _Cell("year", _("Write the year as four digits, e.g. 2023."))
    amount_text = _required(values, "amount")
    try:
        amount = Decimal(amount_text)
    except InvalidOperation:
        raise _Cell("amount", _("Enter a number.")) from None
    series_text = _text(values, "series")
    series_code = None
    if series_text:
        series_code = context.series_codes.get(series_text.casefold())
        if series_code is None:
            raise _Cell(
                "series", _("“%(value)s” is not a professional series.") % {"value": series_text}
            )
    declaration = {
        "year": int(year_text),
        "category": _choice(values, "category", maps["category"], ""),
        "series_code": series_code,
        "amount": amount,
        "unit": _choice(values, "unit", maps["unit"], Record.Unit.HOURS),
        "title": _required(values, "title"),
        "form": _choice(values, "form", maps["form"], ""),
        "start_date": _date(values, "start_date"),
        "end_date": _date(values, "end_date"),
        "assessment_result": _choice(
            values, "assessment_result", maps["assessment_result"], Record.Assessment.NONE
        ),
        "institution_name": _text(values, "institution_name"),
        "kind": _choice(values, "kind", maps["kind"], ""),
    }
    return found[0], declaration


def _column(field: str) -> str:
    column = COLUMN_BY_KEY.get(field)  # the services' error keys are the sheet's column keys
    return column.header if column is not None else ""


def _row_errors(line: int, exc: ValidationError) -> list[LineError]:
    if hasattr(exc, "error_dict"):
        return [
            LineError(line, _column(field), message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return [LineError(line, "", message) for message in exc.messages]


@dataclass
class _Checked:
    declared: list[tuple[int, Declared]]  # (person id, declaration) of every good row
    errors: list[LineError]
    error_count: int


def _check_rows(
    rows: Sequence[SheetRow],
    context: _Context,
    *,
    today: date,
    progress: Any = None,
) -> _Checked:
    """Check every row with the declaration rules; duplicates within the sheet count too."""
    maps = _choice_maps()
    persons: dict[int, Person] = {}
    checked = _Checked([], [], 0)

    def fail(found: list[LineError]) -> None:
        checked.error_count += len(found)
        room = ERRORS_KEPT - len(checked.errors)
        checked.errors.extend(found[: max(room, 0)])

    for index, row in enumerate(rows, start=1):
        try:
            person_id, declaration = _row_declaration(row, context, maps, today)
            person = persons.get(person_id)
            if person is None:
                person = persons[person_id] = Person(pk=person_id)
            declared = declaration_validate(
                person=person,
                draft=RecordDraft(**declaration),
                today=today,
                source=Record.Source.EMPLOYER,
                book=context.book,
                held_series=context.held.get(person_id, {}),
                open_keys=context.open_keys[person_id],
            )
        except _Cell as cell:
            fail([LineError(row.line, COLUMN_BY_KEY[cell.key].header, cell.message)])
        except ValidationError as exc:
            fail(_row_errors(row.line, exc))
        else:
            # A second identical row of the sheet is a duplicate of this one.
            context.open_keys[person_id].add(duplicate_key(declared))
            checked.declared.append((person_id, declared))
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index)
    return checked


def import_job_process(*, job: ImportJob, today: date | None = None) -> ImportJob:
    """Check and import a job's sheet; a job already finished or rejected is left as it is.

    The rows are checked once outside any transaction (so the page sees ``done`` move), then
    again inside the transaction that creates them (the database may have changed meanwhile)
    and sets the job's final status; that transaction holds the job's row lock, so two
    workers running the same job import it once.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status in (ImportJob.Status.FINISHED, ImportJob.Status.REJECTED):
            return locked
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, error="")
    try:
        _process(job.pk, today)
    except Exception as exc:
        logger.exception("import job %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING).update(
            status=ImportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    job.refresh_from_db()
    return job


def _process(job_id: int, today: date) -> None:
    job = ImportJob.objects.select_related("employer", "requested_by").get(pk=job_id)
    try:
        rows = sheet_rows(job.format, bytes(job.content))
    except SheetError as exc:
        _finish_rejected(job_id, [LineError(0, "", m) for m in exc.messages], 1, total=0)
        return
    ImportJob.objects.filter(pk=job_id).update(total=len(rows), done=0)

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(done=done)

    context = _context(job.employer_id, rows)
    snapshot = context.facts()
    checked = _check_rows(rows, context, today=today, progress=progress)
    if checked.errors:
        _finish_rejected(job_id, checked.errors, checked.error_count, total=len(rows))
        return
    ImportJob.objects.filter(pk=job_id).update(done=len(rows))
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().get(pk=job_id)
        if locked.status != ImportJob.Status.RUNNING:
            return  # another run finished it meanwhile
        context = _context(job.employer_id, rows)
        if context.facts() != snapshot:
            # A binding, a series or a record changed while the rows were checked.
            checked = _check_rows(rows, context, today=today)
            if checked.errors:
                _finish_rejected(job_id, checked.errors, checked.error_count, total=len(rows))
                return
        _records_create(job, checked.declared)


def _finish_rejected(job_id: int, errors: list[LineError], count: int, *, total: int) -> None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("employer").get(pk=job_id)
        if job.status != ImportJob.Status.RUNNING:
            return
        job.status = ImportJob.Status.REJECTED
        job.errors = [error.as_dict() for error in errors]
        job.error_count = count
        job.total = total
        job.done = total
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "errors", "error_count", "total", "done", "finished_at"])
        audit_log(
            actor=job.requested_by,
            action="import.reject",
            target=job,
            organisation=job.employer,
            from_state=ImportJob.Status.RUNNING,
            to_state=job.status,
            reason=_("%(count)d errors; nothing was saved.") % {"count": count},
        )


def _records_create(job: ImportJob, declared: list[tuple[int, Declared]]) -> None:
    """Every record of the sheet, its audit rows and its persons' notices (caller's
    transaction, which holds the job's lock): three statements on PostgreSQL whatever the
    number of rows, bulk inserts elsewhere."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        created = _insert_postgresql(job, declared, now)
    else:
        created = _insert_portable(job, declared, now)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FINISHED, created=created, done=F("total"), finished_at=now
    )
    audit_log(
        actor=job.requested_by,
        action="import.finish",
        target=job,
        organisation=job.employer,
        from_state=ImportJob.Status.RUNNING,
        to_state=ImportJob.Status.FINISHED,
        reason=_("%(count)d records entered.") % {"count": created},
    )


_INSERT_SQL = """
INSERT INTO credits_record (
    person_id, year, category, series_id, hours, original_amount, original_unit, title,
    form, start_date, end_date, assessment_result, institution_name, kind, approved_plan,
    activity_code, general_knowledge, source, status, reviewer_reason, employer_id,
    entered_by_id, entered_by_organisation_id, import_job_id, created_at, updated_at)
SELECT
    person_id, year, category, series_id, hours, original_amount, original_unit, title,
    form, start_date, end_date, assessment_result, institution_name, kind, approved_plan,
    '', false, 'employer', 'submitted', '', %(employer)s, %(user)s, %(employer)s, %(job)s,
    %(now)s, %(now)s
FROM unnest(
    %(person_id)s::bigint[], %(year)s::int[], %(category)s::text[], %(series_id)s::bigint[],
    %(hours)s::numeric[], %(original_amount)s::numeric[], %(original_unit)s::text[],
    %(title)s::text[], %(form)s::text[], %(start_date)s::date[], %(end_date)s::date[],
    %(assessment_result)s::text[], %(institution_name)s::text[], %(kind)s::text[],
    %(approved_plan)s::boolean[]
) AS t(
    person_id, year, category, series_id, hours, original_amount, original_unit, title,
    form, start_date, end_date, assessment_result, institution_name, kind, approved_plan)
"""
_AUDIT_SQL = """
INSERT INTO accounts_auditentry
    (actor_id, at, action, target_type, target_id, organisation_id, from_state, to_state, reason)
SELECT %(user)s, %(now)s, 'record.import', %(target_type)s, id::text, %(employer)s, '',
    'submitted', ''
FROM credits_record WHERE import_job_id = %(job)s
"""
_NOTICE_SQL = """
INSERT INTO accounts_notice (recipient_id, kind, params, link, created_at, read_at)
SELECT p.user_id, %(notice_kind)s, jsonb_build_object('title', r.title, 'by', %(by)s::text),
    %(prefix)s || r.id::text || %(suffix)s, %(now)s, NULL
FROM credits_record r JOIN accounts_person p ON p.id = r.person_id
WHERE r.import_job_id = %(job)s
"""


def _insert_postgresql(job: ImportJob, declared: list[tuple[int, Declared]], now: datetime) -> int:
    columns: dict[str, list[Any]] = defaultdict(list)
    for person_id, item in declared:
        columns["person_id"].append(person_id)
        columns["series_id"].append(item.series.pk if item.series is not None else None)
        for name in _DECLARED_COLUMNS:
            columns[name].append(getattr(item, name))
    prefix, suffix = record_link_parts()
    params: dict[str, Any] = {
        **columns,
        "employer": job.employer_id,
        "user": job.requested_by_id,
        "job": job.pk,
        "now": now,
        "target_type": RECORD_TARGET_TYPE,
        "notice_kind": Notice.Kind.RECORD_ENTERED.value,
        "by": job.employer.name,
        "prefix": prefix,
        "suffix": suffix,
    }
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL, params)
        created = cursor.rowcount
        cursor.execute(_AUDIT_SQL, params)
        cursor.execute(_NOTICE_SQL, params)
    return created


_DECLARED_COLUMNS = (
    "year",
    "category",
    "hours",
    "original_amount",
    "original_unit",
    "title",
    "form",
    "start_date",
    "end_date",
    "assessment_result",
    "institution_name",
    "kind",
    "approved_plan",
)


def _insert_portable(job: ImportJob, declared: list[tuple[int, Declared]], now: datetime) -> int:
    """The same rows through the ORM (SQLite for ``make run``)."""
    fields = [f.name for f in dataclasses.fields(Declared)]
    records = Record.objects.bulk_create(
        (
            Record(
                person_id=person_id,
                source=Record.Source.EMPLOYER,
                status=Record.Status.SUBMITTED,
                employer_id=job.employer_id,
                entered_by_id=job.requested_by_id,
                entered_by_organisation_id=job.employer_id,
                import_job=job,
                **{name: getattr(item, name) for name in fields},
            )
            for person_id, item in declared
        ),
        batch_size=BATCH,
    )
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                actor_id=job.requested_by_id,
                action="record.import",
                target_type=RECORD_TARGET_TYPE,
                target_id=str(record.pk),
                organisation_id=job.employer_id,
                to_state=Record.Status.SUBMITTED,
            )
            for record in records
        ),
        batch_size=BATCH * 2,
    )
    users = dict(
        Person.objects.filter(pk__in={r.person_id for r in records}).values_list("pk", "user_id")
    )
    prefix, suffix = record_link_parts()
    _notices_send(
        Notice(
            recipient_id=users[record.person_id],
            kind=Notice.Kind.RECORD_ENTERED,
            params={"title": record.title, "by": job.employer.name},
            link=f"{prefix}{record.pk}{suffix}",
            created_at=now,
        )
        for record in records
    )
    return len(records)
