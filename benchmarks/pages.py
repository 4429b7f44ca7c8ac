"""The buyer pages, one at a time, against a bare view."""

import http.client
import random
import statistics
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.common import (
    CATALOG_MERCHANTS,
    CATALOG_PRODUCTS,
    POSTGRES_URL,
    QUICK_PRODUCTS,
    SEED,
    CheckoutLedger,
    Config,
    CpuMeter,
    Row,
    benchmark,
    cache_text,
    catalog_load,
    child,
    gunicorn_check,
    gunicorn_start,
    gunicorn_stop,
    gunicorn_wait,
    load_run,
    log,
    prepare_database,
    run_child,
)

PAGES_POSTGRES_URL = urlunsplit(
    urlsplit(POSTGRES_URL)._replace(path=urlsplit(POSTGRES_URL).path + "_pages")
)
PAGES_WORKERS = "-w 2 -k gthread --threads 4"
PAGES_CLIENTS = 16
PAGES_SECONDS, QUICK_PAGES_SECONDS = 10.0, 2.0
PAGES_REPEATS = 3
PAGES_TARGET_RATIO = 0.25  # of the bare view's requests per second, same run
PAGES_SEARCH_P95_MS = 100.0
BARE_PAGE = "bare view /sehat/"
NEVER_ASKED = "search, a new query each request"
PAGES_WITHOUT_TARGET = (NEVER_ASKED,)


@benchmark(
    "pages",
    title="Buyer pages under load",
    intro=(
        "Each page on its own for "
        f"{PAGES_SECONDS:g} s ({QUICK_PAGES_SECONDS:g} s quick), {PAGES_REPEATS} runs (1 quick), "
        f"median shown: {PAGES_CLIENTS} keep-alive clients (Python threads on the same machine) "
        f"against gunicorn `{PAGES_WORKERS}`, DEBUG off, on PostgreSQL with a catalog of "
        f"{CATALOG_PRODUCTS:,} products in {CATALOG_MERCHANTS:,} shops "
        f"({QUICK_PRODUCTS:,} quick), signed in as an ASN with an order. "
        "Yardstick: `/sehat/`, a bare Django view (middleware only: no session read, no "
        "database, no template), served by the same gunicorn in the same run. *CPU* is the "
        "gunicorn workers' CPU per request (ms), *queries* the statements one request runs "
        f"(in-process, warm). Targets: every page ≥ {PAGES_TARGET_RATIO:g}× the bare view's "
        f"requests per second; the keyword search p95 under {PAGES_SEARCH_P95_MS:g} ms."
    ),
    table=lambda rows: pages_table(rows),
)
def bench_pages(config: Config) -> list[Row]:
    if "postgresql" not in config.databases:
        return [Row("PostgreSQL", "all", 0, skipped="PostgreSQL only")]
    result = run_child("pages", "postgresql", config, postgres_url=PAGES_POSTGRES_URL)
    if "skipped" in result:
        return [Row("PostgreSQL", "all", 0, skipped=result["skipped"])]
    rows = []
    for name, runs in result["pages"].items():
        row = Row("PostgreSQL", name, sum(run["count"] for run in runs))
        row.runs, row.queries = runs, result["queries"].get(name)
        rows.append(row)
    return rows


PAGES_TABLE_HEADER = (
    "| Page | Req/s | × bare | p50 (ms) | p95 (ms) | p99 (ms) | CPU (ms) | Queries | Errors "
    "| Status |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"
)


