"""Records a sync partner (a platform certifying CE hours: education, health, accounting, a
knowledge-update project) pushes in: create, update, withdraw, in bulk.

* Every declaration rule of ``credits.services.records`` applies (``declaration_validate``
  with ``source = sync_partner``): series held, windows and deadlines, amounts converted as
  the calculator does (hours, days, minutes, accounting activity and quantity), dates, the
  24-hours-a-day bound, duplicates of the person's open records.
* The partner's scope (series and categories HRSS lets it push) is checked on the record as
  declared (an accounting activity's series and category follow the activity); a record
  naming no series needs a person holding one of the scope's series.
* A pushed record is certified by the partner (its certification route): it is ``approved``
  at once, no employer review; ``source`` is ``sync_partner`` and ``external_source`` /
  ``external_id`` name the sender and its id (unique together where set).
* The same external id again updates the record, or is ``unchanged`` when nothing differs;
  ``withdrawn`` sets the status ``withdrawn`` (it no longer counts; pushing it again
  restores it). A record HRSS revoked after a recheck stays revoked: the same content is
  ``unchanged``, a different one is rejected.
* Each push stands alone: the look-ups are batched (a fixed number of queries per call,
  whatever the number of records), every record is checked first, then the good ones are
  written in one savepoint; if that write loses a race (a constraint), each record is
  written again in its own savepoint, so one bad record never rejects or half-saves another.
* The person-years touched are recomputed after commit (``summaries_refresh_later``); the
  certificates app follows through ``year_summary_changed``.
* One audit entry per written record (actor: none; the reason names the partner).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.api import AuditEntry, Person, ProfessionalSeries, normalise_id_number
from credits.models import Record
from credits.rules import RuleBook
from credits.selectors.records import rulebook_load
from credits.services.records import Declared, RecordDraft, declaration_validate, duplicate_key
from credits.services.reviews import RECORD_TARGET_TYPE
from credits.services.validation import summaries_refresh_later

ACCEPTED, UPDATED, UNCHANGED, WITHDRAWN, REJECTED = (
    "accepted",
    "updated",
    "unchanged",
    "withdrawn",
    "rejected",
)
OUTCOMES = (ACCEPTED, UPDATED, UNCHANGED, WITHDRAWN, REJECTED)

# Fields a push sets; "unchanged" compares them (and the person and status).
_FIELDS = (
    "year",
    "category",
    "series",
    "hours",
    "original_amount",
    "original_unit",
    "activity_code",
    "general_knowledge",
    "title",
    "form",
    "start_date",
    "end_date",
    "assessment_result",
    "institution_name",
    "kind",
    "approved_plan",
)
_UPDATE_FIELDS = [
    *_FIELDS,
    "person",
    "status",
    "decided_at",
    "decided_by",
    "reviewer_reason",
    "employer",
    "updated_at",
]

DupKey = tuple[str, int, date, date]


@dataclass(frozen=True)
class PartnerPush:
    """One record as a partner pushed it (already type-checked by the partners app).

    ``draft`` is ``None`` for a withdrawal (``withdrawn``), which needs only the id."""

    external_id: str
    id_number: str = ""
    draft: RecordDraft | None = None
    withdrawn: bool = False


@dataclass(frozen=True)
class PartnerReceipt:
    """What became of one push: ``outcome`` (one of ``OUTCOMES``), the record's id, and
    ``errors`` (field → messages) when rejected."""

    outcome: str
    record_id: int | None = None
    errors: Mapping[str, list[str]] = field(default_factory=dict)


@dataclass
class _Context:
    book: RuleBook
    persons: dict[str, int]  # normalised id number → person id
    held: dict[int, dict[str, ProfessionalSeries]]  # person id → series code → series
    open_keys: dict[int, set[DupKey]]  # person id → duplicate keys of open records
    existing: dict[str, Record]  # external id → the sender's record (locked)


# The look-ups by many keys, one array parameter each (a Django ``__in`` prepares every value
# of a 1,000-item list in Python).
_PERSONS_SQL = "SELECT id_number, id FROM accounts_person WHERE id_number = ANY(%s)"
_HELD_SQL = (
    "SELECT person_id, professionalseries_id FROM accounts_person_series WHERE person_id = ANY(%s)"
)
_OPEN_SQL = (
    "SELECT person_id, title, year, start_date, end_date FROM credits_record "
    "WHERE person_id = ANY(%s) AND NOT status = ANY(%s)"
)


def _rows(sql: str, params: list[Any], portable: Any) -> list[tuple[Any, ...]]:
    """``sql`` with its array parameters on PostgreSQL, else the ``portable`` query's rows
    (SQLite for ``make run`` has no arrays)."""
    if connection.vendor != "postgresql":
        return [tuple(row) for row in portable]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _context(source: str, pushes: Sequence[PartnerPush]) -> _Context:
    """Five queries whatever the number of pushes (the rule book is cached)."""
    numbers = sorted({normalise_id_number(p.id_number) for p in pushes if p.id_number})
    persons: dict[str, int] = {}
    if numbers:
        portable = Person.objects.filter(id_number__in=numbers).values_list("id_number", "pk")
        persons = dict(_rows(_PERSONS_SQL, [numbers], portable))
    existing = {
        record.external_id: record
        for record in Record.objects.select_for_update(of=("self",))
        .select_related("series")
        .filter(external_source=source, external_id__in={p.external_id for p in pushes})
        .order_by("pk")
    }
    person_ids = sorted(set(persons.values()) | {r.person_id for r in existing.values()})
    held: dict[int, dict[str, ProfessionalSeries]] = defaultdict(dict)
    open_keys: dict[int, set[DupKey]] = defaultdict(set)
    if person_ids:
        by_pk = {s.pk: s for s in ProfessionalSeries.objects.all()}
        through = Person.series.through.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "professionalseries_id"
        )
        for person_id, series_id in _rows(_HELD_SQL, [person_ids], through):
            series = by_pk[series_id]
            held[person_id][series.code] = series
        closed = list(Record.CLOSED_STATUSES)
        records = (
            Record.objects.filter(person_id__in=person_ids)
            .exclude(status__in=closed)
            .values_list("person_id", "title", "year", "start_date", "end_date")
        )
        for person_id, title, year, start, end in _rows(_OPEN_SQL, [person_ids, closed], records):
            open_keys[person_id].add((title, year, start, end))
    return _Context(rulebook_load(), persons, held, open_keys, existing)


def _record_key(record: Record) -> DupKey:
    return (record.title, record.year, record.start_date, record.end_date)


def _same(record: Record, person_id: int, declared: Declared) -> bool:
    return record.person_id == person_id and all(
        getattr(record, name) == getattr(declared, name) for name in _FIELDS
    )


def _scope_errors(
    declared: Declared,
    held: Mapping[str, ProfessionalSeries],
    series_scope: Collection[str],
    category_scope: Collection[str],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if declared.category not in category_scope:
        errors["category"] = [
            _("Your platform may not push %(category)s records.")
            % {"category": Record.Category(declared.category).label}
        ]
    if declared.series is not None:
        if declared.series.code not in series_scope:
            errors["series"] = [
                _("Your platform may not push records of the series “%(code)s”.")
                % {"code": declared.series.code}
            ]
    elif not set(held) & set(series_scope):
        errors["series"] = [
            _("The person holds none of the series your platform may push records for.")
        ]
    return errors


@dataclass
class _Plan:
    """What to write, decided before anything is written."""

    receipts: list[PartnerReceipt | None]
    # (push index, external id, person id, declaration): inserted at once (``_insert``).
    creates: list[tuple[int, str, int, Declared]] = field(default_factory=list)
    updates: list[tuple[int, Record, str]] = field(default_factory=list)  # + outcome
    pairs: set[tuple[int, int]] = field(default_factory=set)  # (person id, year) touched


def _rejected(errors: Mapping[str, list[str]], record_id: int | None = None) -> PartnerReceipt:
    return PartnerReceipt(REJECTED, record_id, {k: list(v) for k, v in errors.items()})


def _plan(
    pushes: Sequence[PartnerPush],
    context: _Context,
    *,
    series_scope: Collection[str],
    category_scope: Collection[str],
    today: date,
) -> _Plan:
    plan = _Plan(receipts=[None] * len(pushes))
    now = timezone.now()
    firsts = _first_uses(pushes)
    people: dict[int, Person] = {}  # one instance per person (declaration_validate reads its pk)
    for index, push in enumerate(pushes):
        if firsts[push.external_id] != index:
            plan.receipts[index] = _used_before(firsts[push.external_id])
            continue
        record = context.existing.get(push.external_id)
        if push.withdrawn:
            _plan_withdrawal(plan, index, record, context)
            continue
        person_id = context.persons.get(normalise_id_number(push.id_number))
        if person_id is None:
            plan.receipts[index] = _rejected(
                {"id_number": [_("No professional with this ID number is registered.")]}
            )
            continue
        if push.draft is None:
            plan.receipts[index] = _rejected({"records": [_("The record has no content.")]})
            continue
        keys = context.open_keys[person_id]
        own_key = None
        if record is not None and record.person_id == person_id:
            own_key = _record_key(record)
            if record.status in Record.CLOSED_STATUSES or own_key not in keys:
                own_key = None
            else:
                keys.discard(own_key)  # an update is no duplicate of itself
        held = context.held.get(person_id, {})
        try:
            declared = declaration_validate(
                person=people.get(person_id) or people.setdefault(person_id, Person(pk=person_id)),
                draft=push.draft,
                today=today,
                source=Record.Source.SYNC_PARTNER,
                book=context.book,
                held_series=held,
                open_keys=keys,
            )
        except ValidationError as exc:
            if own_key is not None:
                keys.add(own_key)
            plan.receipts[index] = _rejected(
                exc.message_dict if hasattr(exc, "error_dict") else {"records": exc.messages},
                record.pk if record is not None else None,
            )
            continue
        scope = _scope_errors(declared, held, series_scope, category_scope)
        if scope:
            if own_key is not None:
                keys.add(own_key)
            plan.receipts[index] = _rejected(scope, record.pk if record is not None else None)
            continue
        keys.add(duplicate_key(declared))
        if record is None:
            plan.creates.append((index, push.external_id, person_id, declared))
            plan.pairs.add((person_id, declared.year))
            continue
        same = _same(record, person_id, declared)
        if record.status == Record.Status.REVOKED:
            # HRSS's recheck decided: the sender cannot change or restore the record.
            if same:
                plan.receipts[index] = PartnerReceipt(UNCHANGED, record.pk)
            else:
                keys.discard(duplicate_key(declared))
                plan.receipts[index] = _rejected(
                    {
                        "external_id": [
                            _("HRSS revoked this record after a recheck; it cannot be changed.")
                        ]
                    },
                    record.pk,
                )
            continue
        if same and record.status == Record.Status.APPROVED:
            plan.receipts[index] = PartnerReceipt(UNCHANGED, record.pk)
            continue
        plan.pairs.add((record.person_id, record.year))
        record.person_id = person_id
        _apply(record, declared)
        record.status = Record.Status.APPROVED
        record.decided_at, record.decided_by, record.employer = now, None, None
        record.reviewer_reason = ""
        plan.updates.append((index, record, UPDATED))
        plan.pairs.add((person_id, declared.year))
    return plan


def _first_uses(pushes: Sequence[PartnerPush]) -> dict[str, int]:
    """External id → index of its first push."""
    firsts: dict[str, int] = {}
    for index, push in enumerate(pushes):
        firsts.setdefault(push.external_id, index)
    return firsts


def _used_before(first: int) -> PartnerReceipt:
    return _rejected(
        {
            "external_id": [
                _("This external_id is already used by record %(index)d of this push.")
                % {"index": first}
            ]
        }
    )


def _plan_withdrawal(plan: _Plan, index: int, record: Record | None, context: _Context) -> None:
    if record is None:
        plan.receipts[index] = _rejected(
            {"external_id": [_("Nothing was pushed with this external_id: nothing to withdraw.")]}
        )
        return
    if record.status in Record.CLOSED_STATUSES:
        # Withdrawn already, or revoked by HRSS: it counts nothing either way.
        plan.receipts[index] = PartnerReceipt(UNCHANGED, record.pk)
        return
    context.open_keys[record.person_id].discard(_record_key(record))
    record.status = Record.Status.WITHDRAWN
    plan.updates.append((index, record, WITHDRAWN))
    plan.pairs.add((record.person_id, record.year))


def _apply(record: Record, declared: Declared) -> None:
    for name in _FIELDS:
        setattr(record, name, getattr(declared, name))


# The declared fields a partner record carries, and their SQL types (both statements below).
_RECORD_COLUMNS = (
    ("person_id", "bigint"),
    ("year", "int"),
    ("category", "text"),
    ("series_id", "bigint"),
    ("hours", "numeric"),
    ("original_amount", "numeric"),
    ("original_unit", "text"),
    ("activity_code", "text"),
    ("general_knowledge", "boolean"),
    ("title", "text"),
    ("form", "text"),
    ("start_date", "date"),
    ("end_date", "date"),
    ("assessment_result", "text"),
    ("institution_name", "text"),
    ("kind", "text"),
    ("approved_plan", "boolean"),
)

# One set-based UPDATE on PostgreSQL (``bulk_update``'s CASE per field and row takes seconds
# for a few hundred rows): column, array type.
_UPDATE_COLUMNS = (
    *_RECORD_COLUMNS,
    ("status", "text"),
    ("decided_at", "timestamptz"),
    ("decided_by_id", "bigint"),
    ("reviewer_reason", "text"),
    ("employer_id", "bigint"),
    ("updated_at", "timestamptz"),
)
# Built from the constant column list above only (no input reaches the SQL text).
_UPDATE_SQL = (  # noqa: S608
    "UPDATE credits_record AS r SET {sets} FROM unnest({arrays}) AS t(id, {names}) "
    "WHERE r.id = t.id"
).format(
    sets=", ".join(f"{name} = t.{name}" for name, _type in _UPDATE_COLUMNS),
    arrays=", ".join(
        ["%(id)s::bigint[]", *(f"%({name})s::{kind}[]" for name, kind in _UPDATE_COLUMNS)]
    ),
    names=", ".join(name for name, _type in _UPDATE_COLUMNS),
)


def _update(records: list[Record]) -> None:
    if connection.vendor != "postgresql":
        Record.objects.bulk_update(records, _UPDATE_FIELDS, batch_size=500)
        return
    params: dict[str, list[Any]] = {"id": [record.pk for record in records]}
    for name, _type in _UPDATE_COLUMNS:
        params[name] = [getattr(record, name) for record in records]
    with connection.cursor() as cursor:
        cursor.execute(_UPDATE_SQL, params)


# A new record's declared fields and their SQL types: the rows go to PostgreSQL as one JSON
# document read by ``jsonb_to_recordset`` (``bulk_create`` prepares every value of every row
# in Python, half a second per 1,000 rows; arrays of literals cost the server as much to
# parse).
_INSERT_COLUMNS = (
    ("n", "int"),  # the row's place in the plan
    *_RECORD_COLUMNS,
    ("external_id", "text"),
)
_DECLARED_COLUMNS = [name for name, _type in _INSERT_COLUMNS[1:]]
# Built from the constant column list above only (no input reaches the SQL text).  Records
# are inserted in plan order (ids and change marks follow it, as bulk_create did; the change
# marks come from the trigger, credits.change_marks), and one audit entry per record in the
# same statement (credits.services.reviews writes its entries in SQL too).
_INSERT_SQL = (  # noqa: S608
    "WITH created AS ("
    "INSERT INTO credits_record ({names}, source, status, decided_at, reviewer_reason, "
    "external_source, created_at, updated_at) "
    "SELECT {values}, %(source_kind)s, %(status)s, %(now)s, '', %(source)s, %(now)s, %(now)s "
    "FROM jsonb_to_recordset(%(rows)s::jsonb) AS t({types}) ORDER BY t.n "
    "RETURNING id, external_id, status"
    "), audited AS ("
    "INSERT INTO accounts_auditentry (actor_id, at, action, target_type, target_id, "
    "organisation_id, from_state, to_state, reason, path) "
    "SELECT NULL, %(now)s, %(action)s, %(target_type)s, id::text, NULL, '', status, "
    "%(reason)s, '' FROM created ORDER BY id"
    ") SELECT id, external_id FROM created"
).format(
    names=", ".join(_DECLARED_COLUMNS),
    values=", ".join(f"t.{name}" for name in _DECLARED_COLUMNS),
    types=", ".join(f"{name} {kind}" for name, kind in _INSERT_COLUMNS),
)
# One audit entry per updated or withdrawn record, in the order given.
_AUDIT_SQL = """
INSERT INTO accounts_auditentry
    (actor_id, at, action, target_type, target_id, organisation_id, from_state, to_state,
     reason, path)
