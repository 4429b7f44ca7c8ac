"""A fresh, empty database for each simulated month, so a simulation never touches real data."""

import os
import tempfile
import uuid
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import psycopg

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


@contextmanager
def scratch_database(kind: str, *, keep: bool = False):
    """Yields a DATABASE_URL for a new database of `kind` ("sqlite", "postgresql" or a
    postgres:// URL naming the server); removed afterwards unless `keep`."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="peken-simulate-")
        path = os.path.join(folder, "simulate.sqlite3")
        yield f"sqlite:///{path}"
        if not keep:
            for name in os.listdir(folder):
                os.remove(os.path.join(folder, name))
            os.rmdir(folder)
        return
    server = kind if "://" in kind else os.environ.get("PEKEN_TEST_POSTGRES_URL", DEFAULT_POSTGRES)
    name = f"peken_simulate_{uuid.uuid4().hex[:8]}"
    admin_url = _with_database(server, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
        # A scratch city is thrown away: commits need not wait for the disk (each transaction
        # is still atomic and isolated; only a crash could lose the last few).
        connection.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    try:
        yield _with_database(server, name)
    finally:
        if not keep:
            with psycopg.connect(admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url.replace("postgresql://", "postgres://", 1))
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
