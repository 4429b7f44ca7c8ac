"""Shared steps of the operations tests: the `peken` command in a process of its own, pointed at
another database, and scratch PostgreSQL databases made and dropped with psycopg."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
from psycopg import sql

import peken

SOURCE = Path(peken.__file__).resolve().parents[1]


def peken_run(*args: str, database_url: str | None, data_dir: Path, timeout: float = 120):
    """`peken <args>` as an operator runs it: production settings, its own database."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PEKEN_DATA_DIR")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="peken.settings",
        SECRET_KEY="peken-ops-tests",
        DEBUG="0",
        PEKEN_DATA_DIR=str(data_dir),
        PYTHONPATH=os.pathsep.join(filter(None, [str(SOURCE), os.environ.get("PYTHONPATH")])),
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "peken.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def postgres_url(config: dict, name: str) -> str:
    """A DATABASE_URL for database `name` on the server of a Django connection's settings."""
    user = quote(config.get("USER") or "postgres")
    password = f":{quote(config['PASSWORD'])}" if config.get("PASSWORD") else ""
    host, port = config.get("HOST") or "127.0.0.1", config.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


@contextlib.contextmanager
def scratch_postgres_database(config: dict, prefix: str):
    """An empty database next to the test database, dropped afterwards: yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    maintenance = postgres_url(config, "postgres")
    with psycopg.connect(maintenance, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield postgres_url(config, name)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


# --- a PostgreSQL of our own, to restart at will --------------------------------------------


def postgres_binaries() -> Path | None:
    """Debian's server binaries (initdb, pg_ctl): the newest /usr/lib/postgresql/*/bin."""
    found = [path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    found.sort(key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0)
    return found[-1] if found else None


class ThrowawayCluster:
    """A PostgreSQL cluster in a temporary folder on its own port: never the machine's shared
    one, so restarting it disturbs nobody. As root, its processes run as the postgres user."""

    def __init__(self, binaries: Path, folder: Path, port: int):
        self.binaries, self.folder, self.port = binaries, folder, port
        self.data, self.log = folder / "data", folder / "postgres.log"

    def _run(self, tool: str, *args: str, timeout: float = 60) -> None:
        command = [str(self.binaries / tool), *args]
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=timeout, cwd="/")

    def _options(self) -> str:
        return (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c max_connections=60 -c shared_buffers=32MB"
        )

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C.UTF-8",
        )
        self.start()

    def start(self) -> None:
        self._pg_ctl("start")

    def _pg_ctl(self, *action: str) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            self._options(),
            "-w",
            *action,
        )

    def restart(self, mode: str = "immediate") -> None:
        """`immediate` is a crash (no checkpoint, recovery from the WAL on start); `fast` a
        clean shutdown that ends every session."""
        self._pg_ctl("-m", mode, "restart")

    def stop(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


# --- gunicorn ---------------------------------------------------------------------------------


def gunicorn_start(*, port: int, database_url: str, data_dir: Path, workers: int, env: dict):
    """gunicorn in its own process group, production settings, the payment simulator on."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="peken.settings",
        SECRET_KEY="peken-ops-tests",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        PEKEN_PAYMENT_SIMULATOR="1",
        PEKEN_PAYMENT_GATEWAY="simulator",
        DATABASE_URL=database_url,
        PEKEN_DATA_DIR=str(data_dir),
        PYTHONPATH=os.pathsep.join(filter(None, [str(SOURCE), os.environ.get("PYTHONPATH")])),
        **env,
    )
    command = [sys.executable, "-m", "gunicorn", "peken.wsgi:application", "-w", str(workers)]
    command += ["-k", "gthread", "--threads", "4", "--bind", f"127.0.0.1:{port}"]
    command += ["--timeout", "20", "--graceful-timeout", "3", "--log-level", "warning"]
    return subprocess.Popen(
        command,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=(data_dir / "gunicorn.log").open("w"),
        start_new_session=True,
    )


def gunicorn_workers(arbiter: int) -> list[int]:
    """The worker processes of a gunicorn arbiter (Linux /proc)."""
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == arbiter:
                workers.append(int(stat.parent.name))
    return sorted(workers)


def gunicorn_stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=5)
