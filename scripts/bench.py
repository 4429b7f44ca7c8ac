"""Peken benchmarks: `make bench` runs every registered benchmark and writes BENCHMARKS.md.

A benchmark is a function registered with @benchmark that returns rows for the report. Work that
needs Django runs in a child process per database (this script with --child), so each database
gets its own environment and Django settings load fresh; the child prints JSON on stdout.

    .venv/bin/python scripts/bench.py                 # full size, writes BENCHMARKS.md
    .venv/bin/python scripts/bench.py --quick         # smoke test: small file, one repetition
    .venv/bin/python scripts/bench.py --profile --database sqlite   # cProfile the imports
    .venv/bin/python scripts/bench.py --only search --output /tmp/bench-search.md
"""

import argparse
import contextlib
import cProfile
import csv
import datetime as dt
import gc
import io
import json
import os
import platform
import pstats
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ".venv/bin/python scripts/bench.py"
POSTGRES_URL = os.environ.get(
    "PEKEN_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/peken_bench"
)
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
ASN_SURABAYA = 16_175  # Surabaya's ASN count: the size the roster import must handle
ROSTER_TARGET_SECONDS = 10.0  # from the issue, for every database
FULL_REPEATS = 5  # at least 3: the reference machine has 2 noisy cores
QUICK_ROWS = 1_000
SEED = 1


@dataclass(frozen=True)
class Config:
    quick: bool
    profile: bool
    databases: tuple[str, ...]

    @property
    def rows(self) -> int:
        return QUICK_ROWS if self.quick else ASN_SURABAYA

    @property
    def repeats(self) -> int:
        return 1 if self.quick else FULL_REPEATS


@dataclass
class Row:
    """One line of a report table; `seconds` is empty when the measurement was skipped."""

    database: str
    measurement: str
    rows: int
    seconds: list[float] = field(default_factory=list)
    target: float | None = None
    yardstick: float | None = None
    skipped: str = ""


@dataclass(frozen=True)
class Benchmark:
    title: str
    intro: str
    run: Callable[[Config], list[Row]]
    # The section's table, when the default (seconds per run) does not fit its figures.
    table: Callable[[list[Row]], list[str]] | None = None


BENCHMARKS: dict[str, Benchmark] = {}
CHILDREN: dict[str, Callable[[Config], dict]] = {}


def benchmark(name: str, *, title: str, intro: str, table=None):
    def register(function: Callable[[Config], list[Row]]):
        BENCHMARKS[name] = Benchmark(title, intro, function, table)
        return function

    return register


def child(name: str):
    def register(function: Callable[[Config], dict]):
        CHILDREN[name] = function
        return function

    return register


# --- the ASN roster import --------------------------------------------------------------------


@benchmark(
    "roster",
    title="ASN roster import",
    intro=(
        "`peken.accounts.roster.roster_import` on a generated roster of Surabaya's size "
        f"({ASN_SURABAYA:,} ASN; {QUICK_ROWS:,} in quick mode), on a fresh database with the "
        "bundled regions and the demo OPD list. *first import*: empty roster, every row created "
        "(roster emptied before each repetition). *re-import*: the same file again, every row "
        "unchanged. "
        f"Target: under {ROSTER_TARGET_SECONDS:g} s (median) per import. "
        "Yardstick: parse the same CSV with `csv` and write it with a plain `executemany` INSERT "
        "into a scratch table on the same database; the ratio (import / yardstick) is the figure "
        "to compare across machines, for the same database only (the yardstick writes in-process "
        "on SQLite but through a socket to a server on PostgreSQL)."
    ),
)
def bench_roster(config: Config) -> list[Row]:
    rows: list[Row] = []
    for database in config.databases:
        result = run_child("roster", database, config)
        rows.extend(roster_report_rows(DATABASES[database], result, config))
    return rows


def roster_report_rows(label: str, result: dict, config: Config) -> list[Row]:
    target = None if config.quick else ROSTER_TARGET_SECONDS  # the target is for full size
    if "skipped" in result:
        return [Row(label, "all", config.rows, skipped=result["skipped"])]
    yardstick = statistics.median(result["yardstick"])
    return [
        Row(label, name, result["rows"], seconds, target, yardstick)
        for name, seconds in result["measurements"].items()
    ]


