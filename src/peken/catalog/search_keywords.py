"""Keyword matching for search, in each database's own full-text engine (used by
peken.catalog.search; the indexes are made by peken.catalog.search_index, migration catalog
0004, and the SQL here must match them).

Words arrive as letters and digits only (search_input.search_words) and reach SQL only as bound
parameters. Matching has two steps: the words as written; and, when those find fewer than
FUZZY_BELOW rows and are that rare in the whole catalog, close spellings too ("bras" and
"berass" find "beras", "telor" finds "telur"), ranked after the exact hits, FUZZY_CAP at most.

- PostgreSQL: full text with the `indonesian` configuration over a stored tsvector (stems:
  "membeli" finds "beli"). Close spellings: for every word of FUZZY_MIN_LENGTH letters or more,
  the CLOSE_TERMS words of the vocabulary (catalog_search_word) nearest to it by pg_trgm
  similarity, at least TRIGRAM_THRESHOLD; then full text again, any of them for that word.
  Ranked by strict word similarity to the name.
- SQLite: FTS5 (words of three letters or more match as prefixes: "bera" finds "beras").
  Close spellings: words of the index's own vocabulary (fts5vocab) with the same first letter,
  within edit distance 1 (words up to 5 letters) or 2 (longer), CLOSE_TERMS at most per word.

Relevance: the words in the name first, then the engine's rank (ts_rank normalised by length;
bm25). Only the hits counted are ranked (COUNT_CAP): ranking all 120,000 products that say
"toko" costs 200 ms and tells a buyer nothing the first thousand would not.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, QuerySet, Window

COUNT_CAP = 1_000  # counting 40,000 hits exactly costs more than the page itself: "1.000+" will do
FUZZY_BELOW = 5  # words found fewer times than this in the whole catalog may be misspelled
FUZZY_CAP = 200  # close spellings shown at most: enough for a typo, and a fifth of the cost
FUZZY_MIN_LENGTH = 4  # "ud", "teh": too short to guess what else was meant
# Trigram similarity of two words: "bras" ~ "beras" 0.38, "telor" ~ "telur" 0.33, while
# "brambang" (0.27) and "keras" (0.22) stay out. Swapped letters in a short word ("gual") fall
# below it too; SQLite's edit distance keeps those.
TRIGRAM_THRESHOLD = 0.3
CLOSE_TERMS = 5
NAME_FIRST = 100  # above any bm25 or ts_rank a text earns


@dataclass(frozen=True)
class KeywordIndex:
    """Where one table's keywords are indexed."""

    table: str
    name: str  # the column of the name, which ranks first
    vector: str  # PostgreSQL: the tsvector under the GIN index
    fts: str  # SQLite: the FTS5 table (and `<fts>_vocab`, its vocabulary)


PRODUCT_KEYWORDS = KeywordIndex(
    table="catalog_product",
    name='"catalog_product"."name"',
    vector='"catalog_product"."search_vector"',
    fts="catalog_product_fts",
)
MERCHANT_TEXT = """("merchants_merchant"."name" || ' ' || "merchants_merchant"."description")"""
MERCHANT_KEYWORDS = KeywordIndex(
    table="merchants_merchant",
    name='"merchants_merchant"."name"',
    vector=f"to_tsvector('indonesian'::regconfig, {MERCHANT_TEXT})",
    fts="catalog_merchant_fts",
)


@dataclass(frozen=True)
class KeywordCondition:
    """A keyword match as SQL: which rows (`where`, for a queryset of the table) and how well
    each matches (`relevance`, higher is better, over `ranked_from`)."""

    where: str
    params: list
    relevance: str
    relevance_params: list
    fts_match: str = ""  # SQLite: the MATCH expression, which bm25 needs in the same query
    where_row_by_row: str = ""  # PostgreSQL: the same test, which no index serves

    def apply(self, rows: QuerySet) -> QuerySet:
        return rows.extra(where=[self.where], params=self.params)

    def apply_row_by_row(self, rows: QuerySet) -> QuerySet:
        """The same match, tested on each row that other conditions find (a few shops'
        products) rather than found through the full-text index."""
        return rows.extra(where=[self.where_row_by_row], params=self.params)

    def ranked_from(self, index: KeywordIndex, hits: list) -> tuple[str, list]:
        table = quote(index.table)
        if connection.vendor == "postgresql":
            return f"{table} WHERE {table}.id = ANY(%s)", [hits]
        fts, marks = quote(index.fts), ", ".join(["%s"] * len(hits))
        return (
            f"{fts} JOIN {table} ON {table}.id = {fts}.rowid "
            f"WHERE {fts} MATCH %s AND {table}.id IN ({marks})",
            [self.fts_match, *hits],
        )


