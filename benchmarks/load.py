"""Payday on the web pages: Locust (`benchmarks/locustfile.py`), headless."""

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.common import (
    CPU_SETTLE_SECONDS,
    POSTGRES_URL,
    ROOT,
    SEED,
    Config,
    CpuMeter,
    Row,
    benchmark,
    cache_text,
    child,
    children_rss_mib,
    gunicorn_check,
    gunicorn_start,
    gunicorn_stop,
    gunicorn_wait,
    log,
    prepare_database,
    run_child,
)

LOAD_POSTGRES_URL = urlunsplit(
    urlsplit(POSTGRES_URL)._replace(path=urlsplit(POSTGRES_URL).path + "_load")
)
LOAD_USERS, QUICK_LOAD_USERS = 200, 20
LOAD_SECONDS, QUICK_LOAD_SECONDS = 60, 10
LOAD_SHOPS, LOAD_PRODUCTS = 500, 20_000
LOAD_WORKERS = "-w 4 -k gthread --threads 4 --keep-alive 75"
LOAD_CHECKOUT_P99_MS = 250
LOAD_PAGE_P95_MS = 300  # every page, checkout included (the issue)
LOAD_LOGIN_SECONDS_MAX = 600  # every user logs in first (slow on purpose: password hashing)
LOAD_PASSWORD = "bench-payday"


@benchmark(
    "load",
    title="Payday on the web pages (Locust)",
    intro=(
        f"{LOAD_USERS} simulated ASN ({QUICK_LOAD_USERS} in quick mode) on the web pages for "
        f"{LOAD_SECONDS} s ({QUICK_LOAD_SECONDS} s in quick mode) after all have logged in: "
        "Locust, headless (`benchmarks/locustfile.py`), against gunicorn "
        f"`{LOAD_WORKERS}` (DEBUG off) on PostgreSQL, with a catalog of "
        f"{LOAD_PRODUCTS:,} products from {LOAD_SHOPS} shops. Each user waits 1–3 s between "
        "actions and mixes home (3), search (5), product page (4), add to cart (2) and checkout "
        "(1: cart page, then the form, to the payment page). Figures per page: requests per "
        "second, latency percentiles from Locust, errors (a failed request, or a checkout that "
        "did not reach its payment page; a refusal by a rule is not an error). Targets: no "
        f"errors, every page's p95 under {LOAD_PAGE_P95_MS} ms, checkout p99 under "
        f"{LOAD_CHECKOUT_P99_MS} ms. Locust, gunicorn, Redis and PostgreSQL share the "
        "machine's 2 cores."
    ),
    table=lambda rows: load_table(rows),
)
def bench_load(config: Config) -> list[Row]:
    if "postgresql" not in config.databases:
        return [Row("PostgreSQL", "all", 0, skipped="PostgreSQL only")]
    result = run_child("load", "postgresql", config, postgres_url=LOAD_POSTGRES_URL)
    if "skipped" in result:
        return [Row("PostgreSQL", "all", 0, skipped=result["skipped"])]
    rows = []
    for page in result["pages"]:
        row = Row("PostgreSQL", page["name"], page["count"], [])
        row.page = page  # the table reads Locust's own figures
        rows.append(row)
    rows.append(Row("PostgreSQL", f"memory: {result['memory']}", 0, skipped="note"))
    cpu = result["cpu"]
    rows.append(
        Row(
            "PostgreSQL",
            f"CPU per request (ms): gunicorn {cpu['server']}, PostgreSQL {cpu['postgresql']}, "
            f"Locust (the client, FastHttpUser) {cpu['client']}.",
            0,
            skipped="note",
        )
    )
    rows.append(Row("PostgreSQL", f"Cache: {cache_text()}.", 0, skipped="note"))
    errors = "; ".join(result["errors"]) or "none"
    seen = f"errors, as Locust and gunicorn saw them: {errors}."
    rows.append(Row("PostgreSQL", seen, 0, skipped="note"))
    return rows


LOAD_TABLE_HEADER = (
    "| Page | Requests | Per second | p50 (ms) | p95 (ms) | p99 (ms) | Errors | Target | Status |\n"
    "|---|--:|--:|--:|--:|--:|--:|---|---|"
)


def load_table(rows: list[Row]) -> list[str]:
    lines = [LOAD_TABLE_HEADER]
    for row in rows:
        if row.skipped:
            lines.append(
                f"\n{row.measurement}" if row.skipped == "note" else f"skipped: {row.skipped}"
            )
            continue
        page = row.page
        is_checkout = page["name"] == "checkout"
        target = f"p95 < {LOAD_PAGE_P95_MS} ms, 0 errors"
        met = page["failures"] == 0 and page["p95"] < LOAD_PAGE_P95_MS
        if is_checkout:
            target = f"p99 < {LOAD_CHECKOUT_P99_MS} ms, " + target
            met = met and page["p99"] < LOAD_CHECKOUT_P99_MS
        cells = [
            page["name"],
            f"{page['count']:,}",
            f"{page['rps']:.1f}",
            f"{page['p50']:.0f}",
            f"{page['p95']:.0f}",
            f"{page['p99']:.0f}",
            str(page["failures"]),
            target,
            "pass" if met else "**FAIL**",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


@child("load")
def child_load(config: Config) -> dict:
    from django.db import connection

    prepare_database()
    users, products = load_city(config)
    connection.close()
    with tempfile.TemporaryDirectory(prefix="peken-load-") as folder:
        folder = Path(folder)
        (folder / "users.txt").write_text("".join(f"{u} {LOAD_PASSWORD}\n" for u in users))
        (folder / "products.txt").write_text("".join(f"{pk}\n" for pk in products))
        server, port = gunicorn_start(LOAD_WORKERS, folder, database_url=LOAD_POSTGRES_URL)
        try:
            gunicorn_wait(server, port, folder)
            pages, spent = locust_run(config, port, folder, server.pid)
            requests = max(1, sum(page["count"] for page in pages))
            cpu = {key: round(value * 1000 / requests, 2) for key, value in spent.items()}
            memory = sorted(children_rss_mib(server.pid))
            gunicorn_check(server, folder)
        finally:
            gunicorn_stop(server)
        errors = load_errors(folder)
    return {
        "pages": pages,
        "cpu": cpu,
        "errors": errors,
        "memory": (
            f"gunicorn `{LOAD_WORKERS}`: {len(memory)} workers, resident memory after the load "
            f"{memory[0]:.0f}–{memory[-1]:.0f} MB (goal ≤ 120 MB)."
            if memory
            else "no worker memory read"
        ),
    }


def load_city(config: Config) -> tuple[list[str], list[int]]:
    """Shops and products, and ASN who can log in; returns usernames and product ids."""
    from django.contrib.auth.hashers import make_password

    from peken.accounts.models import AsnProfile, User
    from peken.accounts.roster import roster_import
    from peken.catalog.models import Product
    from peken.demo.people import roster_csv
    from peken.demo.services import city_roster_rows, opd_load_surabaya
    from peken.demo.shops import catalog_generate

    count = QUICK_LOAD_USERS if config.quick else LOAD_USERS
    opd_load_surabaya(actor="bench")
    roster_import(data=roster_csv(city_roster_rows(count, seed=SEED)), actor="bench")
    shops, products = (40, 800) if config.quick else (LOAD_SHOPS, LOAD_PRODUCTS)
    catalog_generate(merchant_count=shops, product_count=products, seed=SEED)
    Product.objects.filter(is_made_to_order=False).update(stock=100_000_000)
    password = make_password(LOAD_PASSWORD)  # hashed once, as the demo does
    user_ids = AsnProfile.objects.values_list("user_id", flat=True)
    User.objects.filter(pk__in=user_ids).update(password=password)
    usernames = list(User.objects.filter(pk__in=user_ids).values_list("username", flat=True))
    sellable = Product.objects.filter(stock__gt=0, is_active=True).order_by("?")
    return usernames, list(sellable.values_list("pk", flat=True)[:2_000])


def load_errors(folder: Path) -> list[str]:
    """What went wrong, by kind: Locust's failures per page, and workers gunicorn killed."""
    found = []
    failures = folder / "locust_failures.csv"
    if failures.exists():
        with failures.open(newline="") as source:
            for line in csv.DictReader(source):
                found.append(f"{line['Name']}: {line['Error'][:160]} ×{line['Occurrences']}")
    log_file = folder / "error.log"
    timeouts = log_file.read_text().count("WORKER TIMEOUT") if log_file.exists() else 0
    if timeouts:
        found.append(f"gunicorn killed {timeouts} worker(s) for timing out")
    return found


def locust_run(config: Config, port: int, folder: Path, server: int) -> tuple[list[dict], dict]:
    """Locust's figures per page, and the CPU seconds (gunicorn, PostgreSQL, Locust) spent in
    the measured window: from the moment the last user is signed in, for the run's seconds."""
    users = QUICK_LOAD_USERS if config.quick else LOAD_USERS
    seconds = QUICK_LOAD_SECONDS if config.quick else LOAD_SECONDS
    signed_in = folder / "all-signed-in"
    env = dict(
        os.environ,
        PEKEN_LOAD_USERS=str(folder / "users.txt"),
        PEKEN_LOAD_PRODUCTS=str(folder / "products.txt"),
        PEKEN_LOAD_USER_COUNT=str(users),
        PEKEN_LOAD_SECONDS=str(seconds),
        PEKEN_LOAD_SIGNED_IN_MARK=str(signed_in),
    )
    command = [
        str(Path(sys.executable).parent / "locust"),
        "-f",
        str(ROOT / "benchmarks" / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(1, users // 5)),
        "--run-time",  # a bound only: the locustfile ends the run `seconds` after the logins
        f"{seconds + LOAD_LOGIN_SECONDS_MAX}s",
        "--host",
        f"http://127.0.0.1:{port}",
        "--csv",
        str(folder / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    log(f"locust: {users} users, {seconds} s after all are signed in")
    client = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, start_new_session=True
    )
    spent = {"server": 0.0, "postgresql": 0.0, "client": 0.0}
    while client.poll() is None and not signed_in.exists():
        time.sleep(0.1)
    if client.poll() is None:
        server_meter, client_meter = CpuMeter(group=server), CpuMeter(group=client.pid)
        time.sleep(max(0.0, seconds - 2 * CPU_SETTLE_SECONDS))
        served, sent = server_meter.seconds(), client_meter.seconds()
        spent = {"server": served["app"], "postgresql": served["postgresql"], "client": sent["app"]}
    client.wait()
    with (folder / "locust_stats.csv").open(newline="") as source:
        pages = [
            locust_page(line)
            for line in csv.DictReader(source)
            if line["Name"] != "Aggregated" and int(line["Request Count"])
        ]
    return pages, spent


def locust_page(line: dict) -> dict:
    return {
        "name": line["Name"],
        "count": int(line["Request Count"]),
        "failures": int(line["Failure Count"]),
        "rps": float(line["Requests/s"]),
        "p50": float(line["50%"] or 0),
        "p95": float(line["95%"] or 0),
        "p99": float(line["99%"] or 0),
    }
