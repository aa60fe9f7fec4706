"""Reading a push's body: the envelope and each record's JSON types (a malformed request is
refused whole, 400), then each record's content (a record missing a field or with
inconsistent amounts is rejected alone, in its receipt).

What JSON Schema can say about a record (types, enumerations, lengths, the date format, no
unknown field) is checked here for the whole request, so a request that matches the published
schema is never refused whole; everything else (the person, the series held, windows,
amounts) is a per-record rejection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.api import validate_visible_text
from credits.api import (
    PartnerPush,
    RecordAssessment,
    RecordCategory,
    RecordDraft,
    RecordForm,
    RecordKind,
)

EXTERNAL_ID = re.compile(r"[!-~]{1,100}")  # printable ASCII, no spaces
CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # never stored (PostgreSQL refuses NUL in text)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
AMOUNTS = ("hours", "days", "minutes")
LARGEST_AMOUNT = Decimal(100_000)


class PayloadError(Exception):
    """The request body is malformed: ``errors`` maps a JSON path (``records[3].year``) to
    messages; ``status`` is 400, or 413 for too many records."""

    def __init__(self, errors: Mapping[str, list[str]], *, status: int = 400) -> None:
        super().__init__(errors)
        self.errors = dict(errors)
        self.status = status


@dataclass(frozen=True)
class Field:
    kind: str  # "string", "integer", "number", "boolean", "date", "string-or-null"
    max_length: int = 0
    choices: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None


RECORD_FIELDS: dict[str, Field] = {
    "external_id": Field("string", 100, pattern=EXTERNAL_ID),
    "id_number": Field("string", 18),
    "year": Field("integer"),
    "category": Field("string", choices=tuple(RecordCategory.values)),
    "series": Field("string-or-null", 40),
    "hours": Field("number"),
    "days": Field("number"),
    "minutes": Field("number"),
    "activity": Field("string", 40),
    "quantity": Field("number"),
    "title": Field("string", 200),
    "start_date": Field("date"),
    "end_date": Field("date"),
    "kind": Field("string", choices=tuple(RecordKind.values)),
    "form": Field("string", choices=tuple(RecordForm.values)),
    "assessment_result": Field("string", choices=tuple(RecordAssessment.values)),
    "institution_name": Field("string", 120),
    "general_knowledge": Field("boolean"),
    "approved_plan": Field("boolean"),
    "withdrawn": Field("boolean"),
}
REQUIRED = ("external_id",)


def body_parse(raw: bytes) -> Any:
    """The JSON document of ``raw`` (numbers with a fraction as ``Decimal``), or
    ``PayloadError``: not UTF-8, not JSON, nested too deep."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadError({"body": [_("The body is not UTF-8 text.")]}) from None
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
    except RecursionError:
        raise PayloadError({"body": [_("The JSON is nested too deeply.")]}) from None
    except ValueError as exc:  # JSONDecodeError, and NaN / Infinity
        message = _("The body is not valid JSON: %(error)s") % {"error": exc}
        raise PayloadError({"body": [message]}) from None


def _no_constant(name: str) -> Any:
    raise ValueError(_("%(name)s is not a number JSON allows.") % {"name": name})


def _type_error(spec: Field, value: Any) -> str | None:
    """The message for a value of the wrong JSON type or outside its enumeration."""
    if spec.kind == "string-or-null" and value is None:
        return None
    if spec.kind in ("string", "string-or-null", "date"):
        if not isinstance(value, str):
            return _("Must be a string.")
        if CONTROL.search(value):
            return _("Control characters are not allowed.")
        if spec.kind == "date":
            if not DATE.fullmatch(value):
                return _("Write the date as YYYY-MM-DD.")
            try:
                date.fromisoformat(value)
            except ValueError:
                return _("This date does not exist.")
            return None
        if spec.choices and value not in spec.choices:
            return _("Must be one of: %(choices)s.") % {
                "choices": ", ".join(repr(c) for c in spec.choices)
            }
        if spec.max_length and len(value) > spec.max_length:
            return _("At most %(count)d characters.") % {"count": spec.max_length}
        if spec.pattern is not None and not spec.pattern.fullmatch(value):
            return _("Use 1 to 100 printable ASCII characters without spaces.")
        return None
    if spec.kind == "boolean":
        return None if isinstance(value, bool) else _("Must be true or false.")
    if isinstance(value, bool):
        return _("Must be a number.") if spec.kind == "number" else _("Must be an integer.")
    if spec.kind == "integer":
        integral = isinstance(value, Decimal) and value.is_finite() and value == value.to_integral()
        return None if isinstance(value, int) or integral else _("Must be an integer.")
    return None if isinstance(value, int | Decimal) else _("Must be a number.")