def pages_table(rows: list[Row]) -> list[str]:
    lines = [PAGES_TABLE_HEADER]
    bare = next((row for row in rows if row.measurement == BARE_PAGE), None)
    bare_rate = statistics.median(run["rate"] for run in bare.runs) if bare else 0.0
    for row in rows:
        if row.skipped:
            lines.append(f"skipped: {row.skipped}")
            continue
        rate = statistics.median(run["rate"] for run in row.runs)
        ratio = rate / bare_rate if bare_rate else 0.0
        p95 = statistics.median(run["p95"] for run in row.runs) * 1000
        errors = sum(run["errors"] for run in row.runs)
        informational = row.measurement in PAGES_WITHOUT_TARGET
        met = errors == 0 and (row.measurement == BARE_PAGE or ratio >= PAGES_TARGET_RATIO)
        if row.measurement.startswith("search with keyword"):
            met = met and p95 < PAGES_SEARCH_P95_MS
        cells = [
            row.measurement,
            f"{rate:.0f}",
            f"{ratio:.2f}",
            f"{statistics.median(run['p50'] for run in row.runs) * 1000:.1f}",
            f"{p95:.1f}",
            f"{statistics.median(run['p99'] for run in row.runs) * 1000:.1f}",
            f"{statistics.median(run['cpu']['app'] for run in row.runs):.1f}",
            "" if row.queries is None else str(row.queries),
            str(errors),
            status_of_page(row.measurement == BARE_PAGE, informational, met),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(f"\nCache: {cache_text()}.")
    return lines


def status_of_page(yardstick: bool, informational: bool, met: bool) -> str:
    if yardstick:
        return "yardstick"
    if informational:
        return "no target (nothing kept)"
    return "pass" if met else "**FAIL**"


@child("pages")
def child_pages(config: Config) -> dict:
    from django.db import connection

    prepare_database()
    catalog_load(config)
    buyer, pages = pages_world()
    queries = pages_query_counts(buyer, pages)
    cookie = pages_session_cookie(buyer)
    connection.close()
    seconds = QUICK_PAGES_SECONDS if config.quick else PAGES_SECONDS
    repeats = 1 if config.quick else PAGES_REPEATS
    with tempfile.TemporaryDirectory(prefix="peken-pages-") as folder:
        server, port = gunicorn_start(PAGES_WORKERS, Path(folder), PAGES_POSTGRES_URL)
        try:
            gunicorn_wait(server, port, Path(folder))
            measured = {name: [] for name in pages}
            # Rounds of every page in turn, so the machine's noise falls on all pages alike.
            for round_number in range(repeats + 1):
                for name, path in pages.items():
                    run = page_run(server.pid, port, path, cookie, seconds if round_number else 1)
                    if round_number:  # the first round warms every worker up
                        measured[name].append(run)
            gunicorn_check(server, Path(folder))
        finally:
            gunicorn_stop(server)
    return {"pages": measured, "queries": queries}


def pages_world():
    """An ASN of the city with a paid order, and the pages to measure (name → path)."""
    from peken.accounts.models import AsnProfile
    from peken.accounts.roster import roster_import
    from peken.catalog.models import Product
    from peken.demo.people import roster_csv
    from peken.demo.services import city_roster_rows
    from peken.ordering.services import checkout_place
    from peken.payments.services import payment_start

    roster_import(data=roster_csv(city_roster_rows(20, seed=SEED)), actor="bench")
    buyer = AsnProfile.objects.exclude(domicile_kelurahan=None).order_by("pk").first().user
    product = (
        Product.objects.filter(is_active=True, stock__gt=0, merchant__status="verified")
        .order_by("pk")
        .first()
    )
    placed = checkout_place(buyer=buyer, lines=[(product.pk, 1)], fulfilment="pickup")
    payment = payment_start(buyer=buyer, checkout_id=placed.checkout.pk, method="qris")
    return buyer, {
        BARE_PAGE: "/sehat/",
        "service worker /sw.js": "/sw.js",
        "home /": "/",
        "search with keyword /cari/?q=beras": "/cari/?q=beras",
        # Every request a page no one asked for yet: what a search costs when nothing is kept.
        NEVER_ASKED: SearchNeverAsked(),
        "search without keyword /cari/": "/cari/",
        "product page": f"/barang/{product.pk}/",
        "shop page": f"/toko/{product.merchant_id}/",
        "cart /keranjang/": "/keranjang/",
        "orders /pesanan/": "/pesanan/",
        "payment page": f"/bayar/{payment.reference}/",
    }


class SearchNeverAsked:
    """Searches for the catalog's own words, each in turn: a word comes round again long after
    what was kept for it expired, so nothing kept answers (a buyer's miss, as it costs)."""

    def __init__(self) -> None:
        from peken.catalog.models import Product

        names = Product.objects.values_list("name", flat=True)[:20_000]
        words = {word.lower() for name in names for word in name.split() if word.isalpha()}
        self.words = sorted(word for word in words if len(word) >= 4)

    def __call__(self, number: int) -> str:
        return f"/cari/?q={self.words[number % len(self.words)]}"


def page_path(path, number: int) -> str:
    return path(number) if callable(path) else path


def pages_query_counts(buyer, pages: dict) -> dict[str, int]:
    """Statements per request, signed in, after one warm-up request of each page."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(buyer)
    counts = {}
    with override_settings(ALLOWED_HOSTS=["*"]):
        for name, path in pages.items():
            client.get(page_path(path, 0), secure=True)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(page_path(path, 1), secure=True)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
            counts[name] = len(captured.captured_queries)
    log(f"queries per page: {counts}")
    return counts


def pages_session_cookie(buyer) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(buyer)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def page_run(server: int, port: int, path, cookie: str, seconds: float) -> dict:
    headers = {"Cookie": cookie, "Host": "127.0.0.1"}
    salt = random.randrange(1, 1_000_000) * 100_000_000  # no two runs ask the same new query

    def start(index: int) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def step(client: http.client.HTTPConnection, index: int, number: int) -> None:
        try:
            client.request(
                "GET", page_path(path, salt + index * 1_000_000 + number), headers=headers
            )
            response = client.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            client.close()
            raise
        if response.status != 200:
            raise PageRefused(response.status)

    meter = CpuMeter(group=server)
    run = load_run(
        f"GET {page_path(path, 0)}",
        seconds,
        start,
        step,
        stop=lambda client: client.close(),
        ledger=CheckoutLedger(),
        threads=PAGES_CLIENTS,
    )
    run["cpu"] = meter.per_operation(run["count"])
    return run


class PageRefused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.code = f"http_{status}"
