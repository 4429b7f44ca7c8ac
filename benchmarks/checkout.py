"""Checkout under load: service level, over HTTP, and pgbench on the same server as yardstick."""

import contextlib
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.common import (
    CHECKOUT_CAP,
    CHECKOUT_POSTGRES_URL,
    CHECKOUT_STOCK,
    CHECKOUT_THREADS,
    DATABASES,
    POSTGRES_URL,
    SEED,
    CheckoutLedger,
    Config,
    CpuMeter,
    Row,
    benchmark,
    child,
    children_rss_mib,
    generated_roster,
    gunicorn_check,
    gunicorn_start,
    gunicorn_stop,
    gunicorn_wait,
    load_run,
    log,
    maintenance_url,
    prepare_database,
    run_child,
    source_version,
)

CHECKOUT_MERCHANTS, CHECKOUT_PRODUCTS, CHECKOUT_BUYERS = 500, 20_000, 320
QUICK_CHECKOUT_MERCHANTS, QUICK_CHECKOUT_PRODUCTS, QUICK_CHECKOUT_BUYERS = 40, 800, 64
CHECKOUT_REPEATS = 3
CHECKOUT_SECONDS, QUICK_CHECKOUT_SECONDS = 15.0, 3.0
WARM_UP_SECONDS = 1.0
CHECKOUT_CARTS = 4_096
SERVICE_TARGET_RATIO = 0.5  # of pgbench tps (PERFORMANCE.md)
HTTP_TARGET_RATE, HTTP_TARGET_P99 = 150.0, 0.250
PGBENCH = shutil.which("pgbench") or "/usr/bin/pgbench"
PGBENCH_SCALE, PGBENCH_CLIENTS, PGBENCH_THREADS = 10, 8, 2
PGBENCH_SECONDS, QUICK_PGBENCH_SECONDS = 20, 3
# Named after the bench database, so that two checkout runs under different
# PEKEN_BENCH_POSTGRES_URL names do not drop each other's yardstick.
PGBENCH_DATABASE = urlsplit(POSTGRES_URL).path.lstrip("/") + "_pgbench"
# gunicorn settings tried; quick mode tries the first only. In trials on 2 cores with 16 clients
# the checkout is CPU-bound: sync workers (-w 2, 3, 4 alike within the noise, 6 worse) match
# gthread's throughput with half its p99; gthread threads queue for the GIL (-w 2 --threads 8
# was worst).
GUNICORN_SETTINGS = (
    "-w 3 -k sync",
    "-w 4 -k gthread --threads 4",
    "-w 4 -k gthread --threads 2",
)
CHECKOUT_PATH = "/api/v1/checkout"
REPLAY_SCRIPTS = 64  # pgbench takes at most 128


@dataclass
class LoadRow(Row):
    """A line of the checkout table: a rate under load rather than seconds per run."""

    rates: list[float] = field(default_factory=list)  # per timed repetition
    p50: float | None = None  # seconds, median over the repetitions
    p95: float | None = None
    p99: float | None = None
    errors: int = 0
    target_text: str = "—"
    status: str = "—"
    ratio: str = "—"
    cpu: dict[str, float] = field(default_factory=dict)  # ms per operation, median of the runs
    notes: list[str] = field(default_factory=list)


@benchmark(
    "checkout",
    title="Checkout under load",
    intro=(
        "`peken.ordering.services.checkout_place` and `POST /api/v1/checkout` on a fresh database "
        "(bundled regions, the demo OPD list) with a catalog from `catalog_generate`: "
        f"{CHECKOUT_PRODUCTS:,} products of {CHECKOUT_MERCHANTS:,} shops "
        f"({QUICK_CHECKOUT_PRODUCTS:,} of {QUICK_CHECKOUT_MERCHANTS} in quick mode), every stocked "
        f"product at {CHECKOUT_STOCK:,}, and {CHECKOUT_BUYERS} ASN buyers from a roster import "
        f"({QUICK_CHECKOUT_BUYERS} in quick mode). The city's default cap is set far above what "
        "the run sells, so no cart is refused, but every cart still reserves it (ASN buyers). "
        "Carts from a seeded mix: 1–3 shops, 1–3 lines each, 1–3 of each, pickup or delivery; "
        "an `Idempotency-Key` per checkout, as the API sends it. "
        f"*Service level*: {CHECKOUT_THREADS} threads in one process, each with its own database "
        "connection, call `checkout_place` in a loop. "
        "*HTTP*: gunicorn on 127.0.0.1 (DEBUG off, `CONN_MAX_AGE=60`), "
        f"{CHECKOUT_THREADS} client threads on keep-alive connections (sync workers close them) "
        "posting carts with a bearer token each; a few worker settings. "
        f"{CHECKOUT_REPEATS} timed runs of {CHECKOUT_SECONDS:g} s after a short warm-up "
        f"(one run of {QUICK_CHECKOUT_SECONDS:g} s in quick mode); checkouts per second and the "
        "latency percentiles are the median over the runs; an error is any refused checkout "
        "(any response but 201). "
        "Yardstick: pgbench TPC-B-like on the same server in the same run "
        f"(scale {PGBENCH_SCALE}, {PGBENCH_CLIENTS} clients, {PGBENCH_THREADS} threads, "
        f"{PGBENCH_SECONDS} s runs interleaved with the service-level runs; "
        f"{QUICK_PGBENCH_SECONDS} s in quick mode). A second line replays through pgbench the "
        "very SQL that real checkouts sent: what PostgreSQL alone can do of this work. "
        "CPU per operation: milliseconds of CPU time per checkout (per transaction for pgbench) "
        "of the app (the benchmark process at service level, gunicorn and its workers over "
        "HTTP), of every PostgreSQL process on the machine, and of the load client. "
        "Targets: service level ≥ 50% of pgbench tps; over HTTP ≥ 150 checkouts/s with p99 "
        "under 250 ms. After the load the section fails unless every shop's cap ledger equals the "
        "goods of its live ASN orders, no stock is negative, every stocked product is down by "
        "exactly what its live orders hold, and there is one checkout per accepted request. "
        "SQLite gets the service-level line only: no pgbench to compare with, and no server to "
        "share between gunicorn workers in the way this deployment runs."
    ),
    table=lambda rows: checkout_table(rows),
)
def bench_checkout(config: Config) -> list[Row]:
    rows: list[Row] = []
    for database in config.databases:
        result = run_child("checkout", database, config, postgres_url=CHECKOUT_POSTGRES_URL)
        rows.extend(checkout_report_rows(database, result, config))
    return rows


def checkout_report_rows(database: str, result: dict, config: Config) -> list[LoadRow]:
    label = DATABASES[database]
    if "skipped" in result:
        return [LoadRow(label, "all", 0, skipped=result["skipped"])]
    checked = not config.quick
    tpcb, replay = result["pgbench"], result["replay"]
    yardstick = statistics.median(run["tps"] for run in tpcb) if tpcb else None
    rows = []
    if tpcb:
        rows.append(
            pgbench_row(
                label,
                f"yardstick: pgbench TPC-B-like, scale {PGBENCH_SCALE}, "
                f"{PGBENCH_CLIENTS} clients, {PGBENCH_THREADS} threads",
                tpcb,
            )
        )
        ceiling = pgbench_row(
            label,
            f"the checkout's own SQL, captured from {REPLAY_SCRIPTS} checkouts and replayed by "
            f"pgbench, {CHECKOUT_THREADS} clients (no Python)",
            replay,
        )
        ceiling.yardstick = yardstick
        ceiling.ratio = f"{statistics.median(ceiling.rates) / yardstick:.0%}"
        rows.append(ceiling)
    elif database == "postgresql":
        rows.append(LoadRow(label, "yardstick: pgbench", 0, skipped=result["pgbench_skipped"]))
    service = load_row(
        label, f"service level: `checkout_place`, {CHECKOUT_THREADS} threads", result["service"]
    )
    if yardstick:
        ratio = statistics.median(service.rates) / yardstick
        service.yardstick, service.ratio = yardstick, f"{ratio:.0%}"
        service.target_text = f"≥ {SERVICE_TARGET_RATIO:.0%} of pgbench"
        service.status = status_text(checked, ratio >= SERVICE_TARGET_RATIO, service.errors)
    else:  # no target without the yardstick
        service.status = errors_status(service.errors)
    rows.append(service)
    alone = load_row(
        label, "service level, 1 thread (one checkout at a time)", result["service_alone"]
    )
    alone.status = errors_status(alone.errors)
    rows.append(alone)
    for setting, runs in result["http"].items():
        row = load_row(label, f"HTTP, {CHECKOUT_THREADS} clients, gunicorn `{setting}`", runs)
        rate = statistics.median(row.rates)
        row.target_text = f"≥ {HTTP_TARGET_RATE:g}/s, p99 < {HTTP_TARGET_P99 * 1000:g} ms"
        met = rate >= HTTP_TARGET_RATE and row.p99 < HTTP_TARGET_P99
        row.status = status_text(checked, met, row.errors)
        if yardstick:
            row.yardstick, row.ratio = yardstick, f"{rate / yardstick:.0%}"
        rows.append(row)
    if database != "postgresql":
        for row in rows:
            row.cpu = {"app": row.cpu["app"]}  # the database runs inside the app's process
    rows[-1].notes = result["notes"] + cpu_notes(label, rows)
    return rows


def pgbench_row(label: str, measurement: str, runs: list[dict]) -> "LoadRow":
    cpu = median_cpu(runs)
    cpu.pop("app")  # pgbench is the client; nothing of this process runs
    return LoadRow(
        label,
        measurement,
        sum(run["transactions"] for run in runs),
        rates=[run["tps"] for run in runs],
        cpu=cpu,
    )


def load_row(label: str, measurement: str, runs: list[dict]) -> "LoadRow":
    def median_of(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    return LoadRow(
        label,
        measurement,
        sum(run["count"] for run in runs),
        rates=[run["rate"] for run in runs],
        p50=median_of("p50"),
        p95=median_of("p95"),
        p99=median_of("p99"),
        errors=sum(run["errors"] for run in runs),
        cpu=median_cpu(runs),
    )


def median_cpu(runs: list[dict]) -> dict[str, float]:
    return {key: statistics.median(run["cpu"][key] for run in runs) for key in runs[0]["cpu"]}


def cpu_notes(label: str, rows: list) -> list[str]:
    """What the CPU per operation allows on this machine's cores, beside what was measured."""
    cores = os.cpu_count() or 1
    lines = []
    for row in rows:
        total = sum(row.cpu.values())
        if row.skipped or not total:
            continue
        line = (
            f"{label}, {row.measurement}: {total:.1f} ms of CPU per operation in all "
            f"(app / PostgreSQL / client: {cpu_text(row.cpu)}); {cores} cores allow at most "
            f"{cores * 1000 / total:,.0f} per second"
        )
        if row.measurement.startswith("service level") and row.cpu.get("app"):
            # One process runs Python on one core at a time, whatever its threads.
            line += f", one Python process at most {1000 / row.cpu['app']:,.0f}"
        lines.append(f"{line}; {statistics.median(row.rates):,.0f} measured.")
    return lines


def cpu_text(cpu: dict[str, float]) -> str:
    return " / ".join(f"{cpu[key]:.1f}" if key in cpu else "—" for key in CPU_PARTS)


def errors_status(errors: int) -> str:
    """The status of a line without a target: every checkout must still go through."""
    return "**FAIL** (errors)" if errors else "—"


def status_text(checked: bool, met: bool, errors: int) -> str:
    if errors:
        return errors_status(errors)
    if not checked:
        return "not checked (quick)"
    return "pass" if met else "**FAIL**"


CPU_PARTS = ("app", "postgresql", "client")
CHECKOUT_TABLE_HEADER = (
    "| Database | Measurement | Count | Per second (median) | Min–max per second | p50 (ms) "
    "| p95 (ms) | p99 (ms) | Errors | CPU per operation (ms): app / PostgreSQL / client "
    "| Target | Status | Yardstick: pgbench (tps) | Ratio |\n"
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|--:|--:|"
)


def checkout_table(rows: list[Row]) -> list[str]:
    lines = [CHECKOUT_TABLE_HEADER]
    notes: list[str] = []
    for row in rows:
        notes += getattr(row, "notes", [])
        if row.skipped:
            skipped = row.skipped.replace("|", "\\|")
            cells = [row.database, row.measurement, *["—"] * 9, f"skipped: {skipped}", "—", "—"]
            lines.append("| " + " | ".join(cells) + " |")
            continue

        def milliseconds(seconds: float | None) -> str:
            return "—" if seconds is None else f"{seconds * 1000:.1f}"

        cells = [
            row.database,
            row.measurement,
            f"{row.rows:,}",
            f"{statistics.median(row.rates):,.0f}",
            f"{min(row.rates):,.0f}–{max(row.rates):,.0f}",
            milliseconds(row.p50),
            milliseconds(row.p95),
            milliseconds(row.p99),
            str(row.errors) if row.p50 is not None else "—",
            cpu_text(row.cpu) if row.cpu else "—",
            row.target_text,
            row.status,
            f"{row.yardstick:,.0f}" if row.yardstick else "—",
            row.ratio,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + ([""] + [f"- {note}" for note in notes] if notes else [])


@child("checkout")
def child_checkout(config: Config) -> dict:
    from django.db import connection

    prepare_database()
    shop = checkout_data_load(config)
    seconds = QUICK_CHECKOUT_SECONDS if config.quick else CHECKOUT_SECONDS
    pgbench_seconds = QUICK_PGBENCH_SECONDS if config.quick else PGBENCH_SECONDS
    repeats = 1 if config.quick else CHECKOUT_REPEATS
    ledger = CheckoutLedger()
    result: dict = {"notes": [], "service": [], "pgbench": [], "replay": [], "http": {}}
    result["notes"].append(f"{DATABASES[connection.vendor]}: measured on {source_version()}.")
    result["notes"].append(checkout_queries_note(*checkout_query_counts(shop, ledger)))
    service_load(shop, ledger, "warm-up", WARM_UP_SECONDS)
    # A reference: one checkout at a time, no GIL or lock to share.
    alone = seconds / 2 if config.quick else seconds
    result["service_alone"] = [service_load(shop, ledger, "1 thread", alone, threads=1)]
    if connection.vendor != "postgresql":
        for index in range(repeats):
            result["service"].append(service_load(shop, ledger, f"run {index}", seconds))
    else:
        with (
            tempfile.TemporaryDirectory(prefix="peken-replay-") as scripts_dir,
            pgbench_scratch(CHECKOUT_POSTGRES_URL) as pgbench,
        ):
            scripts = checkout_replay_scripts(shop, ledger, Path(scripts_dir))
            if pgbench is None:
                result["pgbench_skipped"] = f"{PGBENCH} not found"
            for index in range(repeats):  # interleaved: the machine's noise hits all alike
                if pgbench is not None:
                    result["pgbench"].append(pgbench.tpcb(pgbench_seconds))
                    result["replay"].append(pgbench.replay(scripts, pgbench_seconds))
                    log(f"pgbench run {index}: {result['pgbench'][-1]}, {result['replay'][-1]}")
                result["service"].append(service_load(shop, ledger, f"run {index}", seconds))
        result["replayed"] = sum(run["transactions"] for run in result["replay"])
        for setting in GUNICORN_SETTINGS[:1] if config.quick else GUNICORN_SETTINGS:
            warm_up = WARM_UP_SECONDS * (1 if config.quick else 2)
            runs, notes = http_load(shop, ledger, setting, seconds, repeats, warm_up)
            result["http"][setting] = runs
            result["notes"] += notes
    connection.close()
    invariants = checkout_invariants(ledger, result.get("replayed", 0))
    result["notes"].append(f"{DATABASES[connection.vendor]}: {invariants}")
    return result


def checkout_queries_note(service: list[int], http: list[int]) -> str:
    from django.db import connection

    def spread(counts: list[int]) -> str:
        return f"{statistics.median(counts):g} ({min(counts)}–{max(counts)})"

    unseen = ""
    if connection.vendor == "postgresql":
        unseen = "; not counted: the connection health check of each request (`SELECT 1`)"
    return (
        f"{DATABASES[connection.vendor]}: SQL statements per checkout, median of "
        f"{len(service)} carts: `checkout_place` {spread(service)}, the whole HTTP request "
        f"{spread(http)}, BEGIN and COMMIT included{unseen}."
    )


@dataclass
class CheckoutShop:
    """What the load needs: buyers, their tokens, and seeded carts (API request bodies)."""

    buyer_ids: list[int]
    tokens: dict[int, str]
    carts: list[dict]


def checkout_data_load(config: Config) -> CheckoutShop:
    from django.db import connection

    from peken.accounts.models import User
    from peken.accounts.roster import roster_import
    from peken.accounts.services import token_issue
    from peken.catalog.models import Product
    from peken.catalog.selectors import products_visible
    from peken.demo.people import roster_csv
    from peken.demo.shops import catalog_generate
    from peken.policy.models import CityPolicy

    merchants, products, buyers = (
        (QUICK_CHECKOUT_MERCHANTS, QUICK_CHECKOUT_PRODUCTS, QUICK_CHECKOUT_BUYERS)
        if config.quick
        else (CHECKOUT_MERCHANTS, CHECKOUT_PRODUCTS, CHECKOUT_BUYERS)
    )
    started = time.perf_counter()
    catalog_generate(merchant_count=merchants, product_count=products, seed=SEED)
    Product.objects.filter(is_made_to_order=False).update(stock=CHECKOUT_STOCK)
    CityPolicy.objects.update_or_create(pk=1, defaults={"default_cap": CHECKOUT_CAP})
    roster_import(data=roster_csv(generated_roster(buyers)), actor="bench")
    buyer_ids = list(
        User.objects.filter(asn_profile__is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    tokens = {pk: token_issue(user=User(pk=pk), name="bench") for pk in buyer_ids}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    by_merchant: dict[int, list[int]] = {}
    sellable = products_visible().filter(
        merchant__offers_pickup=True, merchant__offers_delivery=True
    )
    for pk, merchant_id in sellable.order_by("pk").values_list("pk", "merchant_id"):
        by_merchant.setdefault(merchant_id, []).append(pk)
    carts = seeded_carts(random.Random(SEED), by_merchant, CHECKOUT_CARTS)
    log(
        f"checkout data: {products:,} products, {merchants:,} shops, {len(buyer_ids)} ASN "
        f"buyers in {time.perf_counter() - started:.1f} s"
    )
    return CheckoutShop(buyer_ids, tokens, carts)


def seeded_carts(rng: random.Random, by_merchant: dict[int, list[int]], count: int) -> list[dict]:
    """Request bodies of `POST /api/v1/checkout`: 1–3 shops, 1–3 lines of each."""
    shops = sorted(by_merchant)
    carts = []
    for number in range(count):
        items = []
        for merchant_id in rng.sample(shops, min(len(shops), rng.randint(1, 3))):
            catalog = by_merchant[merchant_id]
            for product_id in rng.sample(catalog, min(len(catalog), rng.randint(1, 3))):
                items.append({"product_id": product_id, "quantity": rng.randint(1, 3)})
        delivery = rng.random() < 0.5
        carts.append(
            {
                "items": items,
                "fulfilment": "delivery" if delivery else "pickup",
                "address": f"Jl. Bench Gg. {number % 9 + 1} No. {number % 120 + 1}"
                if delivery
                else "",
                "delivery_kelurahan": None,
            }
        )
    return carts


def checkout_arguments(cart: dict, key: str) -> dict:
    """`checkout_place` keyword arguments for a cart, as the API view builds them."""
    return {
        "lines": [(item["product_id"], item["quantity"]) for item in cart["items"]],
        "fulfilment": cart["fulfilment"],
        "address": cart["address"],
        "delivery_kelurahan_code": cart["delivery_kelurahan"],
        "idempotency_key": key,
    }


def checkout_query_counts(shop: CheckoutShop, ledger: CheckoutLedger) -> tuple[list, list]:
    """SQL statements of one checkout, by the service and by a whole HTTP request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from peken.accounts.models import User
    from peken.ordering.services import checkout_place

    buyer = User.objects.get(pk=shop.buyer_ids[0])
    checkout_place(buyer=buyer, **checkout_arguments(shop.carts[-1], "probe-warm"))
    service, http = [], []
    for number, cart in enumerate(shop.carts[-6:-1]):
        with CaptureQueriesContext(connection) as queries:
            checkout_place(buyer=buyer, **checkout_arguments(cart, f"probe-service-{number}"))
        service.append(len(queries.captured_queries))
        if number == 0:
            log(f"SQL of one checkout ({len(cart['items'])} lines):")
            for query in queries.captured_queries:
                log(f"  {query['sql'][:160]}")
    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        client = Client()
        headers = {"Authorization": f"Bearer {shop.tokens[buyer.pk]}"}
        for number, cart in enumerate(shop.carts[-6:-1]):
            with CaptureQueriesContext(connection) as queries:
                response = client.post(
                    CHECKOUT_PATH,
                    data=json.dumps(cart),
                    content_type="application/json",
                    headers={**headers, "Idempotency-Key": f"probe-http-{number}"},
                )
            if response.status_code != 201:
                raise RuntimeError(f"probe checkout refused: {response.status_code} {response}")
            http.append(len(queries.captured_queries))
    ledger.add(1 + len(service) + len(http))
    log(f"statements per checkout: service {service}, HTTP {http}")
    return service, http


def checkout_replay_scripts(shop: CheckoutShop, ledger: CheckoutLedger, directory: Path) -> list:
    """pgbench scripts of the very SQL that REPLAY_SCRIPTS checkouts sent (captured as they
    ran): PostgreSQL's own ceiling for this work, without Python. Replayed rows are told apart by
    their checkout having no idempotency key; their orders join the captured checkout's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peken.accounts.models import User
    from peken.ordering.services import checkout_place

    buyers = list(User.objects.filter(pk__in=shop.buyer_ids[:REPLAY_SCRIPTS]))
    scripts = []
    for number, cart in enumerate(shop.carts[:REPLAY_SCRIPTS]):
        key = f"replay-{number}"
        buyer = buyers[number % len(buyers)]
        buyer.has_role("asn")  # role grants read before, as a request reads them
        with CaptureQueriesContext(connection) as queries:
            checkout_place(buyer=buyer, **checkout_arguments(cart, key))
        statements = [query["sql"].replace(f"'{key}'", "NULL") for query in queries]
        script = directory / f"checkout-{number}.sql"
        script.write_text("".join(f"{statement};\n" for statement in statements))
        scripts.append(script)
    ledger.add(len(scripts))
    return scripts


def service_load(
    shop: CheckoutShop,
    ledger: CheckoutLedger,
    name: str,
    seconds: float,
    threads: int = CHECKOUT_THREADS,
) -> dict:
    """`threads` threads calling `checkout_place`, each on its own connection."""
    from django.db import connection

    from peken.accounts.models import User
    from peken.ordering.services import checkout_place

    tag = f"svc-{name}-{time.time_ns()}"

    def start(index: int) -> list:
        mine = shop.buyer_ids[index::threads]
        return list(User.objects.filter(pk__in=mine).order_by("pk"))

    def stop(buyers: list) -> None:
        connection.close()  # this thread's own

    def step(buyers: list, index: int, number: int) -> None:
        cart = shop.carts[(number * threads + index) % len(shop.carts)]
        checkout_place(
            buyer=buyers[number % len(buyers)],
            **checkout_arguments(cart, f"{tag}-{index}-{number}"),
        )

    meter = CpuMeter()
    run = load_run(f"service {name}", seconds, start, step, stop, ledger, threads)
    run["cpu"] = meter.per_operation(run["count"])
    log(f"  CPU per checkout (ms): {run['cpu']}")
    return run


# --- yardstick: pgbench on the same server ----------------------------------------------------


@dataclass
class Pgbench:
    """pgbench against the server of `url`; every run returns (tps, transactions, CPU)."""

    url: str

    def arguments(self) -> list[str]:
        parts = urlsplit(self.url)
        return [
            f"--host={parts.hostname or '127.0.0.1'}",
            f"--port={parts.port or 5432}",
            f"--username={parts.username or 'postgres'}",
        ]

    def environment(self) -> dict[str, str]:
        password = urlsplit(self.url).password
        return dict(os.environ, PGPASSWORD=password) if password else dict(os.environ)

    def call(self, options: list[str], database: str, timeout: float) -> str:
        done = subprocess.run(
            [PGBENCH, *self.arguments(), *options, database],
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pgbench {options[:3]} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def measure(self, options: list[str], database: str, seconds: int) -> dict:
        meter = CpuMeter()
        output = self.call([*options, f"--time={seconds}"], database, seconds + 120)
        tps, transactions = pgbench_figures(output)
        cpu = meter.per_operation(transactions)
        return {"tps": tps, "transactions": transactions, "cpu": cpu}

    def tpcb(self, seconds: int) -> dict:
        options = [f"--client={PGBENCH_CLIENTS}", f"--jobs={PGBENCH_THREADS}"]
        return self.measure(options, PGBENCH_DATABASE, seconds)

    def replay(self, scripts: list[Path], seconds: int) -> dict:
        """The scripts picked at random per transaction, CHECKOUT_THREADS clients."""
        options = ["--no-vacuum", f"--client={CHECKOUT_THREADS}", f"--jobs={PGBENCH_THREADS}"]
        options += [f"--file={script}" for script in scripts]
        return self.measure(options, urlsplit(self.url).path.lstrip("/"), seconds)


@contextlib.contextmanager
def pgbench_scratch(url: str):
    """Yields a Pgbench with its TPC-B-like scratch database initialised, or None without
    pgbench. The scratch database is dropped afterwards, whatever happens."""
    import psycopg

    if not Path(PGBENCH).exists():
        yield None
        return

    def scratch(statement: str) -> None:
        with psycopg.connect(maintenance_url(url), autocommit=True, connect_timeout=3) as conn:
            conn.execute(statement)

    pgbench = Pgbench(url)
    scratch(f'DROP DATABASE IF EXISTS "{PGBENCH_DATABASE}" WITH (FORCE)')
    scratch(f'CREATE DATABASE "{PGBENCH_DATABASE}"')
    try:
        pgbench.call(["--initialize", f"--scale={PGBENCH_SCALE}", "--quiet"], PGBENCH_DATABASE, 300)
        yield pgbench
    finally:
        scratch(f'DROP DATABASE IF EXISTS "{PGBENCH_DATABASE}" WITH (FORCE)')


def pgbench_figures(output: str) -> tuple[float, int]:
    """(tps, transactions) from pgbench's report."""
    tps = re.search(r"^tps = ([0-9.]+) \(without initial connection time\)", output, re.M)
    tps = tps or re.search(r"^tps = ([0-9.]+)", output, re.M)
    done = re.search(r"^number of transactions actually processed: (\d+)", output, re.M)
    if tps is None or done is None:
        raise RuntimeError(f"pgbench printed no tps:\n{output}")
    return round(float(tps.group(1)), 1), int(done.group(1))


# --- checkout over HTTP -----------------------------------------------------------------------


class CheckoutRefused(Exception):
    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"HTTP {status}: {body[:160]!r}")
        self.code = f"HTTP {status}"


def http_load(
    shop: CheckoutShop,
    ledger: CheckoutLedger,
    setting: str,
    seconds: float,
    repeats: int,
    warm_up: float,
) -> tuple[list[dict], list[str]]:
    """Timed runs against gunicorn started with `setting`; gunicorn stops whatever happens."""
    with tempfile.TemporaryDirectory(prefix="peken-gunicorn-") as logs:
        server, port = gunicorn_start(setting, Path(logs))
        try:
            gunicorn_wait(server, port, Path(logs))
            # Each worker reads the URLconf and the API on its first request: seconds.
            warm = http_run(shop, ledger, server.pid, port, f"{setting}, warm-up", warm_up)
            runs = [
                http_run(shop, ledger, server.pid, port, f"{setting}, run {index}", seconds)
                for index in range(repeats)
            ]
            # Refusals while warming up are refusals all the same.
            runs[0]["errors"] += warm["errors"]
            memory = sorted(children_rss_mib(server.pid))
            gunicorn_check(server, Path(logs))
        finally:
            gunicorn_stop(server)
    notes = []
    if memory:
        notes.append(
            f"gunicorn `{setting}`: {len(memory)} workers, resident memory after the load "
            f"{memory[0]:.0f}–{memory[-1]:.0f} MB (goal ≤ 120 MB)."
        )
    return runs, notes


def http_run(
    shop: CheckoutShop, ledger: CheckoutLedger, server: int, port: int, name: str, seconds: float
) -> dict:
    tag = f"http-{time.time_ns()}"
    bodies = [json.dumps(cart).encode() for cart in shop.carts]

    def start(index: int) -> tuple[http.client.HTTPConnection, list[str]]:
        mine = shop.buyer_ids[index::CHECKOUT_THREADS]
        return http.client.HTTPConnection("127.0.0.1", port, timeout=30), [
            shop.tokens[pk] for pk in mine
        ]

    def step(state, index: int, number: int) -> None:
        client, tokens = state
        headers = {
            "Authorization": f"Bearer {tokens[number % len(tokens)]}",
            "Idempotency-Key": f"{tag}-{index}-{number}",
            "Content-Type": "application/json",
        }
        body = bodies[(number * CHECKOUT_THREADS + index) % len(bodies)]
        try:
            client.request("POST", CHECKOUT_PATH, body=body, headers=headers)
            response = client.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException):
            client.close()  # the next request opens a new connection
            raise
        if response.status != 201:
            raise CheckoutRefused(response.status, answer)

    meter = CpuMeter(group=server)
    run = load_run(
        f"HTTP {name}", seconds, start, step, stop=lambda state: state[0].close(), ledger=ledger
    )
    run["cpu"] = meter.per_operation(run["count"])
    log(f"  CPU per checkout (ms): {run['cpu']}")
    return run


# --- after the load: the invariants -----------------------------------------------------------


def checkout_invariants(ledger: CheckoutLedger, replayed: int) -> str:
    """Raises unless the ledger, the stock and the checkouts agree with the orders: every rule of
    `peken check-invariants`, stock against the load's starting stock, and the bench's own."""
    from django.db.models import Count

    from peken.catalog.models import Product
    from peken.integrity.invariants import RULES, invariants_check, reserved_stock
    from peken.ordering.models import Checkout, Order
    from peken.quotas.models import MerchantMonthQuota

    live = Order.objects.exclude(status=Order.Status.CANCELLED)
    stocked = Product.objects.filter(is_made_to_order=False).values_list("pk", flat=True)
    # pgbench's replayed checkouts are rows without orders (their SQL adds orders to the
    # checkouts it was captured from): the keyed ones are checked for orders below instead.
    rules = [name for name in RULES if name != "checkouts_have_orders"]
    baseline = dict.fromkeys(stocked, CHECKOUT_STOCK)
    problems = [
        f"{result.name}: {example}"
        for result in invariants_check(stock_baseline=baseline, only=rules)
        for example in result.examples
    ]
    quotas = MerchantMonthQuota.objects.count()
    taken = reserved_stock()
    keyed = Checkout.objects.filter(idempotency_key__isnull=False)
    checkouts = keyed.count()
    if checkouts != ledger.accepted:
        problems.append(f"{checkouts} checkouts in the database, {ledger.accepted} accepted")
    if Checkout.objects.filter(idempotency_key=None).count() != replayed:
        problems.append(f"replayed checkouts are not the {replayed} pgbench reported")
    empty = keyed.annotate(orders_count=Count("orders")).filter(orders_count=0).count()
    if empty:
        problems.append(f"{empty} checkouts without an order")
    if problems:
        for problem in problems[:20]:
            log(f"INVARIANT BROKEN: {problem}")
        raise RuntimeError(f"checkout invariants broken ({len(problems)} problems shown)")
    summary = (
        f"invariants after the load hold: {checkouts:,} checkouts (+ {replayed:,} replayed), "
        f"{live.count():,} live orders; {quotas} shop-months whose cap ledger equals "
        f"their live ASN orders' goods; no negative stock; {len(taken):,} products down by "
        "exactly what was sold; the ledger, payments and roll-ups agree."
    )
    log(summary)
    return summary
