"""Where the simulator keeps its charges, so the web process and the worker see the same ones.

A store holds one JSON-ready dict per reference. Anything with `get`, `add` and `put` will do:
the default uses Django's cache; a database-backed store can replace it through the
PEKEN_SIMULATOR_STORE setting (a dotted path to a class or factory taking no arguments).
"""

import json
import threading
from typing import Protocol

from django.conf import settings
from django.core.cache import caches
from django.utils.module_loading import import_string

CACHE_KEY_PREFIX = "peken:payments:simulator:charge:"
CACHE_TIMEOUT_SECONDS = 60 * 60 * 24 * 90  # longer than any refund window we simulate


class SimulatorStore(Protocol):
    def get(self, reference: str) -> dict | None:
        """The record for a reference, or None."""
        ...

    def add(self, reference: str, record: dict) -> bool:
        """Keep a new record; False, changing nothing, when the reference already has one."""
        ...

    def put(self, reference: str, record: dict) -> None:
        """Replace the record of a reference (last writer wins)."""
        ...


class CacheStore:
    """Records in a Django cache. Shared across processes only when the cache is (database,
    Redis, Memcached): the local-memory cache keeps them per process and may evict them."""

    def __init__(self, alias: str = "default", *, timeout: int = CACHE_TIMEOUT_SECONDS):
        self.alias = alias
        self.timeout = timeout

    def get(self, reference: str) -> dict | None:
        text = caches[self.alias].get(CACHE_KEY_PREFIX + reference)
        return None if text is None else json.loads(text)

    def add(self, reference: str, record: dict) -> bool:
        # cache.add is atomic on every backend, so two processes cannot both create a reference.
        return caches[self.alias].add(
            CACHE_KEY_PREFIX + reference, json.dumps(record), self.timeout
        )

    def put(self, reference: str, record: dict) -> None:
        caches[self.alias].set(CACHE_KEY_PREFIX + reference, json.dumps(record), self.timeout)


class MemoryStore:
    """Records in this process only: for tests and one-process demos."""

    def __init__(self) -> None:
        self._records: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, reference: str) -> dict | None:
        text = self._records.get(reference)
        return None if text is None else json.loads(text)

    def add(self, reference: str, record: dict) -> bool:
        with self._lock:
            if reference in self._records:
                return False
            self._records[reference] = json.dumps(record)
            return True

    def put(self, reference: str, record: dict) -> None:
        # Stored as JSON text, like the other stores: a value JSON cannot hold fails here too.
        self._records[reference] = json.dumps(record)


def store_from_settings() -> SimulatorStore:
    dotted_path = getattr(settings, "PEKEN_SIMULATOR_STORE", "")
    if dotted_path:
        return import_string(dotted_path)()
    return CacheStore(getattr(settings, "PEKEN_SIMULATOR_CACHE", "default"))