@child("roster")
def child_roster(config: Config) -> dict:
    from peken.accounts.roster import roster_import
    from peken.demo.people import roster_csv, roster_xlsx

    prepare_database()
    people = generated_roster(config.rows)
    csv_data, xlsx_data = roster_csv(people), roster_xlsx(people)

    def load(data: bytes, expect: str) -> Callable[[], None]:
        def action() -> None:
            result = roster_import(data=data, actor="bench")
            # A benchmark of an import that silently did something else would be worthless.
            if getattr(result, expect) != config.rows:
                raise RuntimeError(f"expected {config.rows} {expect}, got {result}")

        return action

    yardstick = repeat(
        config, "yardstick", lambda: yardstick_insert(csv_data), before=yardstick_table
    )
    plan = {
        "first import, CSV": (load(csv_data, "created"), empty_roster),
        "re-import, CSV (unchanged)": (load(csv_data, "unchanged"), None),
        "first import, XLSX": (load(xlsx_data, "created"), empty_roster),
    }
    measurements = {
        name: repeat(config, name, action, before) for name, (action, before) in plan.items()
    }
    if config.profile:
        for data in (csv_data, xlsx_data):
            profile(load(data, "created"), before=empty_roster)
    return {"rows": config.rows, "yardstick": yardstick, "measurements": measurements}


def prepare_database() -> None:
    """Schema, regions and OPDs as `peken demo` loads them."""
    from django.core.management import call_command

    from peken.demo.services import opd_load_surabaya
    from peken.regions.services import regions_import_bundled

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    regions_import_bundled(actor="bench")
    opd_load_surabaya(actor="bench")
    log(f"database ready in {time.perf_counter() - started:.1f} s")


def generated_roster(count: int) -> list[dict[str, str]]:
    from peken.demo.services import city_roster_rows

    return city_roster_rows(count, seed=SEED)


def empty_roster() -> None:
    """Removes what an import created. Audit entries stay: PostgreSQL refuses to delete them."""
    from django.db import connection

    from peken.accounts.models import AsnProfile, RoleGrant, User

    tables = [connection.ops.quote_name(m._meta.db_table) for m in (RoleGrant, AsnProfile, User)]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")
        if connection.vendor == "postgresql":
            # Without it the next import steps over 16,000 dead rows in every unique index,
            # which a first import on a new database never does.
            cursor.execute(f"VACUUM ANALYZE {', '.join(tables)}")


# --- yardstick: the same rows written the plainest way ----------------------------------------

YARDSTICK_TABLE = "bench_yardstick"
YARDSTICK_COLUMNS = 11  # the columns of peken.demo.people.ROSTER_HEADER


def yardstick_table() -> None:
    from django.db import connection

    columns = ", ".join(f"c{index} varchar(200)" for index in range(1, YARDSTICK_COLUMNS))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {YARDSTICK_TABLE}")
        cursor.execute(f"CREATE TABLE {YARDSTICK_TABLE} (c0 varchar(200) PRIMARY KEY, {columns})")


def yardstick_insert(data: bytes) -> None:
    from django.db import connection, transaction

    reader = csv.reader(io.StringIO(data.decode("utf-8")))
    next(reader)  # header
    rows = list(reader)
    marks = ", ".join(["%s"] * YARDSTICK_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {YARDSTICK_TABLE} VALUES ({marks})", rows)


# --- search on a city-sized catalog -----------------------------------------------------------

CATALOG_MERCHANTS, CATALOG_PRODUCTS = 5_000, 200_000
QUICK_MERCHANTS, QUICK_PRODUCTS = 150, 3_000
SEARCH_QUERIES, QUICK_SEARCH_QUERIES = 200, 20
MERCHANT_QUERIES, QUICK_MERCHANT_QUERIES = 50, 10
SEARCH_TARGET_SECONDS = 0.050  # p95, on PostgreSQL (PERFORMANCE.md)
# Words every shop catalog has many of, and the kinds of query a buyer types (weights).
COMMON_WORDS = (
    "beras", "gula", "minyak goreng", "telur", "kopi", "teh", "sabun", "mi instan",
    "air mineral", "susu", "bawang", "tepung", "kecap", "sambal", "batik", "kue", "rawon",
    "tempe", "beras 5 kg", "gula pasir 1 kg",
)  # fmt: skip
QUERY_KINDS = (
    ("common keyword", 30),
    ("rare keyword", 15),
    ("shop name", 10),
    ("typo", 15),
    ("no keyword", 30),
)
PRODUCT_SORTS = ((None, 35), ("price_asc", 15), ("price_desc", 10), ("newest", 15), ("nearest", 25))


@benchmark(
    "search",
    title="Search",
    intro=(
        "`peken.catalog.search.product_search` (and `merchant_search`) as the API calls it, on a "
        f"catalog from `peken.demo.shops.catalog_generate`: {CATALOG_PRODUCTS:,} products of "
        f"{CATALOG_MERCHANTS:,} verified shops over every kelurahan ({QUICK_PRODUCTS:,} of "
        f"{QUICK_MERCHANTS:,} in quick mode), bulk-loaded, then `VACUUM ANALYZE` on PostgreSQL and "
        "`ANALYZE` on SQLite. "
        f"{SEARCH_QUERIES} product queries ({QUICK_SEARCH_QUERIES} in quick mode) from a seeded "
        "mix: common keywords (beras, minyak goreng …), rare ones (a product's own name), shop "
        "names, typos (letters dropped, doubled, swapped), no keyword; a third with one or two "
        "filters (category, shop kind, kecamatan, kelurahan, price range, in stock); every sort "
        "(relevance, price both ways, newest, nearest to a random kelurahan); pages 1–5. Each "
        "query runs once to warm up, then is timed once; a time covers the selector's every "
        "query and building the page's model instances (not JSON). Latency per query in "
        "milliseconds. Target: p95 under 50 ms on PostgreSQL. Yardstick: the median of "
        "200 primary-key lookups of a product with its shop (`select_related`) through the ORM "
        "on the same database in the same run; ratio = p95 / yardstick."
    ),
    table=lambda rows: [SEARCH_TABLE_HEADER, *(search_table_line(row) for row in rows)],
)
def bench_search(config: Config) -> list[Row]:
    rows: list[Row] = []
    for database in config.databases:
        result = run_child("search", database, config)
        rows.extend(search_report_rows(database, result, config))
    return rows


def search_report_rows(database: str, result: dict, config: Config) -> list[Row]:
    label = DATABASES[database]
    if "skipped" in result:
        return [Row(label, "all", 0, skipped=result["skipped"])]
    target = SEARCH_TARGET_SECONDS if database == "postgresql" and not config.quick else None
    yardstick = statistics.median(result["yardstick"])
    products = result["products"]
    rows = [Row(label, "products, every query", len(products), products, target, yardstick)]
    for kind, seconds in result["kinds"].items():
        rows.append(Row(label, f"products: {kind}", len(seconds), seconds, None, yardstick))
    merchants = result["merchants"]
    rows.append(Row(label, "shops, every query", len(merchants), merchants, None, yardstick))
    return rows


SEARCH_TABLE_HEADER = (
    "| Database | Measurement | Queries | Median (ms) | p95 (ms) | Max (ms) | Target | Status "
    "| Yardstick (ms) | p95 / yardstick |\n"
    "|---|---|--:|--:|--:|--:|--:|---|--:|--:|"
)


def search_table_line(row: Row) -> str:
    if row.skipped:
        skipped = row.skipped.replace("|", "\\|")
        cells = [row.database, row.measurement, *["—"] * 5, f"skipped: {skipped}", "—", "—"]
        return "| " + " | ".join(cells) + " |"
    p95 = percentile(row.seconds, 95)
    if row.target is None:
        target, status = "—", "—"
    else:
        target, status = (
            f"p95 < {row.target * 1000:g} ms",
            "pass" if p95 < row.target else "**FAIL**",
        )
    cells = [
        row.database,
        row.measurement,
        str(row.rows),
        f"{statistics.median(row.seconds) * 1000:.1f}",
        f"{p95 * 1000:.1f}",
        f"{max(row.seconds) * 1000:.1f}",
        target,
        status,
        f"{row.yardstick * 1000:.2f}",
        f"{p95 / row.yardstick:.0f}×",
    ]
    return "| " + " | ".join(cells) + " |"


def percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile: the value below which `percent` % of the values lie."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))  # ceiling
    return ordered[int(rank) - 1]


@child("search")
def child_search(config: Config) -> dict:
    from peken.catalog.search import merchant_search, product_search

    prepare_database()
    catalog_load(config)
    rng = random.Random(SEED)
    queries = product_queries(rng, QUICK_SEARCH_QUERIES if config.quick else SEARCH_QUERIES)
    shop_queries = merchant_queries(
        rng, QUICK_MERCHANT_QUERIES if config.quick else MERCHANT_QUERIES
    )
    yardstick = primary_key_lookups(rng, 200)
    products = timed_searches(product_search, [params for _, params in queries])
    kinds: dict[str, list[float]] = {}
    for (kind, _), seconds in zip(queries, products, strict=True):
        kinds.setdefault(kind, []).append(seconds)
    merchants = timed_searches(merchant_search, shop_queries)
    slowest = sorted(zip(products, queries, strict=True), key=lambda pair: -pair[0])[:5]
    for seconds, (kind, params) in slowest:
        log(f"slow: {seconds * 1000:.1f} ms {kind} {params}")
    return {"products": products, "kinds": kinds, "merchants": merchants, "yardstick": yardstick}


def catalog_load(config: Config) -> None:
    from django.db import connection

    from peken.demo.shops import catalog_generate

    merchants, products = (
        (QUICK_MERCHANTS, QUICK_PRODUCTS) if config.quick else (CATALOG_MERCHANTS, CATALOG_PRODUCTS)
    )
    started = time.perf_counter()
    catalog_generate(merchant_count=merchants, product_count=products, seed=SEED)
    elapsed = time.perf_counter() - started
    log(f"catalog of {products:,} products, {merchants:,} shops in {elapsed:.1f} s")
    # Planner statistics, as a deployment keeps them. Without them SQLite guesses that
    # "verified" picks a few shops, starts from the shops and runs the full-text query again
    # for each: seconds per search instead of milliseconds.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def product_queries(rng: random.Random, count: int) -> list[tuple[str, dict]]:
    """(kind, product_search arguments) for `count` queries a city's buyers might make."""
    from peken.catalog.models import Category, Product
    from peken.merchants.models import Merchant
    from peken.regions.models import Kecamatan, Kelurahan

    kelurahan = list(Kelurahan.objects.values_list("code", flat=True))
    kecamatan = list(Kecamatan.objects.values_list("code", flat=True))
    categories = list(Category.objects.values_list("slug", flat=True))
    product_names = rng.sample(list(Product.objects.values_list("name", flat=True)), count)
    shop_names = rng.sample(list(Merchant.objects.values_list("name", flat=True)), count)
    kinds, weights = zip(*QUERY_KINDS, strict=True)
    queries = []
    for _ in range(count):
        kind = rng.choices(kinds, weights)[0]
        params: dict = {}
        if kind == "common keyword":
            params["q"] = rng.choice(COMMON_WORDS)
        elif kind == "rare keyword":
            params["q"] = " ".join(rng.choice(product_names).split()[:3])
        elif kind == "shop name":
            params["q"] = rng.choice(shop_names)
        elif kind == "typo":
            params["q"] = misspelled(rng, rng.choice(COMMON_WORDS).split()[0])
        if rng.random() < 0.35:
            params.update(product_filters(rng, kelurahan, kecamatan, categories))
        sort = rng.choices(*zip(*PRODUCT_SORTS, strict=True))[0]
        if sort:
            params["sort"] = sort
        if sort == "nearest" or rng.random() < 0.1:
            params["near_kelurahan"] = rng.choice(kelurahan)
        params["page"] = 1 if rng.random() < 0.75 else rng.randint(2, 5)
        queries.append((kind, params))
    return queries


def product_filters(rng, kelurahan: list, kecamatan: list, categories: list) -> dict:
    choices = {
        "category": lambda: rng.choice(categories),
        "merchant_kind": lambda: rng.choice(["toko_kelontong", "umkm"]),
        "kecamatan": lambda: rng.choice(kecamatan),
        "kelurahan": lambda: rng.choice(kelurahan),
        "min_price": lambda: rng.choice([5_000, 10_000, 25_000]),
        "max_price": lambda: rng.choice([50_000, 100_000, 250_000]),
        "in_stock": lambda: True,
    }
    return {name: choices[name]() for name in rng.sample(sorted(choices), rng.randint(1, 2))}


def misspelled(rng: random.Random, word: str) -> str:
    """The word with one slip of the finger, never on its first letter."""
    at = rng.randrange(1, len(word))
    slips = [
        lambda: word[:at] + word[at + 1 :],  # dropped: "bras"
        lambda: word[:at] + word[at] + word[at:],  # doubled: "berras"
        lambda: (
            word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :] if at > 1 else word + word[-1]
        ),
        lambda: word[:at] + rng.choice("aiueo") + word[at + 1 :],  # a vowel for another letter
    ]
    return rng.choice(slips)()


