"""Faults under load: clients place checkouts, start payments, pay through the simulator and
deliver webhooks (each twice, as gateways do) against gunicorn while its workers are killed with
SIGKILL and its PostgreSQL is restarted (a crash, then a clean restart). Afterwards every
checkout a client saw acknowledged exists, every payment acknowledged paid is paid, nothing is
counted twice, every rule of `peken check-invariants` holds, and the service answered again
after each fault by itself.

PostgreSQL only: it needs a server to restart. It never touches the machine's shared cluster:
the test makes a throwaway one (initdb) on its own port and loads it with `peken restore`.
"""

import contextlib
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import signal
import socket
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

import factories
from factories import KEDUNGDORO
from ops_steps import (
    ThrowawayCluster,
    gunicorn_start,
    gunicorn_stop,
    gunicorn_workers,
    peken_run,
    postgres_binaries,
)
from peken.accounts.services import token_issue
from peken.quotas.models import MerchantCap

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs a PostgreSQL server to restart"
)

PORT = int(os.environ.get("PEKEN_FAULT_POSTGRES_PORT", "5541"))
HTTP_PORT = int(os.environ.get("PEKEN_FAULT_HTTP_PORT", "18040"))
WORKERS = 3
CLIENTS = 8
STOCK = 60
SMALL_CAP = 400_000  # one shop reaches its cap during the run
SECRET = "peken-fault-simulator-secret"
# (seconds after the previous fault was done, fault); the load goes on LOAD_AFTER seconds more.
FAULTS = [
    (3, "kill_worker"),
    (3, "postgres_crash"),
    (3, "kill_workers"),
    (3, "postgres_restart"),
    (3, "kill_worker"),
]
LOAD_AFTER = 4
RECOVERY_SECONDS = 15  # each fault: a request succeeds again within this, nobody intervening


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, int] = field(default_factory=dict)  # idempotency key → checkout id
    paid: set[str] = field(default_factory=set)  # payment references acknowledged paid
    refused: Counter = field(default_factory=Counter)  # domain refusals by code
    failures: Counter = field(default_factory=Counter)  # resets, 5xx (then retried)
    successes: list[float] = field(default_factory=list)  # monotonic time of each answer < 500

    def success(self) -> None:
        with self.lock:
            self.successes.append(time.monotonic())


class Unanswered(Exception):
    """No usable answer (connection reset or refused, 5xx): the client tries again."""


def _call(method, path, *, token=None, body=None, headers=None) -> tuple[int, dict]:
    raw = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token:
        sent["Authorization"] = f"Bearer {token}"
    client = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=15)
    try:
        client.request(method, path, body=raw, headers=sent)
        response = client.getresponse()
        answer = response.read()
    except (OSError, http.client.HTTPException) as error:
        raise Unanswered(type(error).__name__) from error
    finally:
        client.close()
    if response.status >= 500:
        raise Unanswered(f"HTTP {response.status}")
    return response.status, json.loads(answer or b"{}")


def _retrying(tally: Tally, stop: threading.Event, attempt, tries: int = 40):
    """What a careful client does: the same request (same Idempotency-Key) until answered."""
    for _ in range(tries):
        try:
            status, answer = attempt()
        except Unanswered as error:
            with tally.lock:
                tally.failures[str(error)] += 1
            time.sleep(0.25)
            continue
        # Answered by the rules (2xx, or a refusal such as insufficient_stock once the stock is
        # sold): the service worked, database included. Late in a run most answers are refusals.
        if status < 500:
            tally.success()
        return status, answer
    return None, None


def _signed_paid(reference: str, amount: int) -> tuple[bytes, dict]:
    now = timezone.now().isoformat()
    body = json.dumps(
        {
            "notification_id": uuid.uuid4().hex,
            "timestamp": now,
            "reference": reference,
            "transaction_id": f"SIM-{reference}",
            "method": "qris",
            "status": "paid",
            "amount": amount,
            "refunded_amount": 0,
            "occurred_at": now,
        }
    ).encode()
    signature = hmac.new(SECRET.encode(), body, hashlib.sha512).hexdigest()
    return body, {"X-Peken-Signature": signature}


def _client(number: int, shop: dict, tally: Tally, stop: threading.Event) -> None:
    chooser = random.Random(number)
    token = shop["tokens"][number % len(shop["tokens"])]
    sequence = 0
    while not stop.is_set():
        sequence += 1
        key = f"fault-{number}-{sequence}"
        products = chooser.sample(shop["products"], chooser.randint(1, 2))
        cart = {
            "items": [{"product_id": pk, "quantity": chooser.randint(1, 2)} for pk in products],
            "fulfilment": "pickup",
            "address": "",
            "delivery_kelurahan": None,
        }
        status, answer = _retrying(
            tally,
            stop,
            lambda cart=cart, key=key: _call(
                "POST", "/api/v1/checkout", token=token, body=cart, headers={"Idempotency-Key": key}
            ),
        )
        if status != 201:
            with tally.lock:
                tally.refused[(answer or {}).get("code", f"status {status}")] += 1
            continue
        checkout_id = answer["checkout_id"]
        with tally.lock:
            tally.acknowledged[key] = checkout_id
        status, payment = _retrying(
            tally,
            stop,
            lambda pk=checkout_id: _call("POST", f"/api/v1/checkouts/{pk}/payment", token=token),
        )
        if status != 201:
            continue
        reference = payment["reference"]
        if sequence % 2:
            # The payer pays at the simulator, which notifies our webhook.
            status, paid = _retrying(
                tally,
                stop,
                lambda reference=reference: _call(
                    "POST",
                    f"/api/v1/payments/{reference}/simulate",
                    token=token,
                    body={"status": "paid"},
                ),
            )
            if status == 200 and paid["status"] == "paid":
                with tally.lock:
                    tally.paid.add(reference)
        else:
            # The gateway's webhook, delivered twice: the second must change nothing.
            body, headers = _signed_paid(reference, payment["amount"])
            outcomes = []
            for _ in range(2):
                status, answer = _retrying(
                    tally,
                    stop,
                    lambda body=body, headers=headers: _call(
                        "POST", "/api/v1/payments/webhooks/simulator", body=body, headers=headers
                    ),
                )
                outcomes.append((answer or {}).get("outcome"))
            if "applied" in outcomes or "duplicate" in outcomes:
                with tally.lock:
                    tally.paid.add(reference)


@pytest.fixture
def cluster():
    binaries = postgres_binaries()
    if binaries is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        if os.environ.get("PEKEN_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) are missing")
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are missing")
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            pytest.fail(f"port {PORT} is taken: set PEKEN_FAULT_POSTGRES_PORT")
    folder = Path(tempfile.mkdtemp(prefix="peken-faults-"))
    server = ThrowawayCluster(binaries, folder, PORT)
    try:
        server.create()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _shop() -> dict:
    """Shops, stock and ASN buyers with tokens, committed: what the backup carries over."""
    shops = [factories.merchant(KEDUNGDORO, name=f"Toko Tahan Uji {n}") for n in range(4)]
    MerchantCap.objects.create(merchant=shops[0], cap=SMALL_CAP)
    products = [
        factories.product(shop, name=f"Barang {shop.pk}-{n}", price=15_000 + 2_500 * n, stock=STOCK)
        for shop in shops
        for n in range(5)
    ]
    buyers = [factories.asn(KEDUNGDORO) for _ in range(CLIENTS)]
    return {
        "products": [product.pk for product in products],
        "tokens": [token_issue(user=buyer, name="faults") for buyer in buyers],
    }


def _fault(kind: str, server, cluster: ThrowawayCluster) -> None:
    if kind.startswith("kill_worker"):
        victims = gunicorn_workers(server.pid)[: 2 if kind == "kill_workers" else 1]
        for pid in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    elif kind == "postgres_crash":
        cluster.restart("immediate")
    elif kind == "postgres_restart":
        cluster.restart("fast")


def test_checkouts_and_payments_survive_killed_workers_and_a_restarted_database(
    live_db, cluster, tmp_path
):
    shop = _shop()
    backup = tmp_path / "faults.backup"
    call_command("backup", str(backup))
    with psycopg.connect(cluster.url("postgres"), autocommit=True) as admin:
        admin.execute("CREATE DATABASE peken_faults")
    database_url = cluster.url("peken_faults")
    restored = peken_run(
        "restore", str(backup), "--no-check", database_url=database_url, data_dir=tmp_path
    )
    assert restored.returncode == 0, restored.stderr

    server = gunicorn_start(
        port=HTTP_PORT,
        database_url=database_url,
        data_dir=tmp_path,
        workers=WORKERS,
        env={"PEKEN_SIMULATOR_SECRET": SECRET},
    )
    tally, stop = Tally(), threading.Event()
    try:
        deadline = time.monotonic() + 30
        while True:  # up, and every worker past its first (slow) request
            with contextlib.suppress(Unanswered):
                if _call("GET", "/api/v1/openapi.json")[0] == 200:
                    break
            assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()[-3000:]
            time.sleep(0.2)
        clients = [
            threading.Thread(target=_client, args=(number, shop, tally, stop), daemon=True)
            for number in range(CLIENTS)
        ]
        for thread in clients:
            thread.start()
        struck = []  # (fault, when it was done: the worker killed, the database back up)
        for pause, kind in FAULTS:
            time.sleep(pause)
            begun = time.monotonic()
            _fault(kind, server, cluster)
            struck.append((kind, time.monotonic()))
            print(f"\n{kind}: {struck[-1][1] - begun:.1f} s")
        time.sleep(LOAD_AFTER)
        stop.set()
        for thread in clients:
            thread.join(timeout=60)
        assert not any(thread.is_alive() for thread in clients)
    finally:
        stop.set()
        gunicorn_stop(server)

    # The service came back by itself after every fault.
    for kind, moment in struck:
        after = [success - moment for success in tally.successes if success > moment]
        assert after and after[0] < RECOVERY_SECONDS, (kind, after[:1])
    assert sum(tally.failures.values()) > 0, "the faults should have cost some requests"
    assert len(tally.acknowledged) > 30 and len(tally.paid) > 15, (tally.acknowledged, tally.paid)

    with psycopg.connect(database_url) as database:
        stored = dict(
            database.execute(
                "SELECT idempotency_key, id FROM ordering_checkout "
                "WHERE idempotency_key LIKE 'fault-%'"
            ).fetchall()
        )
        paid = {
            reference
            for (reference,) in database.execute(
                "SELECT reference FROM payments_payment WHERE status = 'paid'"
            )
        }
        stock = dict(database.execute("SELECT id, stock FROM catalog_product").fetchall())
        taken = dict(
            database.execute(
                "SELECT item.product_id, SUM(item.quantity) FROM ordering_orderitem item "
                "JOIN ordering_order o ON o.id = item.order_id "
                "WHERE o.status <> 'cancelled' AND item.reserved_stock GROUP BY item.product_id"
            ).fetchall()
        )
    # Every acknowledged checkout exists, as the checkout the client was told; a checkout
    # committed whose answer was lost (and never retried to the end) may exist besides.
    missing = {key: pk for key, pk in tally.acknowledged.items() if stored.get(key) != pk}
    assert not missing
    assert tally.paid <= paid
    # Stock went down by exactly what standing orders took: nothing sold twice, none lost.
    assert all(stock[pk] == STOCK - taken.get(pk, 0) for pk in shop["products"])
    assert any(stock[pk] < STOCK for pk in shop["products"])

    checked = peken_run("check-invariants", "--json", database_url=database_url, data_dir=tmp_path)
    report = json.loads(checked.stdout)
    broken = {rule["name"]: rule["examples"] for rule in report["rules"] if not rule["holds"]}
    assert checked.returncode == 0 and not broken, broken
    figures = report["figures"]
    # Nothing counted twice (the rules above: the cap ledger equals the standing orders, every
    # paid order has one payment entry, no order is in two paid payments) and not vacuously.
    assert figures["quota_used"] > 0 and figures["ledger_entries"] > 0
    print(
        f"\nfaults: {len(tally.acknowledged)} checkouts acknowledged ({len(stored)} stored), "
        f"{len(tally.paid)} payments acknowledged paid ({len(paid)} paid), refused "
        f"{dict(tally.refused)}, failed-then-retried {dict(tally.failures)}, recovery "
        + ", ".join(
            f"{kind} {min(s - moment for s in tally.successes if s > moment):.2f} s"
            for kind, moment in struck
        )
    )
