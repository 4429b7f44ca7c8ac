"""Search on a city-sized catalog."""

import gc
import random
import statistics
import time
from collections.abc import Callable

from benchmarks.common import (
    CATALOG_MERCHANTS,
    CATALOG_PRODUCTS,
    DATABASES,
    QUICK_MERCHANTS,
    QUICK_PRODUCTS,
    SEED,
    Config,
    Row,
    benchmark,
    catalog_load,
    child,
    log,
    percentile,
    prepare_database,
    run_child,
)

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
