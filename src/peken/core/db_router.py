"""Reads that may lag go to the read replica (DATABASE_REPLICA_URL); everything else reads the
primary.

The replica is opt-in: only code run under `reads_may_lag` (the city dashboard and its
exports, anonymous search) may read it, so a read that money, stock or a cap depends on can
never land there by accident. Even inside, a read in a transaction, a write, or a replica that
is down or more than PEKEN_REPLICA_MAX_LAG_SECONDS behind goes to the primary.

The replica's state is checked at most every PEKEN_REPLICA_CHECK_SECONDS per process, so a
replica that is down costs one failed connection per process and period, not one per request.
Its lag is measured against the primary: caught up when it has replayed everything the primary
had written when asked (an idle primary writes nothing, so the age of the last replayed
transaction alone would call an idle pair lagging); otherwise the age of the last transaction it
replayed, which over-estimates the lag after a quiet spell and so errs toward the primary.
(With synchronous_commit off, a commit may reach the WAL up to wal_writer_delay late: far less
than any sensible lag limit.)
"""

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"

logger = logging.getLogger(__name__)


class _Lagging:
    """One `reads_may_lag` call: whether the router sent any of its reads to the replica."""

    replica_used = False


_lagging: ContextVar[_Lagging | None] = ContextVar("peken_reads_may_lag", default=None)


@dataclass(frozen=True)
class ReplicaState:
    is_usable: bool
    lag_seconds: float | None  # None: unknown (down, or nothing replayed yet)
    reason: str  # "ok", "down", "lagging", "not configured"
    checked_at: float  # time.monotonic()


_state: ReplicaState | None = None
_checking = threading.Lock()


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def replica_state(*, fresh: bool = False) -> ReplicaState:
    """The replica's last known state, checked again when older than PEKEN_REPLICA_CHECK_SECONDS.

    While one thread checks, the others go on with the state known before (or the primary)."""
    global _state
    now = time.monotonic()
    if not replica_configured():
        return ReplicaState(False, None, "not configured", now)
    known = _state
    if (
        not fresh
        and known is not None
        and now - known.checked_at < settings.PEKEN_REPLICA_CHECK_SECONDS
    ):
        return known
    if not _checking.acquire(blocking=fresh):
        return known or ReplicaState(False, None, "checking", now)
    try:
        _state = _check()
        if known is None or known.reason != _state.reason:
            logger.info("read replica: %s (lag %s s)", _state.reason, _state.lag_seconds)
        return _state
    finally:
        _checking.release()


def replica_mark_down() -> None:
    """A read on the replica failed: the primary serves until the next check."""
    global _state
    _state = ReplicaState(False, None, "down", time.monotonic())
    _close(REPLICA)
    logger.warning("read replica failed a read; reads go to the primary for now")


def replica_forget() -> None:
    """Check the replica afresh at the next lagging read (tests, and after a failover)."""
    global _state
    _state = None


def _check() -> ReplicaState:
    now = time.monotonic()
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_lsn = cursor.fetchone()[0]
    except DatabaseError:
        # The primary answers for itself when the request reads it.
        return ReplicaState(False, None, "primary unreachable", now)
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(),"
                " coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, false),"
                " extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())",
                [primary_lsn],
            )
            in_recovery, caught_up, replayed_age = cursor.fetchone()
    except DatabaseError:
        _close(REPLICA)
        return ReplicaState(False, None, "down", now)
    if not in_recovery or caught_up:
        return ReplicaState(True, 0.0, "ok", now)
    lag = float(replayed_age) if replayed_age is not None else None
    if lag is None or lag > settings.PEKEN_REPLICA_MAX_LAG_SECONDS:
        return ReplicaState(False, lag, "lagging", now)
    return ReplicaState(True, lag, "ok", now)


def _close(alias: str) -> None:
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def reads_may_lag(function: Callable | None = None, *, when: Callable[..., bool] | None = None):
    """Its reads may come from the replica (a few seconds behind); `when(*args, **kwargs)` may
    limit that to some calls (anonymous requests). A read the replica fails is run again on
    the primary, so use it only on functions that read and write nothing."""

    def decorate(read: Callable) -> Callable:
        @wraps(read)
        def call(*args, **kwargs):
            if not replica_configured() or (when is not None and not when(*args, **kwargs)):
                return read(*args, **kwargs)
            lagging = _Lagging()
            token = _lagging.set(lagging)
            try:
                return read(*args, **kwargs)
            except DatabaseError:
                if not (lagging.replica_used and connections[REPLICA].errors_occurred):
                    raise
            finally:
                _lagging.reset(token)
            replica_mark_down()
            return read(*args, **kwargs)

        return call

    return decorate(function) if function is not None else decorate


def is_anonymous_request(request, *args, **kwargs) -> bool:
    """For `reads_may_lag(when=…)`: a visitor has written nothing they could miss."""
    return not request.user.is_authenticated


class ReplicaRouter:
    """Primary for everything, except reads under `reads_may_lag` while the replica is usable."""

    def db_for_read(self, model, **hints):
        lagging = _lagging.get()
        if lagging is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if not replica_state().is_usable:
            return DEFAULT_DB_ALIAS
        lagging.replica_used = True
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, first, second, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
