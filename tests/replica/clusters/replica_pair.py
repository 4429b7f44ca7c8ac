"""The throwaway primary/replica pair of scripts/replica-cluster.sh, seen from the checks:
its addresses, and how to hold up, catch up, stop and start the replica."""

import os
import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

PRIMARY_URL = os.environ["PEKEN_REPLICA_TEST_PRIMARY_URL"]
REPLICA_URL = os.environ["PEKEN_REPLICA_TEST_REPLICA_URL"]
REPLICA_DATA = os.environ["PEKEN_REPLICA_TEST_REPLICA_DATA"]
PG_BIN = os.environ["PEKEN_REPLICA_TEST_PG_BIN"]
PGBOUNCER_URL = os.environ.get("PEKEN_REPLICA_TEST_PGBOUNCER_URL", "")


def sql(url: str, statement: str):
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
        return connection.execute(statement).fetchone()


def maintenance(url: str) -> str:
    """The server's `postgres` database: there whatever happens to Peken's."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def database_recreate(url: str) -> None:
    """The database of `url` dropped and created empty, on the primary (the replica follows)."""
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(maintenance(url), autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    replica_catch_up()


def replica_catch_up(timeout: float = 20) -> None:
    """Until the replica has replayed everything the primary has written."""
    target = sql(maintenance(PRIMARY_URL), "SELECT pg_current_wal_lsn()::text")[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sql(maintenance(REPLICA_URL), f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[
            0
        ]:
            return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up with the primary")


def replay_pause() -> None:
    sql(REPLICA_URL, "SELECT pg_wal_replay_pause()")


def replay_resume() -> None:
    sql(REPLICA_URL, "SELECT pg_wal_replay_resume()")
    replica_catch_up()


def pg_ctl(*args: str) -> None:
    """pg_ctl on the replica, as the postgres user."""
    command = [f"{PG_BIN}/pg_ctl", "-D", REPLICA_DATA, *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def replica_postmaster_pid() -> int:
    with open(os.path.join(REPLICA_DATA, "postmaster.pid")) as pid_file:
        return int(pid_file.readline())


def replica_start() -> None:
    log = os.path.join(os.path.dirname(REPLICA_DATA), "replica.log")
    pg_ctl("-w", "-l", log, "start")
