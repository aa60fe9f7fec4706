"""The changes feed's marks on ``credits_record`` (docs/decisions/0017-sync-change-feed.md).

A database trigger, not Django code, stamps every insert and update of a record that has an
``external_source`` (a sync partner's record) with ``change_xid``, ``change_seq`` and
``changed_at``, so that writes through ``QuerySet.update()``, ``bulk_create`` or raw SQL are
seen as well as ``save()``.

* PostgreSQL: ``change_xid`` is the writing transaction's id (``pg_current_xact_id()``, 64
  bits, never wraps) and ``change_seq`` a value of the sequence ``credits_record_change_seq``.
  The feed reads in (xid, seq) order and only below the oldest transaction still running
  (``pg_snapshot_xmin(pg_current_snapshot())``): see ``credits.selectors.changes``.
* SQLite (``make run``): one writer at a time, so a number taken inside the writing
  transaction already follows commit order; ``change_xid`` is 0. SQLite triggers cannot set
  NEW, hence an AFTER trigger that updates the row (recursive triggers are off, so that
  update does not fire it again). Rebuilding a table on SQLite (a later ``AlterField``) drops
  its triggers, so ``install`` also runs after every ``migrate`` (``CreditsConfig.ready``).
"""

from __future__ import annotations

from typing import Any

POSTGRES_INSTALL = """
CREATE SEQUENCE IF NOT EXISTS credits_record_change_seq;
CREATE OR REPLACE FUNCTION credits_record_change_mark() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.change_xid := pg_current_xact_id()::text::bigint;
    NEW.change_seq := nextval('credits_record_change_seq');
    NEW.changed_at := statement_timestamp();
    RETURN NEW;
END
$$;
DROP TRIGGER IF EXISTS credits_record_change_mark ON credits_record;
CREATE TRIGGER credits_record_change_mark
    BEFORE INSERT OR UPDATE ON credits_record
    FOR EACH ROW WHEN (NEW.external_source <> '')
    EXECUTE FUNCTION credits_record_change_mark();
"""
POSTGRES_UNINSTALL = """
DROP TRIGGER IF EXISTS credits_record_change_mark ON credits_record;
DROP FUNCTION IF EXISTS credits_record_change_mark();
DROP SEQUENCE IF EXISTS credits_record_change_seq;
"""
_SQLITE_MARK = (
    "UPDATE credits_record SET change_xid = 0,"
    " change_seq = (SELECT COALESCE(MAX(change_seq), 0) + 1 FROM credits_record),"
    " changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = NEW.id;"
)
SQLITE_INSTALL = [
    "CREATE TRIGGER IF NOT EXISTS credits_record_change_mark_insert AFTER INSERT ON"
    f" credits_record FOR EACH ROW WHEN NEW.external_source <> '' BEGIN {_SQLITE_MARK} END;",
    "CREATE TRIGGER IF NOT EXISTS credits_record_change_mark_update AFTER UPDATE ON"
    f" credits_record FOR EACH ROW WHEN NEW.external_source <> '' BEGIN {_SQLITE_MARK} END;",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS credits_record_change_mark_insert;",
    "DROP TRIGGER IF EXISTS credits_record_change_mark_update;",
]


def install(connection: Any) -> None:
    """Create (or re-create) the trigger on ``connection``'s database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_INSTALL)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_INSTALL:
                cursor.execute(statement)


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_UNINSTALL)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_UNINSTALL:
                cursor.execute(statement)


def installed_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """``post_migrate``: put the SQLite triggers back if a table rebuild dropped them."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if "credits_record" in connection.introspection.table_names():
        columns = {
            c.name
            for c in connection.introspection.get_table_description(
                connection.cursor(), "credits_record"
            )
        }
        if "change_seq" in columns:
            install(connection)