def records_read(document: Any, *, max_records: int) -> list[dict[str, Any]]:
    """The records of a push body, every one of the right shape; else ``PayloadError``
    (413 above ``max_records``)."""
    if not isinstance(document, dict):
        raise PayloadError({"body": [_('Send an object: {"records": [...]}.')]})
    unknown = sorted(set(document) - {"records"})
    errors: dict[str, list[str]] = {k: [_("Unknown field.")] for k in unknown}
    records = document.get("records")
    if not isinstance(records, list):
        errors["records"] = [_("Send the records as a list.")]
        raise PayloadError(errors)
    if len(records) > max_records:
        raise PayloadError(
            {
                "records": [
                    _("At most %(max)d records per request; this one has %(count)d.")
                    % {"max": max_records, "count": len(records)}
                ]
            },
            status=413,
        )
    if not records:
        errors["records"] = [_("Send at least one record.")]
    for index, record in enumerate(records):
        where = f"records[{index}]"
        if not isinstance(record, dict):
            errors[where] = [_("Each record is an object.")]
            continue
        for name in REQUIRED:
            if name not in record:
                errors[f"{where}.{name}"] = [_("This field is required.")]
        for name, value in record.items():
            spec = RECORD_FIELDS.get(name)
            if spec is None:
                errors[f"{where}.{name}"] = [_("Unknown field.")]
                continue
            message = _type_error(spec, value)
            if message is not None:
                errors[f"{where}.{name}"] = [message]
        if len(errors) >= 100:
            errors["records"] = [_("More errors follow; correct these first.")]
            break
    if errors:
        raise PayloadError(errors)
    return records


def _decimal(value: int | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(value)


def push_of(record: Mapping[str, Any], *, institution: str) -> PartnerPush | dict[str, list[str]]:
    """The push one well-formed record asks for, or its errors (missing fields, amounts)."""
    external_id = record["external_id"]
    if record.get("withdrawn"):
        return PartnerPush(external_id=external_id, withdrawn=True)
    errors: dict[str, list[str]] = {}
    for name in ("id_number", "year", "title", "start_date", "end_date"):
        if record.get(name) in (None, ""):
            errors[name] = [_("This field is required.")]
    given = [name for name in (*AMOUNTS, "activity") if record.get(name) is not None]
    activity = record.get("activity")
    if len(given) != 1:
        errors["amount"] = [
            _("Give exactly one amount: hours, days, minutes, or an activity with its quantity.")
        ]
    elif activity is not None and record.get("quantity") is None:
        errors["quantity"] = [_("An activity needs its quantity.")]
    elif activity is None and record.get("quantity") is not None:
        errors["quantity"] = [_("A quantity goes with an activity.")]
    elif activity is None and not record.get("category"):
        errors["category"] = [_("This field is required.")]
    amount = Decimal(0)
    if not errors:
        name = given[0] if activity is None else "quantity"
        try:
            amount = _decimal(record[name])
            if not amount.is_finite() or abs(amount) > LARGEST_AMOUNT:
                raise InvalidOperation
        except InvalidOperation:
            errors[name] = [_("This amount is too large.")]
    for name in ("title", "institution_name"):
        try:
            validate_visible_text(record.get(name) or "")
        except ValidationError as exc:
            errors[name] = list(exc.messages)
    if errors:
        return errors
    return PartnerPush(
        external_id=external_id,
        id_number=record["id_number"],
        draft=RecordDraft(
            year=int(record["year"]),
            category=record.get("category") or "",
            series_code=record.get("series") or None,
            amount=amount,
            unit="activity" if activity is not None else given[0],
            title=record["title"],
            form=record.get("form") or RecordForm.OTHER,
            start_date=date.fromisoformat(record["start_date"]),
            end_date=date.fromisoformat(record["end_date"]),
            assessment_result=record.get("assessment_result") or RecordAssessment.NONE,
            institution_name=record.get("institution_name") or institution,
            kind=record.get("kind") or "",
            approved_plan=record.get("approved_plan"),
            activity_code=activity or "",
            general_knowledge=bool(record.get("general_knowledge")),
        ),
    )


def first_uses(external_ids: Iterable[str]) -> dict[str, int]:
    """External id → index of the record that uses it first (``external_ids`` in push
    order)."""
    firsts: dict[str, int] = {}
    for index, external_id in enumerate(external_ids):
        firsts.setdefault(external_id, index)
    return firsts
