"""Keyword indexes for search (peken.catalog.search), different on each database.

PostgreSQL: a stored tsvector column on catalog_product generated from search_text with the
`indonesian` configuration (stems: "membeli" and "pembelian" both index as "beli") and a GIN index
on it; the merchants get the same index on an expression over name and description (few rows, so
no stored column). The expressions here must stay identical to those in
peken.catalog.search_keywords, or the indexes go unused. For close spellings, a vocabulary
(catalog_search_word: every word of three letters or more ever written in a product's search_text
or a shop's name and description) with a pg_trgm GiST index, kept by triggers (migration catalog
0005). It replaced trigram indexes over the texts themselves (0004): a typo's trigrams ("air",
"ras") occur in thousands of texts, each of which had to be read and compared (60-120 ms on
200,000 products), while the vocabulary has a few thousand words.

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

# 0004 made these trigram indexes; 0005 drops them (and puts them back when reversed).
TEXT_TRIGRAM_INDEXES = """
CREATE INDEX IF NOT EXISTS catalog_product_search_trigram
    ON catalog_product USING gin (search_text gin_trgm_ops);
CREATE INDEX IF NOT EXISTS catalog_merchant_search_trigram ON merchants_merchant
    USING gin ((name || ' ' || description) gin_trgm_ops);
"""
TEXT_TRIGRAM_INDEXES_DROP = """
DROP INDEX IF EXISTS catalog_merchant_search_trigram;
DROP INDEX IF EXISTS catalog_product_search_trigram;
"""
# No unique constraint, on purpose: two shops writing the same new word at once would wait on
# each other's transaction (and could deadlock, each holding a word the other needs); a word
# written twice costs a row. Words are never removed: one no product has any more finds nothing.
VOCABULARY_UP = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE IF NOT EXISTS catalog_search_word (word text NOT NULL);
CREATE INDEX IF NOT EXISTS catalog_search_word_word ON catalog_search_word (word);
CREATE INDEX IF NOT EXISTS catalog_search_word_trigram
    ON catalog_search_word USING gist (word gist_trgm_ops);
CREATE OR REPLACE FUNCTION catalog_search_words_learn(texts text[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO catalog_search_word (word)
    SELECT new.word
    FROM (
        SELECT DISTINCT found.word
        FROM unnest(texts) AS written (text),
            unnest(tsvector_to_array(to_tsvector('simple'::regconfig, written.text)))
                AS found (word)
        WHERE found.word ~ '^[[:alpha:]]{3,}$'
    ) AS new
    -- Each word once first: 2,000 products say "beras" and "toko" thousands of times.
    WHERE NOT EXISTS (SELECT 1 FROM catalog_search_word AS known WHERE known.word = new.word)
$$;
CREATE OR REPLACE FUNCTION catalog_search_words_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'catalog_product' THEN
        PERFORM catalog_search_words_learn(ARRAY(SELECT search_text FROM added));
    ELSE
        PERFORM catalog_search_words_learn(ARRAY(SELECT name || ' ' || description FROM added));
    END IF;
    RETURN NULL;
END
$$;
CREATE OR REPLACE FUNCTION catalog_search_words_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'catalog_product' THEN
        PERFORM catalog_search_words_learn(ARRAY[NEW.search_text]);
    ELSE
        PERFORM catalog_search_words_learn(ARRAY[NEW.name || ' ' || NEW.description]);
    END IF;
    RETURN NULL;
END
$$;
-- Inserts once per statement (a bulk load of 200,000 products is a few statements, not 200,000
-- calls); changes per row, and only of the text: a stock update never runs it.
CREATE OR REPLACE TRIGGER catalog_product_words_insert AFTER INSERT ON catalog_product
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION catalog_search_words_added();
CREATE OR REPLACE TRIGGER catalog_product_words_update AFTER UPDATE OF search_text
    ON catalog_product FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text)
    EXECUTE FUNCTION catalog_search_words_changed();
CREATE OR REPLACE TRIGGER catalog_merchant_words_insert AFTER INSERT ON merchants_merchant
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT
    EXECUTE FUNCTION catalog_search_words_added();
CREATE OR REPLACE TRIGGER catalog_merchant_words_update AFTER UPDATE OF name, description
    ON merchants_merchant FOR EACH ROW
    WHEN (OLD.name || ' ' || OLD.description IS DISTINCT FROM NEW.name || ' ' || NEW.description)
    EXECUTE FUNCTION catalog_search_words_changed();
SELECT catalog_search_words_learn(ARRAY(SELECT search_text FROM catalog_product));
SELECT catalog_search_words_learn(ARRAY(SELECT name || ' ' || description FROM merchants_merchant));
ANALYZE catalog_search_word;
"""
VOCABULARY_DOWN = """
DROP TRIGGER IF EXISTS catalog_merchant_words_update ON merchants_merchant;
DROP TRIGGER IF EXISTS catalog_merchant_words_insert ON merchants_merchant;
DROP TRIGGER IF EXISTS catalog_product_words_update ON catalog_product;
DROP TRIGGER IF EXISTS catalog_product_words_insert ON catalog_product;
DROP FUNCTION IF EXISTS catalog_search_words_changed();
DROP FUNCTION IF EXISTS catalog_search_words_added();
DROP FUNCTION IF EXISTS catalog_search_words_learn(text[]);
DROP TABLE IF EXISTS catalog_search_word;
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


def vocabulary_install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(VOCABULARY_UP + TEXT_TRIGRAM_INDEXES_DROP)


def vocabulary_remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TEXT_TRIGRAM_INDEXES + VOCABULARY_DOWN)


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
