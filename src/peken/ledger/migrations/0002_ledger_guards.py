"""The ledger guards itself in the database, not only in the code that writes it.

Both tables are append-only (peken.core.append_only). On PostgreSQL a deferred constraint trigger
checks, at commit, that every entry touched by the transaction still sums to zero, so an
unbalanced entry cannot be committed even by raw SQL.
"""

from django.db import migrations

from peken.core.append_only import append_only_sql

TABLES = ("ledger_ledgerentry", "ledger_ledgerline")

BALANCE_UP = """
CREATE OR REPLACE FUNCTION ledger_entry_balanced() RETURNS trigger AS $$
BEGIN
    IF (SELECT COALESCE(SUM(amount), 0) FROM ledger_ledgerline
        WHERE entry_id = NEW.entry_id) <> 0 THEN
        RAISE EXCEPTION 'ledger entry % does not balance', NEW.entry_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_ledgerline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balanced();
"""
BALANCE_DOWN = """
DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_ledgerline;
DROP FUNCTION IF EXISTS ledger_entry_balanced();
"""


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        up, _ = append_only_sql(table, vendor)
        if up:
            schema_editor.execute(up)
    if vendor == "postgresql":
        schema_editor.execute(BALANCE_UP, params=None)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(BALANCE_DOWN)
    for table in TABLES:
        _, down = append_only_sql(table, vendor)
        if down:
            schema_editor.execute(down)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
