"""The city dashboard on a month of a million orders."""

import contextlib
import datetime as dt
import gc
import statistics
import time
from urllib.parse import urlsplit, urlunsplit

from benchmarks.common import (
    ASN_SURABAYA,
    DATABASES,
    POSTGRES_URL,
    QUICK_ROWS,
    SEED,
    Config,
    Row,
    benchmark,
    checked,
    child,
    generated_roster,
    log,
    percentile,
    prepare_database,
    run_child,
)

DASHBOARD_ORDERS, QUICK_DASHBOARD_ORDERS = 1_000_000, 10_000
DASHBOARD_MERCHANTS, DASHBOARD_PRODUCTS = 5_000, 20_000
QUICK_DASHBOARD_MERCHANTS, QUICK_DASHBOARD_PRODUCTS = 150, 1_500
DASHBOARD_WARGA, QUICK_DASHBOARD_WARGA = 4_412, 300  # e-Peken's public buyers by mid-2022
DASHBOARD_CALLS, QUICK_DASHBOARD_CALLS = 30, 5
DASHBOARD_TARGET_SECONDS = 0.300  # p95 of the page, on PostgreSQL (the issue)
PAY_STEPS, QUICK_PAY_STEPS = 400, 40
DASHBOARD_POSTGRES_URL = urlunsplit(
    urlsplit(POSTGRES_URL)._replace(path=urlsplit(POSTGRES_URL).path + "_dashboard")
)


@benchmark(
    "dashboard",
    title="City dashboard",
    intro=(
        "`peken.reports.selectors.dashboard`, the page `/kota/` and "
        f"`GET /api/v1/reports/dashboard` for a month of {DASHBOARD_ORDERS:,} orders "
        f"({QUICK_DASHBOARD_ORDERS:,} in quick mode) "
        f"on a fresh database: {DASHBOARD_MERCHANTS:,} verified shops with "
        f"{DASHBOARD_PRODUCTS:,} products from `catalog_generate`, {ASN_SURABAYA:,} ASN from a "
        f"roster import and {DASHBOARD_WARGA:,} warga (quick: {QUICK_DASHBOARD_MERCHANTS}, "
        f"{QUICK_DASHBOARD_PRODUCTS:,}, {QUICK_ROWS:,}, {QUICK_DASHBOARD_WARGA}). The orders are "
        "written by bulk SQL (`generate_series` on PostgreSQL, a recursive CTE on SQLite) in the "
        "current WIB month: one line each, four in five bought by ASN, a few shops taking much of "
        "it (the Gini is well above 0.5), 3 % cancelled, 1 % unpaid, 2 % half refunded. Then "
        "`rollups_rebuild` recounts the month (its time is the *rebuild* line), `rollups_check` "
        "confirms the roll-ups equal a recount, and the roll-up rows are copied into the twelve "
        "months before, so the tables hold a year. Each reading is called once to warm up, then "
        f"{DASHBOARD_CALLS} times ({QUICK_DASHBOARD_CALLS} in quick mode); the page and the API "
        "go through Django's test client as a signed-in city admin (middleware, session, "
        "template or JSON; no network). Target: the page's p95 under 300 ms on PostgreSQL. "
        "*Cost per order*: the payment step (`order_transition(action='pay')`, its ledger entry "
        f"and roll-ups, one transaction each) on {PAY_STEPS} of the month's unpaid orders "
        f"({QUICK_PAY_STEPS} in quick mode), half with the roll-up call and half with it "
        "switched off, alternating; and `rollup_order_paid` alone, in one transaction rolled "
        "back. Times per call in milliseconds."
    ),
    table=lambda rows: dashboard_table(rows),
)
def bench_dashboard(config: Config) -> list[Row]:
    rows: list[Row] = []
    for database in config.databases:
        result = run_child("dashboard", database, config, postgres_url=DASHBOARD_POSTGRES_URL)
        label = DATABASES[database]
        if "skipped" in result:
            rows.append(Row(label, "all", 0, skipped=result["skipped"]))
            continue
        target = DASHBOARD_TARGET_SECONDS if database == "postgresql" else None
        for name, seconds in result["measurements"].items():
            is_page = name.startswith("page")
            rows.append(Row(label, name, result["orders"], seconds, target if is_page else None))
    return rows


DASHBOARD_TABLE_HEADER = (
    "| Database | Measurement | Orders in the month | Calls | Median (ms) | p95 (ms) | Max (ms) "
    "| Target | Status |\n"
    "|---|---|--:|--:|--:|--:|--:|--:|---|"
)


