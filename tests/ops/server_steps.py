"""Starting Peken the way `make run` does (`peken migrate`, then `peken serve`) in a subprocess,
on a free port and a scratch data folder, and talking to it over real HTTP."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_environment(data_dir: Path, **overrides: str) -> dict:
    """A fresh clone's `make run`: DEBUG on, the embedded SQLite in its own folder, no Redis,
    none of the test suite's settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO", "PEKEN_", "PROMETHEUS", "SENTRY"))
        and key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG")
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env.update(DEBUG="1", PEKEN_DATA_DIR=str(data_dir))
    env.update(overrides)
    return env


def peken(env: dict, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "peken.cli", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


class Server:
    """`peken serve` on 127.0.0.1:port; its output goes to a log file read back by `log()`."""

    def __init__(self, env: dict, log_path: Path, *arguments: str, port: int | None = None):
        self.port = port or free_port()
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "peken.cli", "serve", "--bind", f"127.0.0.1:{self.port}"]
            + list(arguments),
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_until_answering()

    def wait_until_answering(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"peken serve stopped:\n{self.log()}")
            try:
                status, _, _ = self.get("/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"peken serve did not answer in {seconds} s:\n{self.log()}")

    def get(self, path: str, *, headers: dict | None = None, timeout: float = 30):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request("GET", path, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def readiness(self) -> tuple[int, dict]:
        status, _, body = self.get("/readyz", timeout=15)
        return status, json.loads(body)

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()
