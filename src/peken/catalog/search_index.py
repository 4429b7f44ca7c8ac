"""Keyword indexes for search (peken.catalog.search), different on each database.

PostgreSQL: pg_trgm; a stored tsvector column on catalog_product generated from search_text with
the `indonesian` configuration (stems: "membeli" and "pembelian" both index as "beli"), a GIN
index on it, and a trigram GIN index on search_text for typo-tolerant matching. The merchants get
the same two indexes on an expression over name and description (few rows, so no stored column).
The expressions here must stay identical to those in peken.catalog.search_keywords, or the
indexes go unused.

SQLite: FTS5 tables with external content (catalog_product.search_text; merchants_merchant name
and description), kept in step by triggers, and fts5vocab tables over them for typo-tolerant
matching. Triggers handle DELETE too: the test runner empties tables with DELETE.

Django alters a table on SQLite by building a new one and dropping the old, triggers and all;
`triggers_restore` puts them back after every migrate (connected in apps.py;
tests/search/test_search_index.py checks they are there after all migrations).
"""

from django.db import DEFAULT_DB_ALIAS, connections

POSTGRES_UP = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE catalog_product ADD COLUMN IF NOT EXISTS search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('indonesian'::regconfig, search_text)) STORED;
CREATE INDEX IF NOT EXISTS catalog_product_search_vector
    ON catalog_product USING gin (search_vector);
CREATE INDEX IF NOT EXISTS catalog_product_search_trigram
    ON catalog_product USING gin (search_text gin_trgm_ops);
CREATE INDEX IF NOT EXISTS catalog_merchant_search_vector ON merchants_merchant
    USING gin (to_tsvector('indonesian'::regconfig, name || ' ' || description));
CREATE INDEX IF NOT EXISTS catalog_merchant_search_trigram ON merchants_merchant
    USING gin ((name || ' ' || description) gin_trgm_ops);
"""
POSTGRES_DOWN = """
DROP INDEX IF EXISTS catalog_merchant_search_trigram;
DROP INDEX IF EXISTS catalog_merchant_search_vector;
DROP INDEX IF EXISTS catalog_product_search_trigram;
DROP INDEX IF EXISTS catalog_product_search_vector;
ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_vector;
"""

TOKENIZER = "unicode61 remove_diacritics 2"
# (FTS5 table, content table, indexed columns): catalog_product_fts, catalog_merchant_fts.
SQLITE_INDEXES = [
    ("catalog_product_fts", "catalog_product", ("search_text",)),
    ("catalog_merchant_fts", "merchants_merchant", ("name", "description")),
]


def sqlite_tables(fts: str, content: str, columns: tuple[str, ...]) -> list[str]:
    return [
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(
            {", ".join(columns)}, content='{content}', content_rowid='id',
            tokenize='{TOKENIZER}')""",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts}_vocab USING fts5vocab({fts}, 'row')",
    ]


def sqlite_triggers(fts: str, content: str, columns: tuple[str, ...]) -> dict[str, str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in columns)
    add = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    drop = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return {
        f"{fts}_insert": f"AFTER INSERT ON {content} BEGIN {add} END",
        f"{fts}_delete": f"AFTER DELETE ON {content} BEGIN {drop} END",
        f"{fts}_update": (
            f"AFTER UPDATE OF {names} ON {content} WHEN {changed} BEGIN {drop} {add} END"
        ),
    }


def sqlite_install(cursor, fts: str, content: str, columns: tuple[str, ...]) -> None:
    for statement in sqlite_tables(fts, content, columns):
        cursor.execute(statement)
    for name, body in sqlite_triggers(fts, content, columns).items():
        cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
    cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            for fts, content, columns in SQLITE_INDEXES:
                sqlite_install(cursor, fts, content, columns)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            for fts, content, columns in SQLITE_INDEXES:
                for name in sqlite_triggers(fts, content, columns):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"DROP TABLE IF EXISTS {fts}_vocab")
                cursor.execute(f"DROP TABLE IF EXISTS {fts}")


def triggers_restore(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    """After every migrate on SQLite: put back triggers a later migration dropped, and rebuild
    that index (its rows may have changed without them). Django alters a table on SQLite by
    building a new one and dropping the old, triggers and all (an AddField with a default does
    it), so any migration on catalog_product or merchants_merchant would otherwise leave search
    blind to every later write."""
    connection = connections[using]
    if sender.label != "catalog" or connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {row[0] for row in cursor.fetchall()}
        for fts, content, columns in SQLITE_INDEXES:
            installed = fts in present  # not before this migration, nor after it is reversed
            if installed and not set(sqlite_triggers(fts, content, columns)) <= present:
                sqlite_install(cursor, fts, content, columns)
