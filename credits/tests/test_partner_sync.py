"""Records a sync partner pushes (credits.api.partner_records_push): every declaration rule,
the partner's scope, updates / unchanged / withdrawals by external id, per-record isolation,
batched look-ups, audit entries and the person-year refresh after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import AuditEntry, Person
from credits import api
from credits.models import Record
from credits.services import partner_sync
from tests.factories import person_create

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2024, 4, 1, 10, tzinfo=SHANGHAI)
WORLD_TIME = NOW
TODAY = NOW.date()
SOURCE = "partner:1"
SCOPE = {
    "series_scope": {"health", "accounting"},
    "category_scope": {"public", "professional", "elective"},
}


@pytest.fixture(autouse=True)
def _frozen_english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def draft(**overrides: Any) -> api.RecordDraft:
    data: dict[str, Any] = {
        "year": 2023,
        "category": "professional",
        "series_code": "health",
        "amount": Decimal(8),
        "title": "Clinical guideline update",
        "form": "online",
        "start_date": dt.date(2023, 5, 10),
        "end_date": dt.date(2023, 5, 10),
    }
    data.update(overrides)
    return api.RecordDraft(**data)


def push(person: Person | None, external_id: str, **overrides: Any) -> api.PartnerPush:
    return api.PartnerPush(
        external_id=external_id,
        id_number=person.id_number if person is not None else "440101199001011234",
        draft=draft(**overrides),
    )


def withdraw(external_id: str) -> api.PartnerPush:
    return api.PartnerPush(external_id=external_id, withdrawn=True)


def run(*pushes: api.PartnerPush, **scope: Any) -> list[api.PartnerReceipt]:
    return api.partner_records_push(
        source=SOURCE,
        sender="华医网",
        pushes=list(pushes),
        series_scope=scope.get("series_scope", SCOPE["series_scope"]),
        category_scope=scope.get("category_scope", SCOPE["category_scope"]),
        today=TODAY,
    )


def record_of(receipt: api.PartnerReceipt) -> Record:
    assert receipt.record_id is not None
    return Record.objects.get(pk=receipt.record_id)


@pytest.fixture
def nurse() -> Person:
    return person_create(series=("health",))


def test_a_pushed_record_is_approved_at_once_with_its_external_id(nurse: Person) -> None:
    [receipt] = run(push(nurse, "H-1", amount=Decimal(2), unit="days"))
    assert receipt.outcome == "accepted" and receipt.errors == {}
    record = record_of(receipt)
    assert (record.person_id, record.status, record.source) == (
        nurse.pk,
        "approved",
        "sync_partner",
    )
    assert (record.external_source, record.external_id) == (SOURCE, "H-1")
    assert record.employer_id is None and record.decided_at is not None
    # Days convert with the year's hours per day, as the calculator does; the amount is kept.
    assert (record.hours, record.original_amount, record.original_unit) == (
        Decimal(16),
        Decimal(2),
        "days",
    )
    entry = AuditEntry.objects.get(target_type="credits.record", target_id=str(record.pk))
    assert (entry.action, entry.actor_id, entry.to_state, entry.reason) == (
        "record.sync_create",
        None,
        "approved",
        "华医网",
    )


def test_minutes_floor_to_whole_hours_and_activities_convert(nurse: Person) -> None:
    accountant = person_create(series=("accounting",))
    minutes, activity = run(
        push(nurse, "M", amount=Decimal(150), unit="minutes"),
        api.PartnerPush(
            external_id="A",
            id_number=accountant.id_number,
            draft=draft(
                category="",
                series_code=None,
                activity_code="paper_first_author",
                amount=Decimal(1),
                unit="activity",
            ),
        ),
    )
    assert minutes.outcome == "accepted", minutes.errors
    assert record_of(minutes).hours == Decimal(3)  # 150 // 45
    assert activity.outcome == "accepted", activity.errors
    record = record_of(activity)
    assert (record.category, record.series.code, record.activity_code) == (  # type: ignore[union-attr]
        "professional",
        "accounting",
        "paper_first_author",
    )
    assert record.hours > 0 and record.original_unit == "activity"


def test_each_bad_record_is_rejected_with_its_reason_and_the_others_saved(nurse: Person) -> None:
    engineer = person_create(series=("engineering",))
    receipts = run(
        push(nurse, "ok-1"),
        push(None, "unknown-person"),
        push(engineer, "series-not-held", series_code="health"),
        push(engineer, "outside-scope", series_code="engineering"),
        push(
            nurse,
            "window-closed",
            year=2017,
            start_date=dt.date(2017, 5, 1),
            end_date=dt.date(2017, 5, 1),
        ),
        push(nurse, "bad-amount", amount=Decimal(-3)),
        push(nurse, "too-many-hours", amount=Decimal(30)),
        push(nurse, "ok-2", title="Second course"),
        push(nurse, "ok-1", title="Same id again"),
        push(nurse, "public-not-allowed", category="public", series_code=None, title="Public"),
        category_scope={"professional", "elective"},
    )
    outcomes = {i: (r.outcome, sorted(r.errors)) for i, r in enumerate(receipts)}
    assert outcomes == {
        0: ("accepted", []),
        1: ("rejected", ["id_number"]),
        2: ("rejected", ["series"]),
        3: ("rejected", ["series"]),
        4: ("rejected", ["year"]),
        5: ("rejected", ["amount"]),
        6: ("rejected", ["amount"]),
        7: ("accepted", []),
        8: ("rejected", ["external_id"]),
        9: ("rejected", ["category"]),
    }
    assert "record 0" in receipts[8].errors["external_id"][0]
    assert "not push records of the series" in receipts[3].errors["series"][0]
    assert set(
        Record.objects.filter(external_source=SOURCE).values_list("external_id", flat=True)
    ) == {
        "ok-1",
        "ok-2",
    }


def test_public_records_are_pushed_when_the_category_is_in_scope(nurse: Person) -> None:
    [receipt] = run(push(nurse, "P", category="public", series_code=None))
    assert receipt.outcome == "accepted", receipt.errors
    engineer = person_create(series=("engineering",))
    # A record naming no series needs a person holding a series of the partner's scope.
    [other] = run(push(engineer, "P2", category="public", series_code=None))
    assert (other.outcome, list(other.errors)) == ("rejected", ["series"])


def test_a_duplicate_of_an_open_record_is_rejected(nurse: Person) -> None:
    run(push(nurse, "first"))
    [receipt] = run(push(nurse, "second"))
    assert (receipt.outcome, list(receipt.errors)) == ("rejected", ["title"])


def test_same_id_again_updates_or_is_unchanged(nurse: Person) -> None:
    [first] = run(push(nurse, "X"))
    [same] = run(push(nurse, "X"))
    assert (same.outcome, same.record_id) == ("unchanged", first.record_id)
    [changed] = run(push(nurse, "X", amount=Decimal(6)))
    assert (changed.outcome, changed.record_id) == ("updated", first.record_id)
    assert record_of(first).hours == Decimal(6)
    assert Record.objects.filter(external_source=SOURCE).count() == 1
    actions = list(
        AuditEntry.objects.filter(target_id=str(first.record_id)).values_list("action", flat=True)
    )
    assert sorted(actions) == ["record.sync_create", "record.sync_update"]


def test_withdrawal_closes_the_record_and_a_new_push_restores_it(nurse: Person) -> None:
    [first] = run(push(nurse, "W"))
    [gone] = run(withdraw("W"))
    assert (gone.outcome, gone.record_id) == ("withdrawn", first.record_id)
    assert record_of(first).status == "withdrawn"
    assert api.year_counted_records(person_id=nurse.pk, year=2023) == []
    [again] = run(withdraw("W"))
    assert again.outcome == "unchanged"
    [restored] = run(push(nurse, "W"))
    assert (restored.outcome, restored.record_id) == ("updated", first.record_id)
    assert record_of(first).status == "approved"
    [unknown] = run(withdraw("never-pushed"))
    assert (unknown.outcome, list(unknown.errors)) == ("rejected", ["external_id"])


def test_a_withdrawn_record_does_not_block_the_same_content_under_another_id(
    nurse: Person,
) -> None:
    run(push(nurse, "old"))
    run(withdraw("old"))
    [receipt] = run(push(nurse, "new"))
    assert receipt.outcome == "accepted", receipt.errors


def test_a_record_revoked_by_hrss_stays_revoked(nurse: Person) -> None:
    [first] = run(push(nurse, "R"))
    Record.objects.filter(pk=record_of(first).pk).update(status="revoked")
    assert run(push(nurse, "R"))[0].outcome == "unchanged"
    changed = run(push(nurse, "R", amount=Decimal(4)))[0]
    assert (changed.outcome, list(changed.errors)) == ("rejected", ["external_id"])
    assert run(withdraw("R"))[0].outcome == "unchanged"
    assert record_of(first).status == "revoked"


def test_another_partner_uses_its_own_ids(nurse: Person) -> None:
    run(push(nurse, "same-id"))
    [receipt] = api.partner_records_push(
        source="partner:2",
        sender="other",
        pushes=[push(nurse, "same-id", title="Other platform's course")],
        today=TODAY,
        **SCOPE,
    )
    assert receipt.outcome == "accepted"
    assert Record.objects.filter(external_id="same-id").count() == 2


def test_the_database_refuses_a_second_record_with_the_same_external_id(nurse: Person) -> None:
    [first] = run(push(nurse, "U"))
    record = record_of(first)
    record.pk = None
    record.title = "Copy"
    with pytest.raises(IntegrityError):
        record.save()


def test_queries_do_not_grow_with_the_number_of_records() -> None:
    persons = [person_create(series=("health",)) for _ in range(6)]

    def count(n: int, prefix: str) -> int:
        pushes = [push(persons[i % 6], f"{prefix}{i}", title=f"{prefix} {i}") for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            receipts = run(*pushes)
        assert {r.outcome for r in receipts} == {"accepted"}
        return len(queries)

    count(1, "warm-up")  # the rule book and the series are cached after the first call
    assert count(3, "a") == count(30, "b")


def test_a_lost_race_costs_only_the_record_that_lost(
    nurse: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch write fails on a constraint (a record written meanwhile): every record is then
    written on its own, and only the one that conflicts is rejected."""
    real = partner_sync._context
    calls = []

    def stale(source: str, pushes: Any) -> Any:
        context = real(source, pushes)
        calls.append(len(pushes))
        if len(calls) == 1:
            context.open_keys.clear()  # as if read before a concurrent declaration
        return context

    monkeypatch.setattr(partner_sync, "_context", stale)
    Record.objects.create(
        person=nurse,
        year=2023,
        category="professional",
        series=nurse.series.get(),
        hours=8,
        original_amount=8,
        title="Clinical guideline update",
        form="online",
        start_date=dt.date(2023, 5, 10),
        end_date=dt.date(2023, 5, 10),
        status="approved",
    )
    receipts = run(push(nurse, "clash"), push(nurse, "fine", title="Another course"))
    assert [(r.outcome, sorted(r.errors)) for r in receipts] == [
        ("rejected", ["title"]),
        ("accepted", []),
    ]
    assert calls == [2, 1, 1]


