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


# Rewritten many times a day: each order updates its shop's quota row, its own row at every
# step, its products' stock and the roll-ups.
BUSY_TABLES = (
    "quotas_merchantmonthquota",
    "ordering_order",
    "ordering_checkout",
    "catalog_product",
    "payments_payment",
    "payments_simulatorcharge",
    "reports_merchantday",
    "reports_merchantmonth",
    "reports_buyermonth",
    "reports_categorymonth",
)


def nightly_vacuum() -> None:
    """The night's maintenance on PostgreSQL: VACUUM (ANALYZE) of the busy tables. A server with
    autovacuum off (as on the benchmark machine), or one it cannot keep up with in a month
    squeezed into an hour, piles up dead row versions: the search's cap check then slowed a
    replay to a third of its speed by the 9th day. Skipped inside a transaction (a test's),
    where VACUUM cannot run."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(BUSY_TABLES)}")