@dataclass(frozen=True)
class KeywordMatch:
    index: KeywordIndex
    condition: KeywordCondition
    first_hits: list  # ids of the first rows found (up to cap + 1), in no particular order
    cap: int
    is_fuzzy: bool  # close spellings were searched too
    found: int | None = None  # every hit, when counted with the page (else len(first_hits))
    page: list | None = None  # the page's ids, when the words were counted with it

    @property
    def total(self) -> int:
        return min(self.hit_count, self.cap)

    @property
    def total_is_exact(self) -> bool:
        return self.hit_count <= self.cap

    @property
    def hit_count(self) -> int:
        return len(self.first_hits) if self.found is None else self.found

    @property
    def shown_hits(self) -> list:
        return self.first_hits[: self.cap]

    def ranked_ids(self, offset: int, size: int) -> list:
        """Ids from `offset`, best match first, among the hits shown: ranking 120,000 products
        that say "toko" costs 200 ms and tells a buyer nothing the first thousand would not."""
        table = quote(self.index.table)
        source, params = self.condition.ranked_from(self.index, self.shown_hits)
        sql = (
            f"SELECT {table}.id FROM {source} "
            f"ORDER BY {self.condition.relevance} DESC, {table}.id DESC LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *self.condition.relevance_params, size, offset])
            return [row[0] for row in cursor.fetchall()]


def exact_condition(words: list[str], index: KeywordIndex) -> KeywordCondition:
    """The words as written."""
    return engine_here().exact(words, index)


def keyword_match(
    rows: QuerySet, words: list[str], index: KeywordIndex, page: "PageOrder | None" = None
) -> KeywordMatch:
    """The words as written; with close spellings too when they find fewer than FUZZY_BELOW
    rows and are that rare in the whole catalog (few hits because of the filters are no
    typo). With `page` (an order that reads every hit anyway: price, newest), the words as
    written are counted in the same pass that finds the page."""
    engine = engine_here()
    exact = engine.exact(words, index)
    if page is None:
        hits = first_hits(exact.apply(rows), COUNT_CAP)
        found, ids = len(hits), None
    else:
        hits = []
        ids, found = page.ids_and_count(exact.apply(rows))
    fuzzy = None
    if found < FUZZY_BELOW and not engine.known(words, index):
        fuzzy = engine.fuzzy(words, index)
    if fuzzy is None:
        return KeywordMatch(index, exact, hits, COUNT_CAP, False, found, ids)
    return KeywordMatch(index, fuzzy, first_hits(fuzzy.apply(rows), FUZZY_CAP), FUZZY_CAP, True)


@dataclass(frozen=True)
class PageOrder:
    """A page in an order over every hit, and how many hits there are, in one query: sorting
    them reads every one anyway, where counting first would read up to COUNT_CAP twice."""

    ordering: list
    offset: int
    size: int

    def ids_and_count(self, rows: QuerySet) -> tuple[list, int]:
        # The rows before the page too (no OFFSET): past the last page, the count still comes.
        page = rows.order_by(*self.ordering).annotate(found=Window(Count("pk")))
        found = list(page.values_list("pk", "found")[: self.offset + self.size])
        return [pk for pk, _ in found[self.offset :]], found[0][1] if found else 0


def first_hits(rows: QuerySet, cap: int) -> list:
    return list(rows.order_by().values_list("pk", flat=True)[: cap + 1])


def capped_count(rows: QuerySet) -> tuple[int, bool]:
    """How many rows match, counting no further than COUNT_CAP; and whether that is all."""
    found = rows.order_by().values("pk")[: COUNT_CAP + 1].count()
    return min(found, COUNT_CAP), found <= COUNT_CAP


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def count_of(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) AS found", params)
        return cursor.fetchone()[0]


# --- PostgreSQL -------------------------------------------------------------------------------

TSQUERY = "plainto_tsquery('indonesian', %s)"


def postgres_exact(words: list[str], index: KeywordIndex) -> KeywordCondition:
    phrase = " ".join(words)
    # A plain substring test: a stemmed name vector would cost 4 ms a thousand rows.
    in_name = " AND ".join(f"strpos(lower({index.name}), %s) > 0" for _ in words)
    return KeywordCondition(
        where=f"{index.vector} @@ {TSQUERY}",
        where_row_by_row=f"COALESCE({index.vector}, {index.vector}) @@ {TSQUERY}",
        params=[phrase],
        relevance=f"({in_name})::int * {NAME_FIRST} + ts_rank({index.vector}, {TSQUERY}, 1)",
        relevance_params=[*words, phrase],
    )


def postgres_known(words: list[str], index: KeywordIndex) -> bool:
    sql = f"SELECT 1 FROM {quote(index.table)} WHERE {index.vector} @@ {TSQUERY} LIMIT %s"
    return count_of(sql, [" ".join(words), FUZZY_BELOW]) >= FUZZY_BELOW


def postgres_fuzzy(words: list[str], index: KeywordIndex) -> KeywordCondition | None:
    """Every word as written, or one of its close words (close_words), in the full-text index:
    a typo's trigrams ("air", "ras") are in thousands of texts, but in few words."""
    close = close_words(words)
    if not any(close.values()):
        return None
    exact = postgres_exact(words, index)
    spellings = [[word, *close.get(word, ())] for word in words]
    # tsquery `||` is "or", `&&` is "and"; each spelling stemmed as the index is.
    either = (f"({' || '.join([TSQUERY] * len(group))})" for group in spellings)
    # Words as written rank first, then a name close to the words.
    return KeywordCondition(
        where=f"{index.vector} @@ ({' && '.join(either)})",
        params=[spelling for group in spellings for spelling in group],
        relevance=(
            f"{exact.relevance} + ({exact.where})::int * 10"
            f" + strict_word_similarity(%s, {index.name})"
        ),
        relevance_params=[*exact.relevance_params, *exact.params, " ".join(words)],
    )


def close_words(words: list[str]) -> dict[str, list[str]]:
    """For each word of FUZZY_MIN_LENGTH letters or more, the CLOSE_TERMS words of the vocabulary
    nearest to it with a similarity of TRIGRAM_THRESHOLD or more, nearest first; in one query.
    The GiST index walks the nearest words first (`<->` is 1 - similarity), so neither the
    threshold setting of `%` nor the size of the vocabulary matters."""
    typed = [word for word in words if len(word) >= FUZZY_MIN_LENGTH]
    if not typed:
        return {}
    sql = """
        SELECT typed.word, close.word
        FROM unnest(%s::text[]) WITH ORDINALITY AS typed (word, position)
        CROSS JOIN LATERAL (
            SELECT known.word, known.word <-> typed.word AS distance
            FROM catalog_search_word AS known
            WHERE known.word <> typed.word
            ORDER BY known.word <-> typed.word
            LIMIT %s
        ) AS close
        WHERE similarity(close.word, typed.word) >= %s
        ORDER BY typed.position, close.distance, close.word
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [typed, CLOSE_TERMS, TRIGRAM_THRESHOLD])
        found = cursor.fetchall()
    close: dict[str, list[str]] = {word: [] for word in typed}
    for word, close_word in found:
        if close_word not in close[word]:  # the vocabulary may hold a word twice
            close[word].append(close_word)
    return close


# --- SQLite -----------------------------------------------------------------------------------


def sqlite_exact(words: list[str], index: KeywordIndex) -> KeywordCondition:
    return sqlite_condition(words, index, " AND ".join(fts_word(word) for word in words))


def sqlite_condition(words: list[str], index: KeywordIndex, match: str) -> KeywordCondition:
    # IN (…): joined to the FTS table, SQLite may start from the products and run the full-text
    # query again for each of them (seconds, not milliseconds).
    fts, table = quote(index.fts), quote(index.table)
    in_name = " AND ".join(f"instr(lower({index.name}), %s) > 0" for _ in words)
    return KeywordCondition(
        where=f"{table}.id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)",
        params=[match],
        relevance=f"({in_name}) * {NAME_FIRST} - bm25({fts})",  # bm25: lower is better
        relevance_params=list(words),
        fts_match=match,
    )


def sqlite_known(words: list[str], index: KeywordIndex) -> bool:
    fts = quote(index.fts)
    sql = f"SELECT 1 FROM {fts} WHERE {fts} MATCH %s LIMIT %s"
    match = " AND ".join(fts_word(word) for word in words)
    return count_of(sql, [match, FUZZY_BELOW]) >= FUZZY_BELOW


def sqlite_fuzzy(words: list[str], index: KeywordIndex) -> KeywordCondition | None:
    close = close_terms(words, index)
    if not any(close.values()):
        return None
    groups = (
        " OR ".join([fts_word(word), *(fts_string(term) for term in close.get(word, ()))])
        for word in words
    )
    exact = sqlite_exact(words, index)
    fuzzy = sqlite_condition(words, index, " AND ".join(f"({group})" for group in groups))
    # bm25 alone would put a rare close spelling above the words as written.
    exact_first = f"({exact.where}) * 10 * {NAME_FIRST}"
    return KeywordCondition(
        where=fuzzy.where,
        params=fuzzy.params,
        relevance=f"{exact_first} + {fuzzy.relevance}",
        relevance_params=[*exact.params, *fuzzy.relevance_params],
        fts_match=fuzzy.fts_match,
    )


@dataclass(frozen=True)
class Engine:
    exact: Callable[[list[str], KeywordIndex], KeywordCondition]
    known: Callable[[list[str], KeywordIndex], bool]
    fuzzy: Callable[[list[str], KeywordIndex], KeywordCondition | None]


POSTGRES = Engine(postgres_exact, postgres_known, postgres_fuzzy)
SQLITE = Engine(sqlite_exact, sqlite_known, sqlite_fuzzy)


def engine_here() -> Engine:
    return POSTGRES if connection.vendor == "postgresql" else SQLITE


def fts_word(word: str) -> str:
    # A prefix of one or two letters would match half the index.
    return fts_string(word) + ("*" if len(word) >= 3 else "")


def fts_string(text: str) -> str:
    """An FTS5 string: inside double quotes, `OR`, `NEAR(`, `*` and `-` are plain text."""
    return '"' + text.replace('"', '""') + '"'


def close_terms(words: list[str], index: KeywordIndex) -> dict[str, list[str]]:
    """Terms of the index close to each word of four letters or more, in one query. The
    vocabulary is read only under the words' first letters (fts5vocab serves a range of terms
    without reading the rest), so a typo in the first letter is not forgiven."""
    letters = sorted({word[0] for word in words if len(word) >= FUZZY_MIN_LENGTH})
    if not letters:
        return {}
    vocabulary = quote(f"{index.fts}_vocab")
    ranges = [f"SELECT term, doc FROM {vocabulary} WHERE term >= %s AND term < %s"] * len(letters)
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(ranges),
            [bound for letter in letters for bound in (letter, chr(ord(letter) + 1))],
        )
        terms = cursor.fetchall()
    return {word: closest(word, terms) for word in words if len(word) >= FUZZY_MIN_LENGTH}


def closest(word: str, terms: list[tuple[str, int]]) -> list[str]:
    """The CLOSE_TERMS terms nearest to `word` (within 1 edit up to 5 letters, 2 above), the more
    common first among equals."""
    limit = 1 if len(word) <= 5 else 2
    scored = sorted(
        (distance, -documents, term)
        for term, documents in terms
        if term != word
        and term[:1] == word[:1]
        and abs(len(term) - len(word)) <= limit
        and (distance := edit_distance(word, term)) <= limit
    )
    return [term for _, _, term in scored[:CLOSE_TERMS]]


def edit_distance(first: str, second: str) -> int:
    """Levenshtein distance counting a swap of neighbours as one edit ("gual" → "gula")."""
    before, previous = [], list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], before[j - 2] + 1)
        before, previous = previous, current
    return previous[-1]
