"""Security events on the audit log (client IP and path), and TRUNCATE refused on PostgreSQL.

0002 refuses UPDATE and DELETE row by row; TRUNCATE fires no row triggers, so a statement-level
BEFORE TRUNCATE trigger refuses it too. The one way through is a deliberate
`SET portal.allow_audit_truncate = 'on'` in the session (the test suite sets it on its own
throwaway database, whose flush between transactional tests truncates every table).
"""

from django.db import migrations, models

TRUNCATE_GUARD_SQL = """
CREATE OR REPLACE FUNCTION accounts_auditentry_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('portal.allow_audit_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit entries cannot be truncated';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditentry_no_truncate
    BEFORE TRUNCATE ON accounts_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditentry_no_truncate();
"""
TRUNCATE_GUARD_REVERSE = """
DROP TRIGGER IF EXISTS accounts_auditentry_no_truncate ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_auditentry_no_truncate();
"""


def truncate_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRUNCATE_GUARD_SQL)


def truncate_guard_reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRUNCATE_GUARD_REVERSE)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_catalogues_and_audit_guard"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="ip",
            field=models.GenericIPAddressField(blank=True, null=True, verbose_name="IP address"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="path",
            field=models.CharField(
                blank=True, db_default="", default="", max_length=200, verbose_name="path"
            ),
        ),
        migrations.RunPython(truncate_guard, truncate_guard_reverse),
    ]