def dashboard_table(rows: list[Row]) -> list[str]:
    lines = [DASHBOARD_TABLE_HEADER]
    for row in rows:
        if row.skipped:
            skipped = row.skipped.replace("|", "\\|")
            cells = [row.database, row.measurement, *["—"] * 6, f"skipped: {skipped}"]
            lines.append("| " + " | ".join(cells) + " |")
            continue
        p95 = percentile(row.seconds, 95)
        target, status = "—", "—"
        if row.target is not None:
            target = f"p95 < {row.target * 1000:g} ms"
            status = "pass" if p95 < row.target else "**FAIL**"
        cells = [
            row.database,
            row.measurement,
            f"{row.rows:,}",
            str(len(row.seconds)),
            f"{statistics.median(row.seconds) * 1000:.2f}",
            f"{p95 * 1000:.2f}",
            f"{max(row.seconds) * 1000:.2f}",
            target,
            status,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


@child("dashboard")
def child_dashboard(config: Config) -> dict:
    from django.db import connection

    from peken.core.months import Month
    from peken.reports.services import rollups_check, rollups_rebuild

    prepare_database()
    month = Month.of(dt.datetime.now(dt.UTC))
    orders = dashboard_data_load(config, month)
    measurements: dict[str, list[float]] = {}
    started = time.perf_counter()
    rollups_rebuild(month)
    measurements["rebuild of the month (once)"] = [round(time.perf_counter() - started, 4)]
    log(f"rebuild: {measurements['rebuild of the month (once)'][0]:.1f} s")
    differences = rollups_check(month)
    if differences:
        raise RuntimeError(f"roll-ups differ from a recount: {differences[:5]}")
    rollups_copy_to_the_year_before(month)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    measurements.update(dashboard_readings(config, month))
    measurements.update(payment_step_costs(config, month))
    connection.close()
    return {"orders": orders, "measurements": measurements}


def dashboard_data_load(config: Config, month) -> int:
    """Shops, buyers and a month of orders; returns the number of orders written."""
    from peken.accounts.roster import roster_import

    started = time.perf_counter()
    merchants, products = (
        (QUICK_DASHBOARD_MERCHANTS, QUICK_DASHBOARD_PRODUCTS)
        if config.quick
        else (DASHBOARD_MERCHANTS, DASHBOARD_PRODUCTS)
    )
    from peken.demo.people import roster_csv
    from peken.demo.shops import catalog_generate

    catalog_generate(merchant_count=merchants, product_count=products, seed=SEED)
    roster_import(data=roster_csv(generated_roster(config.rows)), actor="bench")
    warga_load(QUICK_DASHBOARD_WARGA if config.quick else DASHBOARD_WARGA)
    log(f"shops and buyers in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    count = QUICK_DASHBOARD_ORDERS if config.quick else DASHBOARD_ORDERS
    orders_bulk_write(count, month)
    log(f"{count:,} orders written in {time.perf_counter() - started:.1f} s")
    return count


def warga_load(count: int) -> None:
    from django.contrib.auth.hashers import make_password

    from peken.accounts.models import User, WargaProfile
    from peken.regions.models import Kelurahan

    kelurahan = list(Kelurahan.objects.order_by("id").values_list("id", flat=True))
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(username=f"warga-bench-{number}", full_name=f"Warga {number}", password=password)
            for number in range(count)
        ],
        batch_size=2_000,
    )
    WargaProfile.objects.bulk_create(
        [
            WargaProfile(user=user, kelurahan_id=kelurahan[number % len(kelurahan)])
            for number, user in enumerate(users)
        ],
        batch_size=2_000,
    )


