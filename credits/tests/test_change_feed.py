"""The changes feed's marks and order (credits.change_marks, credits.selectors.changes).

These tests commit (``transactional_db``): the feed only serves changes of transactions that
have ended, and a second database connection plays a push still in flight.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from django.db import connection

from credits import api
from credits.models import Record
from tests.factories import catalogues_ensure, person_create, record_make

SOURCE = "partner:1"

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the feed's ordering guarantee is PostgreSQL's"
)


@pytest.fixture(autouse=True)
def _catalogues(transactional_db: None) -> None:
    catalogues_ensure()  # a transactional test starts from an emptied database


def pushed(person: Any, external_id: str, *, title: str | None = None) -> Record:
    record = record_make(person, None, status="approved", title=title or f"课程 {external_id}")
    Record.objects.filter(pk=record.pk).update(
        external_source=SOURCE, external_id=external_id, source="sync_partner"
    )
    return Record.objects.get(pk=record.pk)


def read_all(
    after: tuple[int, int] | None = None, *, expect: int = 0
) -> tuple[list[int], tuple[int, int] | None]:
    """Everything the feed serves from ``after`` on, page by page (2 a page).

    A transaction still running in this database (an autovacuum's, or one of another test
    database that ended while the feed looked) holds the feed back for a moment; it never
    makes it skip. So wait up to 20 s for at least ``expect`` records before answering."""
    seen: list[int] = []
    deadline = time.monotonic() + 20
    while True:
        page = api.record_changes(source=SOURCE, after=after, limit=2)
        if page:
            seen.extend(r.pk for r in page)
            last = page[-1]
            assert last.change_xid is not None and last.change_seq is not None
            after = (last.change_xid, last.change_seq)
        elif len(seen) >= expect or time.monotonic() > deadline:
            return seen, after
        else:
            time.sleep(0.05)


@pytest.fixture
def other_connection(transactional_db: None) -> Iterator[Any]:
    """A second session on the test database, as another worker's push would be."""
    params = connection.get_connection_params()
    raw = psycopg2.connect(**params)
    raw.autocommit = True
    try:
        yield raw
    finally:
        raw.close()


@pytest.mark.django_db(transaction=True)
def test_partner_records_are_marked_on_insert_and_every_update_others_are_not() -> None:
    person = person_create()
    own = record_make(person, None, status="approved", title="单位内训")
    record = pushed(person, "A-1")
    assert Record.objects.get(pk=own.pk).change_seq is None
    assert record.change_seq is not None and record.changed_at is not None
    before = (record.change_xid, record.change_seq)
    # A bulk QuerySet.update() (as reviews and recheck tooling do) is seen too.
    Record.objects.filter(pk=record.pk).update(status="revoked", reviewer_reason="无签到表")
    record.refresh_from_db()
    assert (record.change_xid, record.change_seq) > before


@pytest.mark.django_db(transaction=True)
def test_reading_on_from_the_last_position_serves_each_change_once_in_order() -> None:
    person = person_create()
    first, second, third = (pushed(person, f"A-{i}") for i in range(3))
    seen, position = read_all(expect=3)
    assert seen == [first.pk, second.pk, third.pk]
    # Nothing new: nothing served again.
    assert read_all(position)[0] == []
    # A later change (a revocation) moves the record to the end of the feed, once.
    Record.objects.filter(pk=first.pk).update(status="revoked")
    assert read_all(position, expect=1)[0] == [first.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first_id", ["late_writer", "early_writer"])
def test_a_change_committed_late_is_not_skipped(other_connection: Any, first_id: str) -> None:
    """Transaction R writes a record and keeps running while S writes another and commits.
    Whichever took its transaction id first, a reader must not move past R's place before R
    commits (a plain sequence or timestamp cursor would skip R's change)."""
    person = person_create()
    early, late = pushed(person, "R-1"), pushed(person, "S-1")
    seen, position = read_all(expect=2)
    assert seen == [early.pk, late.pk]

    s_side = other_connection
    r_side = psycopg2.connect(**connection.get_connection_params())
    try:
        with s_side.cursor() as s, r_side.cursor() as r:
            if first_id == "late_writer":
                s.execute("BEGIN; SELECT pg_current_xact_id()")  # S holds the smaller id
            r.execute("BEGIN; UPDATE credits_record SET hours = 3 WHERE id = %s", [early.pk])
            if first_id != "late_writer":
                s.execute("BEGIN")
            s.execute("UPDATE credits_record SET hours = 4 WHERE id = %s", [late.pk])
            s.execute("COMMIT")
            served_meanwhile, position = read_all(position)
            r.execute("COMMIT")
    finally:
        r_side.close()
    # R's change must still come (a reader that moved past R's place would wait in vain).
    served_after, _ = read_all(position, expect=2 - len(served_meanwhile))
    assert sorted(served_meanwhile + served_after) == sorted([early.pk, late.pk])


@pytest.mark.django_db(transaction=True)
def test_changed_since_and_person_holding() -> None:
    person, stranger = person_create(), person_create()
    record = pushed(person, "A-1")
    assert record.changed_at is not None
    assert api.record_changes(source=SOURCE, since=record.changed_at) == [record]
    later = record.changed_at.replace(year=record.changed_at.year + 1)
    assert api.record_changes(source=SOURCE, since=later) == []
    assert api.external_records_of_person(source=SOURCE, person_id=person.pk)
    assert not api.external_records_of_person(source=SOURCE, person_id=stranger.pk)
    assert not api.external_records_of_person(source="partner:2", person_id=person.pk)
