"""Shared steps of the operations tests: the `peken` command in a process of its own, pointed at
another database, and scratch PostgreSQL databases made and dropped with psycopg."""

import contextlib
import os
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
