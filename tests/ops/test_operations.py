"""Issue 14.4 inside the process: the probes, /metrics (who may read it, and what it counts),
the worker's job records and the request id in the logs."""

import datetime as dt
import io
import json
import logging
import os
import subprocess
import sys

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

import factories
import payment_steps
from peken.core.job_runs import job_run_started
from peken.core.logs import RequestIdFilter, json_formatter
from peken.core.models import JobRun
from peken.jobs import JOBS, Job
from peken.payouts.services import payouts_run

TOKEN = "metrics-token-for-tests"
KEDUNGDORO = "35.78.05.1003"


@pytest.fixture
def metrics_token(settings):
    settings.PEKEN_METRICS_TOKEN = TOKEN
    settings.PEKEN_METRICS_ALLOWED_NETWORKS = []


def scrape(client=None) -> dict[tuple[str, tuple], float]:
    """/metrics read as a scraper does: {(sample name, sorted labels): value}."""
    response = (client or Client()).get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.content
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- probes ---------------------------------------------------------------------------------


def test_healthz_answers_without_the_database(client):
    # No django_db mark: a query here would raise.
    for path in ("/healthz", "/sehat/"):
        response = client.get(path)
        assert response.status_code == 200 and response.content == b"ok\n"


@pytest.mark.django_db
def test_readyz_is_ready_with_the_database_and_every_migration():
    response = Client().get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok"},
        "failed": [],
    }
    assert response["Cache-Control"] == "no-store"


# --- who may read /metrics ------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_answer_no_one_until_configured(client):
    response = client.get("/metrics", headers={"Authorization": "Bearer anything"})
    assert response.status_code == 403
    assert response.json()["code"] == "metrics_not_configured"


@pytest.mark.django_db
def test_metrics_need_the_token(client, metrics_token):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer metrics-token-for-test"})
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


@pytest.mark.django_db
def test_metrics_open_to_a_listed_network_only(client, settings):
    settings.PEKEN_METRICS_TOKEN = ""
    settings.PEKEN_METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics").status_code == 403  # the test client is 127.0.0.1
    settings.PEKEN_METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8", "127.0.0.0/8"]
    assert client.get("/metrics").status_code == 200
    # Behind a proxy that is not trusted, X-Forwarded-For is not believed.
    settings.PEKEN_METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 403


# --- what it counts -------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_expose_the_named_families(metrics_token):
    Client().get("/healthz")
    samples = scrape()
    names = {name for name, _ in samples}
    for family in (
        "peken_http_request_duration_seconds_bucket",
        "peken_database_up",
        "peken_outbox_backlog",
        "peken_payout_oldest_unpaid_age_seconds",
        "peken_job_last_run_age_seconds",
        "peken_job_last_run_failed",
        "peken_job_interval_seconds",
    ):
        assert family in names, family
    assert value(samples, "peken_http_request_duration_seconds_count", view="healthz", method="GET")
    assert value(samples, "peken_database_up") == 1


@pytest.mark.django_db
def test_a_checkout_counts_as_placed_and_a_refused_one_by_its_code(api, metrics_token):
    shop = factories.merchant(KEDUNGDORO)
    rice = factories.product(shop, price=75_000, stock=1)
    buyer = factories.asn(KEDUNGDORO)
    cart = {"items": [{"product_id": rice.pk, "quantity": 1}], "fulfilment": "pickup"}
    before = scrape()
    assert api(buyer).post("/checkout", cart).status_code == 201
    refused = api(buyer).post("/checkout", cart)
    assert refused.status_code == 409 and refused.json()["code"] == "insufficient_stock"
    after = scrape()

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved("peken_checkouts_placed_total", channel="api") == 1
    assert moved("peken_checkouts_refused_total", code="insufficient_stock", channel="api") == 1


@pytest.mark.django_db
def test_webhook_outcomes_are_counted(client, metrics_token):
    checkout, _ = payment_steps.two_shop_checkout()
    payment = payment_steps.charge(checkout)
    good = payment_steps.notify(payment, "paid")
    before = scrape()
    for signed in (good, good, payment_steps.forged(good, amount=1)):
        client.post(
            "/api/v1/payments/webhooks/simulator",
            signed.body,
            content_type="application/json",
            headers={key: value for key, value in signed.headers.items() if key != "Content-Type"},
        )
    client.post("/api/v1/payments/webhooks/no-such-gateway", b"{}", content_type="application/json")
    after = scrape()

    def moved(**labels):
        name = "peken_payment_webhooks_total"
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved(gateway="simulator", outcome="applied") == 1
    assert moved(gateway="simulator", outcome="duplicate") == 1
    assert moved(gateway="simulator", outcome="signature_invalid") == 1
    assert moved(gateway="unknown", outcome="gateway_unknown") == 1


