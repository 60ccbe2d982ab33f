"""The database itself refuses to change or delete audit events."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only'); END;""",
    """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'core_auditevent is append-only'); END;""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'core_auditevent is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditevent_no_change BEFORE UPDATE OR DELETE ON core_auditevent
       FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only();""",
]
DROP = {
    "sqlite": ["DROP TRIGGER IF EXISTS core_auditevent_no_update;",
               "DROP TRIGGER IF EXISTS core_auditevent_no_delete;"],
    "postgresql": ["DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent;",
                   "DROP FUNCTION IF EXISTS core_auditevent_append_only();"],
}


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    for sql in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
