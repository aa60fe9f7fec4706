"""Load the region and professional-series catalogues from fixtures/ and protect the audit log.

The fixtures are read as JSON and written through the historical models (not `loaddata`,
which would use today's models and break once they change).
"""

from django.db import migrations

from accounts.catalogues import catalogues_load

AUDIT_GUARD_SQL = """
CREATE OR REPLACE FUNCTION accounts_auditentry_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditentry_immutable
    BEFORE UPDATE OR DELETE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_auditentry_immutable();
"""
AUDIT_GUARD_REVERSE = """
DROP TRIGGER IF EXISTS accounts_auditentry_immutable ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_auditentry_immutable();
"""


def load_catalogues(apps, schema_editor):
    catalogues_load(
        apps.get_model("accounts", "Region"), apps.get_model("accounts", "ProfessionalSeries")
    )


def audit_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_GUARD_SQL)


def audit_guard_reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_GUARD_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunPython(load_catalogues, migrations.RunPython.noop),
        migrations.RunPython(audit_guard, audit_guard_reverse),
    ]