def test_changes_refresh_the_person_year_after_commit(
    nurse: Person, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    queued: list[Any] = []
    monkeypatch.setattr(
        partner_sync, "summaries_refresh_later", lambda pairs: queued.append(sorted(pairs))
    )
    other = person_create(series=("health",))
    run(push(nurse, "S"))
    run(push(nurse, "S"))  # unchanged: nothing to refresh
    run(push(other, "S"))  # the partner corrected the person: both years change
    run(withdraw("S"))
    run(push(None, "T"))  # rejected: nothing to refresh
    assert queued == [
        [(nurse.pk, 2023)],
        [],
        sorted([(nurse.pk, 2023), (other.pk, 2023)]),
        [(other.pk, 2023)],
        [],
    ]


class _PortableConnection:
    """The database connection as ``partner_sync`` sees it, claiming not to be PostgreSQL:
    it writes through ``bulk_create`` (the SQLite path of ``make run``)."""

    vendor = "sqlite"

    def __getattr__(self, name: str) -> Any:
        return getattr(connection, name)


_COMPARED = [
    f.attname
    for f in Record._meta.concrete_fields
    if f.attname
    not in {
        "id",
        "person_id",
        "external_id",
        "created_at",
        "updated_at",
        "decided_at",
        "change_xid",
        "change_seq",
        "changed_at",
    }
]


def _varied(person: Person, prefix: str) -> list[api.PartnerPush]:
    accounting = {"category": "", "series_code": None, "unit": "activity"}
    return [
        push(person, f"{prefix}1", amount=Decimal("1.5"), title="Ethics"),
        push(person, f"{prefix}2", amount=Decimal(2), unit="days", title="Two days"),
        push(person, f"{prefix}3", amount=Decimal(150), unit="minutes", title="Minutes"),
        push(
            person,
            f"{prefix}4",
            category="public",
            series_code=None,
            title="Public subject",
            form="class",
            assessment_result="pass",
            institution_name="Provincial school",
        ),
        push(
            person,
            f"{prefix}5",
            category="elective",
            series_code=None,
            kind="inhouse_training",
            approved_plan=True,
            title="In-house",
        ),
        push(person, f"{prefix}6", kind="degree_study", title="Degree", general_knowledge=True),
        api.PartnerPush(
            external_id=f"{prefix}7",
            id_number=person.id_number,
            draft=draft(**accounting, activity_code="paper_first_author", amount=Decimal(1)),
        ),
    ]


def test_the_set_based_insert_writes_what_bulk_create_writes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """New records go to PostgreSQL in one INSERT … SELECT with their audit entries: every
    column and every audit entry as the ORM path writes them, ids and change marks in push
    order."""
    fast = person_create(series=("health", "accounting"))
    portable = person_create(series=("health", "accounting"))
    receipts = run(*_varied(fast, "F"))
    monkeypatch.setattr(partner_sync, "connection", _PortableConnection())
    expected = run(*_varied(portable, "P"))
    monkeypatch.undo()
    assert [r.outcome for r in receipts] == ["accepted"] * 7, [r.errors for r in receipts]
    assert [r.outcome for r in expected] == ["accepted"] * 7, [r.errors for r in expected]
    written = [record_of(r) for r in receipts]
    oracle = [record_of(r) for r in expected]
    for record, reference in zip(written, oracle, strict=True):
        assert {n: getattr(record, n) for n in _COMPARED} == {
            n: getattr(reference, n) for n in _COMPARED
        }
        assert record.person_id == fast.pk and record.external_id == "F" + reference.external_id[1:]
        assert record.decided_at is not None and record.created_at == record.updated_at
    ids = [r.pk for r in written]
    assert ids == sorted(ids)
    marks = [r.change_seq or 0 for r in written]
    assert 0 not in marks and marks == sorted(marks)  # the change-feed trigger stamped them

    def entries(records: list[Record]) -> list[tuple[Any, ...]]:
        found = AuditEntry.objects.filter(
            target_type="credits.record", target_id__in=[str(r.pk) for r in records]
        ).order_by("pk")
        fields = ["target_id", "action", "actor_id", "organisation_id", "from_state"]
        fields += ["to_state", "reason", "path", "changes", "ip"]
        return [tuple(getattr(e, name) for name in fields) for e in found]

    assert entries(written) == [
        (str(r.pk), "record.sync_create", None, None, "", "approved", "华医网", "", None, None)
        for r in written
    ]
    assert [e[1:] for e in entries(written)] == [e[1:] for e in entries(oracle)]