def merchant_queries(rng: random.Random, count: int) -> list[dict]:
    from peken.merchants.models import Merchant
    from peken.regions.models import Kelurahan

    kelurahan = list(Kelurahan.objects.values_list("code", flat=True))
    names = rng.sample(list(Merchant.objects.values_list("name", flat=True)), count)
    words = ("toko", "warung", "batik", "depot rawon", "katering", "kerajinan", "sembako")
    queries = []
    for _ in range(count):
        params: dict = rng.choice([{"q": rng.choice(names)}, {"q": rng.choice(words)}, {}])
        if rng.random() < 0.4:
            params["kind"] = rng.choice(["toko_kelontong", "umkm"])
        params["sort"] = rng.choice([None, "name", "newest", "nearest"])
        if params["sort"] == "nearest":
            params["near_kelurahan"] = rng.choice(kelurahan)
        queries.append(params)
    return queries


def timed_searches(search: Callable[..., object], queries: list[dict]) -> list[float]:
    for params in queries:  # warm-up: caches, the planner's statistics, the connection
        search(**params)
    gc.collect()
    seconds = []
    for params in queries:
        started = time.perf_counter()
        search(**params)
        seconds.append(round(time.perf_counter() - started, 6))
    return seconds


def primary_key_lookups(rng: random.Random, count: int) -> list[float]:
    from peken.catalog.models import Product

    ids = list(Product.objects.values_list("pk", flat=True))
    chosen = [rng.choice(ids) for _ in range(count)]
    for pk in chosen[:20]:
        Product.objects.select_related("merchant").get(pk=pk)
    seconds = []
    for pk in chosen:
        started = time.perf_counter()
        Product.objects.select_related("merchant").get(pk=pk)
        seconds.append(round(time.perf_counter() - started, 6))
    return seconds


