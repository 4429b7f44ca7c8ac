"""Issue 14.1 and 14.4 over real HTTP: `make run`'s server (`peken serve`, gunicorn with threads)
on a fresh data folder answers 100 concurrent requests, static files included, and its probes,
metrics and JSON logs work across processes."""

import http.client
import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from ops.server_steps import Server, demo_environment, free_port, peken

# The servers here run on scratch SQLite folders whatever the suite's database: once is enough.
pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="make run's server on the embedded SQLite: runs in the SQLite suite",
)
METRICS_TOKEN = "ops-test-metrics-token"
# The issue asks for 100. 300 at once is what tells the servers apart on this machine: Django's
# development server (listen backlog 10) left 102 of 300 unanswered (timed out) where gunicorn
# answered all; at 100 both did.
CONCURRENT = 300


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """`make run` minus the demo data: migrate, then `peken serve` (JSON logs, a metrics token)."""
    folder = tmp_path_factory.mktemp("make-run")
    env = demo_environment(
        folder / "var", PEKEN_LOG_FORMAT="json", PEKEN_METRICS_TOKEN=METRICS_TOKEN
    )
    peken(env, "migrate", "--noinput", "-v0")
    server = Server(env, folder / "serve.log")
    yield server
    server.stop()


def test_make_run_answers_300_concurrent_requests_without_a_reset(demo_server):
    paths = ["/"] * (CONCURRENT - 40) + ["/healthz"] * 20 + ["/static/web/app.css"] * 20
    start_together = threading.Barrier(CONCURRENT)

    def fetch(path):
        connection = http.client.HTTPConnection("127.0.0.1", demo_server.port, timeout=60)
        try:
            start_together.wait(timeout=30)
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            return path, response.status, None
        except OSError as error:  # a reset connection, a refused one, a timeout
            return path, None, repr(error)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
        results = list(pool.map(fetch, paths))
    failures = [result for result in results if result[1] != 200]
    assert failures == [], f"{len(failures)} of {CONCURRENT} failed: {failures[:5]}"
    status, body = demo_server.readiness()
    assert status == 200 and body["status"] == "ready", body


def test_the_request_id_is_returned_and_in_the_json_log_line(demo_server):
    status, headers, _ = demo_server.get("/healthz", headers={"X-Request-ID": "ops-trace-4242"})
    assert status == 200
    assert headers["X-Request-ID"] == "ops-trace-4242"
    _, headers, _ = demo_server.get("/healthz", headers={"X-Request-ID": "no spaces\tplease"})
    assert len(headers["X-Request-ID"]) == 32  # refused as given: one of our own instead
    lines = demo_server.log().splitlines()
    assert lines[0].startswith("gunicorn: ")  # `peken serve` itself, before gunicorn starts
    records = [json.loads(line) for line in lines[1:]]  # gunicorn's own lines are JSON too
    assert any(record["logger"] == "gunicorn.error" for record in records)
    mine = [record for record in records if record.get("request_id") == "ops-trace-4242"]
    assert mine, f"no JSON log line with the request id in:\n{demo_server.log()[-2000:]}"
    assert mine[0]["logger"] == "peken.access" and mine[0]["status"] == 200
    assert mine[0]["path"] == "/healthz" and mine[0]["level"] == "INFO"


def test_metrics_are_kept_from_the_public_and_count_across_processes(demo_server):
    assert demo_server.get("/metrics")[0] == 401
    wrong = demo_server.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong[0] == 401
    status, headers, body = demo_server.get(
        "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
    )
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    text = body.decode()
    # The home page's requests were counted in the multiprocess files, whichever worker answers.
    home = next(
        line
        for line in text.splitlines()
        if line.startswith("peken_http_request_duration_seconds_count") and 'view="home"' in line
    )
    assert float(home.rsplit(" ", 1)[1]) >= CONCURRENT - 40
    for family in ("peken_database_up 1.0", "peken_job_last_run_age_seconds{job="):
        assert family in text


def test_readyz_names_migrations_not_applied(tmp_path):
    server = Server(demo_environment(tmp_path / "var"), tmp_path / "serve.log")
    try:
        status, body = server.readiness()
    finally:
        server.stop()
    assert status == 503
    assert body["failed"] == ["migrations"] and body["checks"]["database"] == "ok"


def test_readyz_is_503_while_the_database_is_unreachable(tmp_path):
    closed = free_port()  # nothing listens there
    env = demo_environment(
        tmp_path / "var", DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed}/peken"
    )
    server = Server(env, tmp_path / "serve.log")
    try:
        alive = server.get("/healthz")[0]
        status, body = server.readiness()
    finally:
        server.stop()
    assert alive == 200  # the process is alive: no restart wanted, only no traffic
    assert status == 503
    assert body["failed"] == ["database"] and body["checks"]["migrations"] == "not_checked"


def test_serve_refuses_several_workers_without_a_shared_cache(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "peken.cli", "serve", "--workers", "3"],
        env=demo_environment(tmp_path / "var"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr
