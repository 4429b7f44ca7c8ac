"""The read replica on a real streaming pair: what may lag reads the replica, checkout and the
cap read the primary, and a replica that lags too far, hangs or stops leaves the primary to serve.

Not collected by the suite itself (no test_ prefix): tests/replica/test_read_replica.py runs it
in a pytest of its own with cluster_settings."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from replica_pair import (
    PGBOUNCER_URL,
    pg_ctl,
    replay_pause,
    replay_resume,
    replica_catch_up,
    replica_postmaster_pid,
    replica_start,
)

import factories
from peken.accounts.models import Role
from peken.catalog.models import Product
from peken.core.db_router import replica_forget, replica_state
from peken.core.months import Month
from peken.reports.selectors import dashboard

KEDUNGDORO = "35.78.05.1003"
TEGALSARI = "35.78.05"


def shops_in_tegalsari_api(client) -> int:
    response = client.get("/reports/dashboard")
    assert response.status_code == 200, response.content
    return next(row for row in response.json()["kecamatan"] if row["code"] == TEGALSARI)[
        "merchants"
    ]


def shops_in_tegalsari(board) -> int:
    return next(row for row in board.kecamatan if row.code == TEGALSARI).merchants


def this_month() -> Month:
    return Month.of(timezone.now())


def on_the_primary():
    """The dashboard as the primary has it: reads in a transaction never go to the replica."""
    with transaction.atomic(), CaptureQueriesContext(connections["replica"]) as on_replica:
        shops = shops_in_tegalsari(dashboard(this_month()))
    assert on_replica.captured_queries == []
    return shops


def test_reads_that_may_lag_come_from_the_replica_while_checkout_and_the_cap_read_the_primary(
    api,
):
    shop = factories.merchant(KEDUNGDORO)
    rice = factories.product(shop, name=f"Beras replika {shop.pk}", stock=5)
    buyer = factories.asn(KEDUNGDORO)
    admin = factories.user(None, Role.CITY_ADMIN)
    replica_catch_up()
    before = shops_in_tegalsari_api(api(admin))
    replay_pause()
    try:
        # On the primary only, while the replica stands still: a new verified shop, the rice
        # sold out, and the shop's cap lowered.
        factories.merchant(KEDUNGDORO)
        Product.objects.filter(pk=rice.pk).update(stock=0)
        lowered = api(admin).put(f"/admin/merchants/{shop.pk}/cap", {"cap": 100_000})
        assert lowered.status_code == 200, lowered.content
        assert on_the_primary() == before + 1

        with CaptureQueriesContext(connections["replica"]) as on_replica:
            assert shops_in_tegalsari_api(api(admin)) == before  # the report lags
            found = api().get("/products", {"q": rice.name, "in_stock": "true"}).json()
            assert [hit["id"] for hit in found["items"]] == [rice.pk]  # so does a visitor's search
            page = Client().get("/cari/", {"q": rice.name, "in_stock": "on"})
            assert f"/barang/{rice.pk}/" in page.content.decode()  # on the page too
        assert len(on_replica.captured_queries) > 5

        with CaptureQueriesContext(connections["replica"]) as on_replica:
            refused = api(buyer).post(
                "/checkout",
                {
                    "items": [{"product_id": rice.pk, "quantity": 1}],
                    "fulfilment": "pickup",
                    "address": "",
                },
            )
            assert refused.status_code == 409, refused.content
            assert refused.json()["code"] == "insufficient_stock"
            quota = api(shop.owner).get(f"/merchants/{shop.pk}/quota")
            assert quota.json()["cap"] == 100_000
            signed_in = api(buyer).get("/products", {"q": rice.name, "in_stock": "true"})
            assert signed_in.json()["items"] == []
            browser = Client()
            browser.force_login(buyer)
            page = browser.get("/cari/", {"q": rice.name, "in_stock": "on"})
            assert page.status_code == 200 and f"/barang/{rice.pk}/" not in page.content.decode()
        assert on_replica.captured_queries == []
    finally:
        replay_resume()
    assert shops_in_tegalsari_api(api(admin)) == before + 1


def test_a_replica_further_behind_than_allowed_leaves_the_reads_to_the_primary(settings):
    settings.PEKEN_REPLICA_MAX_LAG_SECONDS = 0.5
    replica_catch_up()
    before = shops_in_tegalsari(dashboard(this_month()))
    replay_pause()
    try:
        factories.merchant(KEDUNGDORO)
        time.sleep(0.8)
        state = replica_state(fresh=True)
        assert state.reason == "lagging" and state.lag_seconds > 0.5
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            assert shops_in_tegalsari(dashboard(this_month())) == before + 1
        assert on_replica.captured_queries == []
    finally:
        replay_resume()
    # Caught up again: an idle primary is not mistaken for a lagging replica.
    time.sleep(0.8)
    assert replica_state(fresh=True).reason == "ok"


def test_a_replica_that_hangs_costs_one_timeout_per_check_not_one_per_request(settings):
    settings.PEKEN_REPLICA_CHECK_SECONDS = 30
    expected = on_the_primary()
    connections["replica"].close()
    postmaster = replica_postmaster_pid()
    os.kill(postmaster, signal.SIGSTOP)  # accepts connections, answers none
    try:
        started = time.monotonic()
        assert shops_in_tegalsari(dashboard(this_month())) == expected
        first = time.monotonic() - started
        known = replica_state()
        slowest = 0.0
        for _ in range(10):
            started = time.monotonic()
            assert shops_in_tegalsari(dashboard(this_month())) == expected
            slowest = max(slowest, time.monotonic() - started)
    finally:
        os.kill(postmaster, signal.SIGCONT)
    assert known.reason == "down"
    assert first >= 1.5  # the connect timeout (2 s) was paid once …
    assert replica_state() is known  # … the replica was not asked again …
    assert slowest < 1.5  # … and no request waited for it


def test_a_replica_that_stops_under_a_request_is_replaced_by_the_primary_without_an_error():
    expected = on_the_primary()
    replica_catch_up()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert shops_in_tegalsari(dashboard(this_month())) == expected
    assert on_replica.captured_queries  # read on the replica, connection kept
    pg_ctl("-m", "fast", "stop")
    try:
        # The replica was fine when last checked: the read fails there, and runs again on the
        # primary.
        assert shops_in_tegalsari(dashboard(this_month())) == expected
        assert replica_state().reason == "down"
        started = time.monotonic()
        for _ in range(10):
            assert shops_in_tegalsari(dashboard(this_month())) == expected
        assert time.monotonic() - started < 5
        replica_forget()  # a fresh check finds it down, quickly (refused, not a timeout)
        started = time.monotonic()
        assert shops_in_tegalsari(dashboard(this_month())) == expected
        assert time.monotonic() - started < 1.5
        assert replica_state().reason == "down"
    finally:
        replica_start()
    replica_forget()
    replica_catch_up()
    assert replica_state(fresh=True).reason == "ok"


def checkouts_through_pgbouncer(product, buyers, *, pgbouncer_setting: str) -> dict:
    script = Path(__file__).with_name("pgbouncer_checkouts.py")
    result = subprocess.run(
        [sys.executable, str(script), str(product.pk), *(str(buyer.pk) for buyer in buyers)],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "peken_test_settings",
            "DATABASE_URL": PGBOUNCER_URL,
            "PEKEN_PGBOUNCER": pgbouncer_setting,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not PGBOUNCER_URL, reason="pgbouncer is not installed")
def test_checkouts_through_pgbouncer_in_transaction_mode_with_peken_pgbouncer():
    shop = factories.merchant(KEDUNGDORO)
    item = factories.product(shop, name="Teh celup", price=1_000, stock=1_000)
    buyers = [factories.asn(KEDUNGDORO) for _ in range(6)]
    pooled = checkouts_through_pgbouncer(item, buyers, pgbouncer_setting="1")
    assert pooled == {"placed": 90, "errors": []}
    # The same run without the switch: statements prepared on one server connection are looked
    # for on another.
    direct = checkouts_through_pgbouncer(item, buyers, pgbouncer_setting="0")
    assert direct["errors"] and "prepared statement" in " ".join(direct["errors"])
    item.refresh_from_db()
    assert item.stock == 1_000 - 90 - direct["placed"]