# --- timing -----------------------------------------------------------------------------------


def repeat(
    config: Config,
    name: str,
    action: Callable[[], None],
    before: Callable[[], None] | None = None,
) -> list[float]:
    seconds = []
    for _ in range(config.repeats):
        if before is not None:
            before()
        gc.collect()  # so one repetition does not pay for the garbage of the previous one
        started = time.perf_counter()
        action()
        seconds.append(round(time.perf_counter() - started, 4))
    log(f"{name}: {seconds}")
    return seconds


def profile(action: Callable[[], None], before: Callable[[], None]) -> None:
    before()
    profiler = cProfile.Profile()
    profiler.runcall(action)
    for order in ("cumulative", "tottime"):
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats(order).print_stats(30)


def log(message: str) -> None:
    print(f"  [bench] {message}", file=sys.stderr, flush=True)


# --- running a child per database -------------------------------------------------------------


def run_child(name: str, database: str, config: Config) -> dict:
    """Runs CHILDREN[name] against a fresh `database`; {"skipped": why} if it is unavailable."""
    with tempfile.TemporaryDirectory(prefix="peken-bench-") as data_dir:
        env = child_environment(database, data_dir)
        if database == "postgresql":
            error = postgres_recreate(POSTGRES_URL)
            if error:
                return {"skipped": f"PostgreSQL not reachable ({error})"}
        command = [sys.executable, str(Path(__file__).resolve()), "--child", name]
        command += ["--database", database] + config_flags(config)
        log(f"{name} on {DATABASES[database]}")
        # stderr passes through so progress and tracebacks show; stdout carries the JSON.
        completed = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"bench: child {name} on {database} failed ({completed.returncode})")
    return json.loads(completed.stdout)


def child_environment(database: str, data_dir: str) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="peken.settings", SECRET_KEY="bench", DEBUG="0")
    # Even on PostgreSQL the settings create static/ under the data directory: keep it in tmp.
    env["PEKEN_DATA_DIR"] = data_dir
    env.pop("DATABASE_URL", None)
    if database == "postgresql":
        env["DATABASE_URL"] = POSTGRES_URL
    return env


