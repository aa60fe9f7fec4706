"""Importing the old city system's certificates and records (before 2019) from CSV.

Two file shapes, told apart by their header (``fixtures/history-*.csv`` are samples):

* certificates: ``certificate_number,id_number,name,year,employer,public_hours,
  professional_hours,elective_hours,issued_on``
* records: ``record_id,id_number,name,year,category,title,hours,start_date,end_date,
  institution,employer``

Every row is checked first; any bad row fails the whole file with every problem listed by
line number, and nothing is saved.  Rows are keyed by the old system's identifiers, so a
file imported twice adds nothing the second time; a key already imported with different
contents is a problem too (the old data is closed; it is never silently overwritten).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from accounts.api import User, audit_log
from certificates.models import HistoricCertificate, HistoricRecord
from certificates.models_history import LAST_HISTORIC_YEAR

ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
FIRST_YEAR = 1990
CERTIFICATE_COLUMNS = (
    "certificate_number",
    "id_number",
    "name",
    "year",
    "employer",
    "public_hours",
    "professional_hours",
    "elective_hours",
    "issued_on",
)
RECORD_COLUMNS = (
    "record_id",
    "id_number",
    "name",
    "year",
    "category",
    "title",
    "hours",
    "start_date",
    "end_date",
    "institution",
    "employer",
)


@dataclass(frozen=True)
class HistoryImportResult:
    kind: str  # "certificates" or "records"
    rows: int
    created: int
    unchanged: int


class RowError(ValueError):
    pass


def _text(row: dict[str, str], column: str, *, required: bool = True, limit: int = 200) -> str:
    value = (row.get(column) or "").strip()
    if required and not value:
        raise RowError(_("%(column)s is empty") % {"column": column})
    if len(value) > limit:
        raise RowError(
            _("%(column)s is longer than %(limit)s characters") % {"column": column, "limit": limit}
        )
    return value


def _id_number(row: dict[str, str]) -> str:
    value = _text(row, "id_number").upper()
    if not ID_NUMBER.match(value):
        raise RowError(_("id_number is not an 18-character ID number"))
    return value


def _year(row: dict[str, str]) -> int:
    value = _text(row, "year")
    if not value.isdigit() or not FIRST_YEAR <= int(value) <= LAST_HISTORIC_YEAR:
        raise RowError(
            _("year must be between %(first)s and %(last)s (the old system's years)")
            % {"first": FIRST_YEAR, "last": LAST_HISTORIC_YEAR}
        )
    return int(value)


def _hours(row: dict[str, str], column: str) -> Decimal:
    value = _text(row, column)
    try:
        hours = Decimal(value)
    except InvalidOperation:
        raise RowError(_("%(column)s is not a number") % {"column": column}) from None
    if (
        not hours.is_finite()
        or hours < 0
        or hours >= 10000
        or hours != hours.quantize(Decimal("0.1"))
    ):
        raise RowError(
            _("%(column)s must be 0 to 9999.9 with at most one decimal") % {"column": column}
        )
    return hours.quantize(Decimal("0.1"))


def _date(row: dict[str, str], column: str) -> dt.date:
    value = _text(row, column)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RowError(_("%(column)s is not a date (YYYY-MM-DD)") % {"column": column}) from None


def _certificate(row: dict[str, str]) -> dict[str, Any]:
    return {
        "number": _text(row, "certificate_number", limit=40),
        "id_number": _id_number(row),
        "person_name": _text(row, "name", limit=50),
        "year": _year(row),
        "employer_name": _text(row, "employer", required=False, limit=120),
        "public_hours": _hours(row, "public_hours"),
        "professional_hours": _hours(row, "professional_hours"),
        "elective_hours": _hours(row, "elective_hours"),
        "issued_on": _date(row, "issued_on"),
    }


def _record(row: dict[str, str]) -> dict[str, Any]:
    category = _text(row, "category")
    if category not in HistoricRecord.Category.values:
        raise RowError(
            _("category must be one of %(choices)s")
            % {"choices": ", ".join(HistoricRecord.Category.values)}
        )
    values: dict[str, Any] = {
        "legacy_id": _text(row, "record_id", limit=40),
        "id_number": _id_number(row),
        "person_name": _text(row, "name", limit=50),
        "year": _year(row),
        "category": category,
        "title": _text(row, "title"),
        "hours": _hours(row, "hours"),
        "start_date": _date(row, "start_date"),
        "end_date": _date(row, "end_date"),
        "institution_name": _text(row, "institution", required=False, limit=120),
        "employer_name": _text(row, "employer", required=False, limit=120),
    }
    start: dt.date = values["start_date"]
    end: dt.date = values["end_date"]
    if end < start:
        raise RowError(_("end_date is before start_date"))
    return values


@dataclass(frozen=True)
class _Shape:
    kind: str
    columns: tuple[str, ...]
    model: Any  # HistoricCertificate or HistoricRecord
    key: str
    parse: Callable[[dict[str, str]], dict[str, Any]]


SHAPES = (
    _Shape("certificates", CERTIFICATE_COLUMNS, HistoricCertificate, "number", _certificate),
    _Shape("records", RECORD_COLUMNS, HistoricRecord, "legacy_id", _record),
)


def _shape(header: list[str]) -> _Shape:
    names = {name.strip() for name in header}
    for shape in SHAPES:
        if set(shape.columns) <= names:
            return shape
    raise ValidationError(
        _("Line 1: the header is neither a certificates file (%(a)s) nor a records file (%(b)s).")
        % {"a": ",".join(CERTIFICATE_COLUMNS), "b": ",".join(RECORD_COLUMNS)}
    )


def _same(instance: models.Model, values: dict[str, Any]) -> bool:
    return all(getattr(instance, field) == value for field, value in values.items())


@transaction.atomic
def history_import(
    *, text: str, actor: User | None = None, source: str = ""
) -> HistoryImportResult:
    """Check every row of one CSV file, then save the new ones (all or nothing)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    shape = _shape(list(reader.fieldnames or []))
    errors: list[str] = []
    parsed: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        try:
            values = shape.parse(row)
        except RowError as exc:
            errors.append(_("Line %(line)s: %(error)s") % {"line": line, "error": exc})
            continue
        key = values[shape.key]
        if key in seen:
            errors.append(
                _("Line %(line)s: %(key)s appears already on line %(first)s")
                % {"line": line, "key": key, "first": seen[key]}
            )
            continue
        seen[key] = line
        parsed.append(values)
    existing = shape.model.objects.in_bulk(list(seen), field_name=shape.key)
    for values in parsed:
        old = existing.get(values[shape.key])
        if old is not None and not _same(old, values):
            errors.append(
                _("Line %(line)s: %(key)s was imported before with different contents")
                % {"line": seen[values[shape.key]], "key": values[shape.key]}
            )
    if not parsed and not errors:
        errors.append(_("The file has no rows."))
    if errors:
        raise ValidationError(errors)
    new = [shape.model(**values) for values in parsed if values[shape.key] not in existing]
    created = shape.model.objects.bulk_create(new, batch_size=1000)
    if created:
        audit_log(
            actor=actor,
            action="certificate_history.import",
            target=created[0],
            reason=_("%(count)s %(kind)s imported from %(source)s")
            % {"count": len(created), "kind": shape.kind, "source": source or "CSV"},
        )
    return HistoryImportResult(
        kind=shape.kind,
        rows=len(parsed),
        created=len(created),
        unchanged=len(parsed) - len(created),
    )
