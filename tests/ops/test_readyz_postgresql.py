"""Issue 14 must-show: /readyz turns unready when PostgreSQL stops and ready when it returns.

A throwaway PostgreSQL cluster (initdb into a temporary folder, port 5511) serves `peken serve`;
the cluster is stopped and started again under it. Runs in the PostgreSQL suite (`.ci/run`
installs PostgreSQL, so the server binaries are there); skipped, saying why, without them."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

from ops.server_steps import Server, demo_environment, peken

PORT = 5511


def postgresql_binaries() -> Path | None:
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3])
    )
    return found[-1].parent if found else None


BINARIES = postgresql_binaries()
pytestmark = [
    pytest.mark.skipif(BINARIES is None, reason="no PostgreSQL server binaries (initdb, pg_ctl)"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="runs in the PostgreSQL suite only (one throwaway cluster on port 5511 at a time)",
    ),
]


class Cluster:
    """A PostgreSQL cluster of our own in a temporary folder; as root, run as user postgres."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="peken-readyz-pg-"))
        self.data = self.folder / "data"
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.run(
            "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"
        )

    def run(self, program: str, *arguments) -> None:
        command = [str(BINARIES / program), *map(str, arguments)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{program}: {result.stdout}{result.stderr}"

    def start(self) -> None:
        options = (
            f"-p {PORT} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c full_page_writes=off"
        )
        self.run("pg_ctl", "-D", self.data, "-l", self.folder / "log", "-o", options, "-w", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def port_is_taken(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def readiness_when(server: Server, wanted: int, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        status, body = server.readiness()
        if status == wanted or time.monotonic() > deadline:
            assert status == wanted, body
            return body
        time.sleep(0.5)


def test_readyz_follows_postgresql_down_and_back(tmp_path):
    assert not port_is_taken(PORT), f"port {PORT} is in use: another cluster is running there"
    cluster = Cluster()
    server = None
    try:
        cluster.start()
        env = demo_environment(
            tmp_path / "var", DATABASE_URL=f"postgres://postgres@127.0.0.1:{PORT}/postgres"
        )
        peken(env, "migrate", "--noinput", "-v0")
        server = Server(env, tmp_path / "serve.log")
        assert readiness_when(server, 200)["checks"] == {"database": "ok", "migrations": "ok"}

        cluster.stop()
        down = readiness_when(server, 503)
        assert down["failed"] == ["database"]
        assert server.get("/healthz")[0] == 200  # alive all along: nothing to restart

        cluster.start()
        back = readiness_when(server, 200)  # by itself: no restart of Peken
        assert back["status"] == "ready"
    finally:
        if server is not None:
            server.stop()
        cluster.remove()