SELECT NULL, %(now)s, t.action, %(target_type)s, t.id::text, NULL, '', t.to_state,
       %(reason)s, ''
FROM unnest(%(ids)s::bigint[], %(actions)s::text[], %(states)s::text[])
     WITH ORDINALITY AS t(id, action, to_state, n)
ORDER BY t.n
"""
_CREATE_ACTION = "record.sync_create"


def _insert(plan: _Plan, *, source: str, sender: str, now: datetime) -> list[int]:
    """Insert the plan's new records and their audit entries (one statement on PostgreSQL);
    the records' ids, in plan order."""
    if not plan.creates:
        return []
    if connection.vendor != "postgresql":
        records = []
        for _index, external_id, person_id, declared in plan.creates:
            record = Record(
                person_id=person_id,
                source=Record.Source.SYNC_PARTNER,
                external_source=source,
                external_id=external_id,
                status=Record.Status.APPROVED,
                decided_at=now,
            )
            _apply(record, declared)
            records.append(record)
        ids = [record.pk for record in Record.objects.bulk_create(records, batch_size=1000)]
        _audit([(pk, _CREATE_ACTION, Record.Status.APPROVED.value) for pk in ids], sender, now)
        return ids
    rows = [
        {
            "n": n,
            "person_id": person_id,
            "year": declared.year,
            "category": declared.category,
            "series_id": declared.series.pk if declared.series is not None else None,
            "hours": str(declared.hours),
            "original_amount": str(declared.original_amount),
            "original_unit": declared.original_unit,
            "activity_code": declared.activity_code,
            "general_knowledge": declared.general_knowledge,
            "title": declared.title,
            "form": declared.form,
            "start_date": declared.start_date.isoformat(),
            "end_date": declared.end_date.isoformat(),
            "assessment_result": declared.assessment_result,
            "institution_name": declared.institution_name,
            "kind": declared.kind,
            "approved_plan": declared.approved_plan,
            "external_id": external_id,
        }
        for n, (_index, external_id, person_id, declared) in enumerate(plan.creates)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_SQL,
            {
                "rows": json.dumps(rows, ensure_ascii=False),
                "source_kind": Record.Source.SYNC_PARTNER,
                "status": Record.Status.APPROVED,
                "now": now,
                "source": source,
                "action": _CREATE_ACTION,
                "target_type": RECORD_TARGET_TYPE,
                "reason": sender,
            },
        )
        created = {external_id: pk for pk, external_id in cursor.fetchall()}
    return [created[external_id] for _index, external_id, _person, _declared in plan.creates]


def _audit(entries: list[tuple[int, str, str]], sender: str, now: datetime) -> None:
    """One audit entry per (record id, action, state to), in order."""
    if connection.vendor != "postgresql":
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    action=action,
                    target_type=RECORD_TARGET_TYPE,
                    target_id=str(pk),
                    to_state=state,
                    reason=sender,
                )
                for pk, action, state in entries
            ],
            batch_size=2000,
        )
        return
    with connection.cursor() as cursor:
        cursor.execute(
            _AUDIT_SQL,
            {
                "now": now,
                "target_type": RECORD_TARGET_TYPE,
                "reason": sender,
                "ids": [pk for pk, _action, _state in entries],
                "actions": [action for _pk, action, _state in entries],
                "states": [state for _pk, _action, state in entries],
            },
        )


def _write(plan: _Plan, *, source: str, sender: str) -> None:
    """Insert and update the plan's records and their audit entries (caller's savepoint)."""
    now = timezone.now()
    created = _insert(plan, source=source, sender=sender, now=now)
    for record in (r for _i, r, _o in plan.updates):
        record.updated_at = now
    if plan.updates:
        _update([record for _index, record, _outcome in plan.updates])
        _audit(
            [
                (
                    record.pk,
                    "record.sync_withdraw" if outcome == WITHDRAWN else "record.sync_update",
                    record.status,
                )
                for _index, record, outcome in plan.updates
            ],
            sender,
            now,
        )
    for (index, *_rest), pk in zip(plan.creates, created, strict=True):
        plan.receipts[index] = PartnerReceipt(ACCEPTED, pk)
    for index, record, outcome in plan.updates:
        plan.receipts[index] = PartnerReceipt(outcome, record.pk)