@pytest.mark.django_db
def test_the_oldest_unpaid_money_ages_until_the_payout(metrics_token):
    checkout, orders = payment_steps.two_shop_checkout()
    payment_steps.pay(payment_steps.charge(checkout))
    assert value(scrape(), "peken_payout_oldest_unpaid_age_seconds") == 0  # paid, not yet owed
    for order in orders:
        payment_steps.complete(order)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        age = value(scrape(), "peken_payout_oldest_unpaid_age_seconds")
        assert 2 * 3600 - 60 < age < 2 * 3600 + 60
        assert payouts_run() is not None
        assert value(scrape(), "peken_payout_oldest_unpaid_age_seconds") == 0


# --- the worker's jobs ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_worker_records_each_run_and_metrics_show_its_age(metrics_token, monkeypatch):
    samples = scrape()
    assert value(samples, "peken_job_last_run_age_seconds", job="orders_expire") == float("inf")
    call_command("worker", "--once", stdout=io.StringIO())
    runs = {run.name: run for run in JobRun.objects.all()}
    assert set(runs) == {job.name for job in JOBS}
    for run in runs.values():
        assert run.last_finished >= run.last_started and not run.last_error, run.name
    samples = scrape()
    assert 0 <= value(samples, "peken_job_last_run_age_seconds", job="orders_expire") < 60
    assert value(samples, "peken_job_interval_seconds", job="payouts_daily") == 3600

    def broken():
        raise RuntimeError("bank file folder is gone")

    monkeypatch.setattr(
        "peken.core.management.commands.worker.JOBS", (Job("payouts_daily", broken, 3600),)
    )
    call_command("worker", "--once", stdout=io.StringIO())
    assert "bank file folder is gone" in JobRun.objects.get(name="payouts_daily").last_error
    assert value(scrape(), "peken_job_last_run_failed", job="payouts_daily") == 1


@pytest.mark.django_db
def test_a_job_started_and_never_finished_shows_no_fresh_age(metrics_token):
    job_run_started(name="orders_expire")
    assert value(scrape(), "peken_job_last_run_age_seconds", job="orders_expire") == float("inf")


# --- request ids in the logs ----------------------------------------------------------------


def test_the_request_id_is_answered_and_in_the_json_log_line(client):
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(json_formatter())
    access = logging.getLogger("peken.access")
    level = access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        given = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a-0001"})
        made = client.get("/healthz")
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    assert given["X-Request-ID"] == "lb-7f3a-0001"
    assert len(made["X-Request-ID"]) == 32 and made["X-Request-ID"] != given["X-Request-ID"]
    records = [json.loads(line) for line in lines.getvalue().splitlines()]
    assert [record["request_id"] for record in records] == [
        "lb-7f3a-0001",
        made["X-Request-ID"],
    ]
    assert records[0]["status"] == 200 and records[0]["path"] == "/healthz"


# --- Sentry, only with a DSN -----------------------------------------------------------------


def sentry_started(tmp_path, **environment) -> bool:
    code = (
        "import django, sentry_sdk; django.setup(); "
        "print('started' if sentry_sdk.is_initialized() else 'off')"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    env.pop("SENTRY_DSN", None)
    env.update(DJANGO_SETTINGS_MODULE="peken.settings", DEBUG="1", PEKEN_DATA_DIR=str(tmp_path))
    env.update(environment)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip() == "started"


def test_sentry_starts_only_with_a_dsn(tmp_path):
    pytest.importorskip("sentry_sdk")
    assert not sentry_started(tmp_path)
    # Nothing is sent: no error happens, and nothing listens on port 9 of this machine.
    assert sentry_started(tmp_path, SENTRY_DSN="http://public@127.0.0.1:9/1")


@pytest.mark.django_db
def test_the_outbox_backlog_shows_waiting_mail_and_its_age(metrics_token):
    from peken.notifications.services import notify

    person = factories.asn(KEDUNGDORO)
    person.email = "ani@example.org"
    person.save(update_fields=["email"])
    assert value(scrape(), "peken_outbox_backlog") == 0
    notify(user=person, kind="order_paid", text="Pesanan dibayar.")
    samples = scrape()
    assert value(samples, "peken_outbox_backlog") == 1
    assert value(samples, "peken_outbox_oldest_age_seconds") >= 0