def config_flags(config: Config) -> list[str]:
    return (["--quick"] if config.quick else []) + (["--profile"] if config.profile else [])


def maintenance_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def postgres_recreate(url: str) -> str:
    """Drops and creates the bench database; returns an error message instead of raising."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    try:
        with psycopg.connect(maintenance_url(url), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return ""


# --- the report -------------------------------------------------------------------------------


def machine_lines() -> list[str]:
    return [
        f"- Date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores",
        f"- Memory: {memory_gib():.1f} GiB",
        f"- Python {platform.python_version()}, PostgreSQL {postgres_version()}, "
        f"SQLite {sqlite3.sqlite_version}",
    ]


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def memory_gib() -> float:
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    return 0.0


def postgres_version() -> str:
    import psycopg

    try:
        with psycopg.connect(maintenance_url(POSTGRES_URL), connect_timeout=3) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error:
        return "not reachable"


TABLE_HEADER = (
    "| Database | Measurement | Median (s) | Min–max (s) | Rows/s | Target | Status "
    "| Yardstick (s) | Ratio |\n"
    "|---|---|--:|--:|--:|--:|---|--:|--:|"
)


def table_line(row: Row) -> str:
    if row.skipped:
        skipped = row.skipped.replace("|", "\\|")  # a pipe would split the markdown cell
        cells = [row.database, row.measurement, "—", "—", "—", "—", f"skipped: {skipped}"]
        return "| " + " | ".join(cells + ["—", "—"]) + " |"
    median = statistics.median(row.seconds)
    if row.target is None:
        target, status = "—", "not checked (quick)"
    else:
        target, status = f"< {row.target:g} s", "pass" if median < row.target else "**FAIL**"
    cells = [
        row.database,
        row.measurement,
        seconds_text(median),
        f"{seconds_text(min(row.seconds))}–{seconds_text(max(row.seconds))}",
        f"{row.rows / median:,.0f}",
        target,
        status,
        seconds_text(row.yardstick) if row.yardstick else "—",
        f"{median / row.yardstick:.1f}×" if row.yardstick else "—",
    ]
    return "| " + " | ".join(cells) + " |"


def seconds_text(seconds: float) -> str:
    return f"{seconds:.2f}" if seconds >= 1 else f"{seconds:.3f}"


def report(config: Config, sections: list[tuple[Benchmark, list[Row]]], elapsed: float) -> str:
    times = "1 repetition" if config.repeats == 1 else f"{config.repeats} repetitions"
    size = f"{config.rows:,} rows, {times} per measurement"
    mode = "quick smoke test, figures not comparable" if config.quick else "full"
    lines = [
        "# Peken benchmarks",
        "",
        f"Generated by `make bench` (`{COMMAND}`); do not edit by hand. "
        f"Mode: {mode} ({size}); the run took {elapsed:.0f} s. "
        "Times are wall-clock seconds, median and range over the repetitions.",
        "",
        *machine_lines(),
    ]
    for bench, rows in sections:
        lines += ["", f"## {bench.title}", "", bench.intro, ""]
        if bench.table is not None:
            lines += bench.table(rows)
        else:
            lines += [TABLE_HEADER, *(table_line(row) for row in rows)]
    return "\n".join(lines) + "\n"


# --- entry point ------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small file, one repetition (CI)")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--database", choices=DATABASES, help="only this database")
    parser.add_argument("--profile", action="store_true", help="cProfile a CSV and an XLSX import")
    parser.add_argument("--only", choices=BENCHMARKS, action="append", help="only this benchmark")
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def child_main(args: argparse.Namespace, config: Config) -> int:
    import django

    django.setup()
    # Anything a service prints must not corrupt the JSON the parent reads from stdout.
    with contextlib.redirect_stdout(sys.stderr):
        result = CHILDREN[args.child](config)
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    databases = (args.database,) if args.database else tuple(DATABASES)
    config = Config(quick=args.quick, profile=args.profile, databases=databases)
    if args.child:
        return child_main(args, config)
    started = time.perf_counter()
    chosen = [bench for name, bench in BENCHMARKS.items() if not args.only or name in args.only]
    sections = [(bench, bench.run(config)) for bench in chosen]
    args.output.write_text(report(config, sections, time.perf_counter() - started))
    print(f"bench: wrote {args.output} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