def _push(
    pushes: Sequence[PartnerPush],
    *,
    source: str,
    sender: str,
    series_scope: Collection[str],
    category_scope: Collection[str],
    today: date,
) -> _Plan:
    context = _context(source, pushes)
    plan = _plan(
        pushes,
        context,
        series_scope=series_scope,
        category_scope=category_scope,
        today=today,
    )
    _write(plan, source=source, sender=sender)
    return plan


def _lost_race(exc: IntegrityError) -> dict[str, list[str]]:
    text = str(exc)
    if "credits_record_no_duplicate" in text:
        return {"title": [_("The person already has a record with this content and these dates.")]}
    if "credits_record_external_unique" in text:
        return {"external_id": [_("This external_id was pushed at the same time; push it again.")]}
    return {"records": [_("The record could not be saved: %(error)s") % {"error": text[:200]}]}


@transaction.atomic
def partner_records_push(
    *,
    source: str,
    sender: str,
    pushes: Sequence[PartnerPush],
    series_scope: Collection[str],
    category_scope: Collection[str],
    today: date | None = None,
) -> list[PartnerReceipt]:
    """Create, update or withdraw the records a partner pushed; one receipt per push, in
    order.  ``source`` is the partner's ``external_source`` (e.g. ``partner:7``), ``sender``
    its name (audit entries), ``series_scope`` / ``category_scope`` what it may push.

    A fixed number of queries whatever the number of pushes (callers chunk big pushes: the
    records of one call are locked until its transaction ends).  An external id used twice
    in ``pushes`` is rejected after its first use.

    Caller checks: the partner is active and authenticated by its key."""
    today = today if today is not None else timezone.localdate()
    options = {
        "source": source,
        "sender": sender,
        "series_scope": frozenset(series_scope),
        "category_scope": frozenset(category_scope),
        "today": today,
    }
    try:
        with transaction.atomic():
            plan = _push(pushes, **options)  # type: ignore[arg-type]
    except IntegrityError:
        # Lost a race with a concurrent push or declaration: each record on its own.
        receipts: list[PartnerReceipt] = []
        pairs: set[tuple[int, int]] = set()
        firsts = _first_uses(pushes)
        for index, push in enumerate(pushes):
            if firsts[push.external_id] != index:
                receipts.append(_used_before(firsts[push.external_id]))
                continue
            try:
                with transaction.atomic():
                    one = _push([push], **options)  # type: ignore[arg-type]
            except IntegrityError as exc:
                receipts.append(_rejected(_lost_race(exc)))
                continue
            receipt = one.receipts[0]
            assert receipt is not None
            receipts.append(receipt)
            pairs |= one.pairs
        summaries_refresh_later(pairs)
        return receipts
    summaries_refresh_later(plan.pairs)
    done = [receipt for receipt in plan.receipts if receipt is not None]
    assert len(done) == len(pushes)
    return done
