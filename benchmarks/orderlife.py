"""An order's whole life through the services."""

import contextlib
import datetime as dt
import gc
import os
import random
import statistics
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.common import (
    CHECKOUT_CAP,
    CHECKOUT_STOCK,
    DATABASES,
    POSTGRES_URL,
    SEED,
    Config,
    Row,
    benchmark,
    child,
    generated_roster,
    log,
    prepare_database,
    profile,
    run_child,
    source_version,
)

ORDER_LIFE_POSTGRES_URL = urlunsplit(
    urlsplit(POSTGRES_URL)._replace(path=urlsplit(POSTGRES_URL).path + "_orderlife")
)
ORDER_LIFE_ORDERS, QUICK_ORDER_LIFE_ORDERS = 200, 20
ORDER_LIFE_REPEATS = 5
ORDER_LIFE_TARGET_SHARE = 1 / 3  # issue 13: a third of the figure before the refactor
# Measured with this section on commit 5e411ac (main's order step, before the refactor).
ORDER_LIFE_BEFORE = {
    "commit": "commit 5e411ac",
    "date": "2026-12-05",
    "rows": {
        "SQLite": (24.2, 0.0, "10 / 13 / 29 / 6 / 6 / 11, payout run 14"),
        "PostgreSQL": (27.8, 7.3, "10 / 13 / 29 / 6 / 6 / 11, payout run 14"),
    },
    "simulation": (
        "`peken simulate --compare --seed 1 --database postgresql --asn 325 --merchants 58 "
        "--products 1250` (a fortieth of Surabaya, the three policies side by side, the machine "
        "shared with other work both times): 767–785 s per policy before (commit 5e411ac), "
        "406–414 s after (commit 0d89383); the same orders (1,431 / 1,430 / 1,446), turnover "
        "and cap refusals, every invariant holding in both."
    ),
}
ORDER_LIFE_STEPS = ("checkout", "charge", "webhook (paid)", "accept", "deliver/ready", "confirm")


@benchmark(
    "orderlife",
    title="An order's whole life",
    intro=(
        f"{ORDER_LIFE_ORDERS} orders ({QUICK_ORDER_LIFE_ORDERS} in quick mode) taken one after "
        "another through the services on a fresh database (20 shops, 400 products, 100 ASN): "
        "`checkout_place` (one shop, 1–3 lines, pickup or delivery), `payment_start` (simulator "
        "charge), `payment_simulate` (the signed webhook: paid), the shop's accept and "
        "deliver/ready, the buyer's confirm, then one `payouts_run` for the batch: ledger, "
        "roll-ups and notifications included. CPU per order life: this process's user+system "
        "time and, on PostgreSQL, its backend's (from /proc), divided by the orders; median of "
        f"{ORDER_LIFE_REPEATS} batches (1 in quick mode). Statements per step counted on one more "
        "order, BEGIN/COMMIT/SAVEPOINT included. Target (issue 13): at most a third of the "
        "figure before the order step's refactor, on each database."
    ),
    table=lambda rows: order_life_table(rows),
)
def bench_order_life(config: Config) -> list[Row]:
    rows = []
    for database in config.databases:
        result = run_child("orderlife", database, config, postgres_url=ORDER_LIFE_POSTGRES_URL)
        if "skipped" in result:
            rows.append(Row(DATABASES[database], "all", 0, skipped=result["skipped"]))
            continue
        row = Row(DATABASES[database], "order life", result["orders"], result["app_ms"])
        row.run = result
        rows.append(row)
    return rows


def order_life_table(rows: list[Row]) -> list[str]:
    steps = " | ".join(ORDER_LIFE_STEPS)
    lines = [
        f"| Database | Orders × batches | CPU ms per order: app | database | total | {steps} "
        "| payout run |",
        "|---|--:|--:|--:|--:|" + "--:|" * (len(ORDER_LIFE_STEPS) + 1),
    ]
    for row in rows:
        if row.skipped:
            lines.append(f"| {row.database} | skipped: {row.skipped} |")
            continue
        run = row.run
        app, db = statistics.median(run["app_ms"]), statistics.median(run["db_ms"])
        counts = [str(run["statements"][step]) for step in (*ORDER_LIFE_STEPS, "payout run")]
        cells = [row.database, f"{row.rows} × {len(run['app_ms'])}", f"{app:.1f}", f"{db:.1f}"]
        lines.append("| " + " | ".join([*cells, f"{app + db:.1f}", *counts]) + " |")
    lines += ["", "Statements per step are in the last columns.", ""]
    lines += [
        f"Before the order step's refactor (issue 18 item 1, issue 13 item 4), the same section "
        f"on {ORDER_LIFE_BEFORE['commit']} ({ORDER_LIFE_BEFORE['date']}, same machine, full mode):"
    ]
    for database, (app, db, statements) in ORDER_LIFE_BEFORE["rows"].items():
        lines.append(
            f"- {database}: {app:.1f} ms app + {db:.1f} ms database = {app + db:.1f} ms per order "
            f"life; statements per step {statements}."
        )
    for row in rows:
        if row.skipped or row.database not in ORDER_LIFE_BEFORE["rows"]:
            continue
        app, db, _ = ORDER_LIFE_BEFORE["rows"][row.database]
        now = statistics.median(row.run["app_ms"]) + statistics.median(row.run["db_ms"])
        target = (app + db) * ORDER_LIFE_TARGET_SHARE
        verdict = "met" if now <= target else "**not met**"
        lines.append(
            f"- {row.database}: now {now:.1f} ms, {now / (app + db):.0%} of before; target "
            f"≤ {target:.1f} ms: {verdict}."
        )
    lines += ["", ORDER_LIFE_BEFORE["simulation"], ""]
    lines += [f"- {row.database}: {row.run['version']}" for row in rows if not row.skipped]
    return lines


