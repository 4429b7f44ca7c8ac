"""Tables that only grow: the audit log and the money ledger.

The model refuses updates and deletes; the database refuses them too (a trigger), so not even raw
SQL can rewrite history. On SQLite only UPDATE is refused: the test runner empties tables with
DELETE between transactional tests.
"""

from django.db import models


class AppendOnlyError(TypeError):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only.")

    def delete(self):
        raise AppendOnlyError(f"{self.model._meta.label} is append-only.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AppendOnlyError(f"{self._meta.label} is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{self._meta.label} is append-only.")


def append_only_sql(table: str, vendor: str) -> tuple[str, str]:
    """(install, remove) SQL of the trigger that keeps `table` append-only on `vendor`."""
    trigger = f"{table}_append_only"
    if vendor == "postgresql":
        return (
            f"""
            CREATE OR REPLACE FUNCTION {trigger}() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{table} is append-only';
            END;
            $$ LANGUAGE plpgsql;
            CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION {trigger}();
            """,
            f"DROP TRIGGER IF EXISTS {trigger} ON {table}; DROP FUNCTION IF EXISTS {trigger}();",
        )
    if vendor == "sqlite":
        return (
            f"""
            CREATE TRIGGER {trigger} BEFORE UPDATE ON {table}
            BEGIN
                SELECT RAISE(ABORT, '{table} is append-only');
            END;
            """,
            f"DROP TRIGGER IF EXISTS {trigger};",
        )
    return "", ""