def orders_bulk_write(count: int, month) -> None:
    from django.db import connection

    start, end = month.start(), month.end()
    seconds = int((end - start).total_seconds())
    vendor = connection.vendor
    series = (
        "generate_series(1::bigint, %(count)s) AS series(g)"  # bigint: g * 40503 > 2³¹
        if vendor == "postgresql"
        else "(WITH RECURSIVE series(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM series "
        "WHERE g < %(count)s) SELECT g FROM series) AS series"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_order_plan (g INTEGER PRIMARY KEY, product_rank INTEGER, "
            "buyer_rank INTEGER, is_warga INTEGER, offset_seconds INTEGER, fate INTEGER, "
            "quantity INTEGER)"
        )
        cursor.execute(
            "CREATE TABLE bench_product (rank INTEGER PRIMARY KEY, product_id BIGINT, "
            "merchant_id BIGINT, price BIGINT, name VARCHAR(120), unit VARCHAR(20))"
        )
        cursor.execute(
            "INSERT INTO bench_product SELECT ROW_NUMBER() OVER (ORDER BY id), id, merchant_id, "
            "price, name, unit FROM catalog_product"
        )
        cursor.execute(
            "CREATE TABLE bench_buyer (kind VARCHAR(10), rank INTEGER, user_id BIGINT, "
            "checkout_id BIGINT, PRIMARY KEY (kind, rank))"
        )
        cursor.execute(
            "INSERT INTO bench_buyer (kind, rank, user_id) "
            "SELECT 'asn', ROW_NUMBER() OVER (ORDER BY user_id), user_id FROM accounts_asnprofile "
            "UNION ALL "
            "SELECT 'warga', ROW_NUMBER() OVER (ORDER BY user_id), user_id "
            "FROM accounts_wargaprofile"
        )
        cursor.execute("SELECT kind, COUNT(*) FROM bench_buyer GROUP BY kind")
        buyers = dict(cursor.fetchall())
        cursor.execute("SELECT COUNT(*) FROM bench_product")
        (products,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO ordering_checkout (buyer_id, request_hash, created_at) "
            "SELECT user_id, 'bench', %s FROM bench_buyer",
            [start],
        )
        cursor.execute(
            "UPDATE bench_buyer SET checkout_id = (SELECT MIN(id) FROM ordering_checkout "
            "WHERE ordering_checkout.buyer_id = bench_buyer.user_id)"
        )
        # A hash of g in [0, 1000003), squared: most orders go to the first products' shops.
        skew = "(g * 2654435761) %% 1000003"
        cursor.execute(
            f"""
            INSERT INTO bench_order_plan
                (g, product_rank, buyer_rank, is_warga, offset_seconds, fate, quantity)
            SELECT g,
                   1 + ({skew}) * ({skew}) / 1000003 * %(products)s / 1000003,
                   1 + (g * 7919) %% (CASE WHEN g %% 5 = 0 THEN %(warga)s ELSE %(asn)s END),
                   CASE WHEN g %% 5 = 0 THEN 1 ELSE 0 END,
                   (g * 40503) %% %(seconds)s,
                   g %% 100,
                   1 + g %% 3
            FROM {series}
            """.replace("%(count)s", str(count)),
            {
                "products": products,
                "asn": buyers["asn"],
                "warga": buyers.get("warga", 1),
                "seconds": seconds,
            },
        )
        cursor.execute(orders_insert_sql(vendor), [start, month.start().date(), start])
        cursor.execute(
            """
            INSERT INTO ordering_orderitem
                (order_id, product_id, product_name, unit, unit_price, quantity, line_total,
                 reserved_stock)
            SELECT plan.g, product.product_id, product.name, product.unit, product.price,
                   plan.quantity, product.price * plan.quantity, %s
            FROM bench_order_plan AS plan
            JOIN bench_product AS product ON product.rank = plan.product_rank
            """,
            [False],
        )
        if vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('ordering_order', 'id'), "
                "(SELECT MAX(id) FROM ordering_order))"
            )
        for table in ("bench_order_plan", "bench_product", "bench_buyer"):
            cursor.execute(f"DROP TABLE {table}")


def orders_insert_sql(vendor: str) -> str:
    """The orders of the plan; `id` = g, so the lines can follow without a lookup."""
    moment = (
        "%s::timestamptz + plan.offset_seconds * INTERVAL '1 second'"
        if vendor == "postgresql"
        else "datetime(%s, '+' || plan.offset_seconds || ' seconds')"
    )
    return f"""
        INSERT INTO ordering_order
            (id, checkout_id, buyer_id, buyer_kind, merchant_id, placed_at, month,
             counts_toward_cap, fulfilment, delivery_zone, address, goods_total, delivery_fee,
             total, status, refunded_goods, refunded_delivery, cancel_reason, paid_at,
             updated_at)
        SELECT plan.g, buyer.checkout_id, buyer.user_id,
               CASE WHEN plan.is_warga = 1 THEN 'warga' ELSE 'asn' END,
               product.merchant_id, {moment}, %s, plan.is_warga = 0, 'pickup', '', '',
               product.price * plan.quantity, 0, product.price * plan.quantity,
               CASE WHEN plan.fate < 3 THEN 'cancelled' WHEN plan.fate = 3 THEN 'awaiting_payment'
                    WHEN plan.fate < 60 THEN 'completed' WHEN plan.fate < 80 THEN 'accepted'
                    ELSE 'paid' END,
               CASE WHEN plan.fate IN (50, 51) THEN product.price * plan.quantity / 2 ELSE 0 END,
               0, '', NULL, %s
        FROM bench_order_plan AS plan
        JOIN bench_product AS product ON product.rank = plan.product_rank
        JOIN bench_buyer AS buyer
          ON buyer.kind = CASE WHEN plan.is_warga = 1 THEN 'warga' ELSE 'asn' END
         AND buyer.rank = plan.buyer_rank
    """


def rollups_copy_to_the_year_before(month) -> None:
    """The month's roll-up rows again in each of the twelve months before: what a year of use
    leaves in the tables the dashboard reads (its 13-month chart reads them all)."""
    from django.db import connection

    from peken.quotas.rules import month_key
    from peken.reports.selectors import months_up_to

    key = month_key(month)
    for earlier in months_up_to(month)[:-1]:
        other = month_key(earlier)
        with connection.cursor() as cursor:
            for table, keys, sums in (
                (
                    "reports_merchantmonth",
                    "merchant_id",
                    "orders, goods, asn_orders, asn_goods, asn_home_goods",
                ),
                ("reports_buyermonth", "buyer_id, buyer_kind", "orders, goods, home_goods"),
                ("reports_categorymonth", "merchant_id, category_id", "orders, goods"),
            ):
                cursor.execute(
                    f"INSERT INTO {table} (month, {keys}, {sums}) "
                    f"SELECT %s, {keys}, {sums} FROM {table} WHERE month = %s",
                    [other, key],
                )
            day = (
                "day - %s::integer"
                if connection.vendor == "postgresql"
                else "date(day, '-' || %s || ' days')"
            )
            shift = (key - other).days
            cursor.execute(  # days shifted back; a few land twice and are skipped
                f"INSERT INTO reports_merchantday (day, merchant_id, orders, goods, asn_goods) "
                f"SELECT {day}, merchant_id, orders, goods, asn_goods FROM reports_merchantday "
                "WHERE day >= %s AND day < %s ON CONFLICT (day, merchant_id) DO NOTHING",
                [shift, key, month_key(month.next())],
            )


def dashboard_readings(config: Config, month) -> dict[str, list[float]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings

    from peken.accounts.models import Role
    from peken.reports.selectors import dashboard

    calls = QUICK_DASHBOARD_CALLS if config.quick else DASHBOARD_CALLS
    admin = bench_city_admin(Role.CITY_ADMIN)
    client = Client()
    client.force_login(admin)
    readings = {
        "selector `dashboard(month)`": lambda: dashboard(month),
        "page `/kota/`": lambda: checked(client.get("/kota/", {"month": str(month)}, secure=True)),
        "API `/api/v1/reports/dashboard`": lambda: checked(
            client.get("/api/v1/reports/dashboard", {"month": str(month)}, secure=True)
        ),
    }
    measured: dict[str, list[float]] = {}
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for name, action in readings.items():
            statements: list[str] = []  # a wrapper counts: a request empties the debug log
            with connection.execute_wrapper(statement_counter(statements)):
                action()  # warm-up, and the statements it takes
            seconds = []
            for _ in range(calls):
                gc.collect()
                started = time.perf_counter()
                action()
                seconds.append(round(time.perf_counter() - started, 5))
            label = f"{name} ({len(statements)} queries)"
            measured[label] = seconds
            log(f"{label}: median {statistics.median(seconds) * 1000:.1f} ms")
    return measured


def statement_counter(statements: list[str]):
    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    return count


def bench_city_admin(role: str):
    from peken.accounts.models import RoleGrant, User

    admin = User.objects.create(username="bench-kota", full_name="Admin Kota")
    RoleGrant.objects.create(user=admin, role=role)
    return admin


def payment_step_costs(config: Config, month) -> dict[str, list[float]]:
    """The payment step with and without its roll-up call, and the roll-up call alone."""
    from unittest import mock

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from peken import order_steps
    from peken.ordering.models import Order
    from peken.ordering.services import order_transition
    from peken.quotas.rules import month_key
    from peken.reports.services import rollup_order_paid

    steps = QUICK_PAY_STEPS if config.quick else PAY_STEPS
    unpaid = list(
        Order.objects.filter(month=month_key(month), status="awaiting_payment").order_by("id")[
            :steps
        ]
    )
    with_rollup, without_rollup = [], []
    for number, order in enumerate(unpaid):
        switched_off = number % 2 == 1
        patch = (
            mock.patch.object(order_steps, "rollup_order_paid", lambda order: None)
            if switched_off
            else contextlib.nullcontext()
        )
        with patch:
            started = time.perf_counter()
            order_transition(order=order, action="pay", actor=None, actor_kind="system")
            elapsed = time.perf_counter() - started
        (without_rollup if switched_off else with_rollup).append(round(elapsed, 6))
    alone = []
    paid = list(Order.objects.filter(month=month_key(month), status="paid").order_by("id")[:steps])
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            rollup_order_paid(paid[0])
        for order in paid:
            started = time.perf_counter()
            rollup_order_paid(order)
            alone.append(round(time.perf_counter() - started, 6))
        transaction.set_rollback(True)
    log(
        f"pay step with roll-up {statistics.median(with_rollup) * 1000:.2f} ms, without "
        f"{statistics.median(without_rollup) * 1000:.2f} ms; roll-up alone "
        f"{statistics.median(alone) * 1000:.2f} ms ({len(queries)} statements)"
    )
    return {
        "pay step, with the roll-up": with_rollup,
        "pay step, roll-up switched off": without_rollup,
        f"`rollup_order_paid` alone ({len(queries)} statements)": alone,
    }