@child("orderlife")
def child_order_life(config: Config) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prepare_database()
    world = order_life_world()
    count = QUICK_ORDER_LIFE_ORDERS if config.quick else ORDER_LIFE_ORDERS
    backend = order_life_backend_pid()
    rng = random.Random(SEED)
    order_life_batch(world, rng, 5, day=0)  # warm-up: caches, compiled templates, imports
    app_ms, db_ms = [], []
    for index in range(1 if config.quick else ORDER_LIFE_REPEATS):
        gc.collect()
        db_before = order_life_backend_ticks(backend)
        started = time.process_time()
        order_life_batch(world, rng, count, day=index + 1)
        app_ms.append(round((time.process_time() - started) * 1000 / count, 2))
        ticks = order_life_backend_ticks(backend) - db_before
        db_ms.append(round(ticks * 1000 / os.sysconf("SC_CLK_TCK") / count, 2))
        log(f"batch {index}: app {app_ms[-1]} ms, database {db_ms[-1]} ms per order life")
    statements: dict[str, int] = {}

    def counted(step: str):
        @contextlib.contextmanager
        def capture():
            with CaptureQueriesContext(connection) as queries:
                yield
            statements[step] = len(queries.captured_queries)
            log(f"{step}: {len(queries.captured_queries)} statements")
            for query in queries.captured_queries if config.profile else []:
                log(f"    {query['sql'][:150]}")

        return capture()

    if config.profile:
        profile(lambda: order_life_batch(world, rng, 20, day=100), lambda: None, "peken|django")
    order_life_batch(world, rng, 1, day=99, measure=counted)
    connection.close()
    return {
        "orders": count,
        "app_ms": app_ms,
        "db_ms": db_ms,
        "statements": statements,
        "version": source_version(),
    }


def order_life_world() -> dict:
    from peken.accounts.models import User
    from peken.accounts.roster import roster_import
    from peken.catalog.models import Product
    from peken.catalog.selectors import products_visible
    from peken.demo.people import roster_csv
    from peken.demo.shops import catalog_generate
    from peken.merchants.models import Merchant
    from peken.policy.models import CityPolicy

    catalog_generate(merchant_count=20, product_count=400, seed=SEED)
    Product.objects.filter(is_made_to_order=False).update(stock=CHECKOUT_STOCK)
    CityPolicy.objects.update_or_create(pk=1, defaults={"default_cap": CHECKOUT_CAP})
    roster_import(data=roster_csv(generated_roster(100)), actor="bench")
    buyers = list(User.objects.filter(asn_profile__is_active=True).order_by("pk"))
    goods: dict[int, list[int]] = {}
    sellable = products_visible().filter(
        merchant__offers_pickup=True, merchant__offers_delivery=True
    )
    for pk, merchant_id in sellable.order_by("pk").values_list("pk", "merchant_id"):
        goods.setdefault(merchant_id, []).append(pk)
    owners = {shop.pk: shop.owner for shop in Merchant.objects.select_related("owner")}
    return {"buyers": buyers, "goods": goods, "owners": owners}


def order_life_batch(world: dict, rng: random.Random, count: int, *, day: int, measure=None):
    """`count` orders from checkout to confirmation, then the payout run for them."""
    from peken.ordering.services import checkout_place, order_act
    from peken.payments.services import payment_simulate, payment_start
    from peken.payouts.services import payouts_run

    step = measure or (lambda name: contextlib.nullcontext())
    shops = sorted(world["goods"])
    for number in range(count):
        buyer = rng.choice(world["buyers"])
        catalog = world["goods"][rng.choice(shops)]
        lines = [(pk, rng.randint(1, 3)) for pk in rng.sample(catalog, rng.randint(1, 3))]
        delivery = number % 2 == 0
        with step("checkout"):
            result = checkout_place(
                buyer=buyer,
                lines=lines,
                fulfilment="delivery" if delivery else "pickup",
                address="Jl. Bench No. 1" if delivery else "",
            )
        with step("charge"):
            payment = payment_start(buyer=buyer, checkout_id=result.checkout.pk, method="qris")
        with step("webhook (paid)"):
            payment_simulate(payment=payment, status="paid")
        order = result.orders[0]
        owner = world["owners"][order.merchant_id]
        with step("accept"):
            order = order_act(actor=owner, order=order, action="accept")
        with step("deliver/ready"):
            order = order_act(actor=owner, order=order, action="deliver" if delivery else "ready")
        with step("confirm"):
            order_act(actor=buyer, order=order, action="confirm")
    with step("payout run"):
        payouts_run(business_date=dt.date(2030, 1, 1) + dt.timedelta(days=day))


def order_life_backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def order_life_backend_ticks(pid: int | None) -> int:
    if pid is None:
        return 0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime
