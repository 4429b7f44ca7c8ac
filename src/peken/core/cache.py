"""Figures many requests share, kept in Django's cache (Redis when REDIS_URL is set, else each
process's memory), and the generations that drop a whole family of them at once.

A cached value is looked up under its family's current generation; bumping the generation makes
every older value unreachable at once (they expire on their own). What money or a cap depends on
is never decided from here: checkout, payment and the cap are checked in the database. A
generation is bumped (and a value forgotten) at once and again after the change commits: a
reader between the two may have cached the old state under the new generation."""

import hashlib
import time
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction

# Every cached list that offers shops to buyers (search results, the shops near home).
LISTING = "listing"
# What a product shows (name, price, photos, on sale or not): any product saved moves it on.
CATALOG = "catalog"
# Who is signed in (accounts.signed_in): moved on by changes made in bulk, such as a roster
# import; a change to one account forgets that account alone.
ACCOUNTS = "accounts"
# The city's policy as pages show it.
POLICY = "policy"
# What the obligation figures are computed from, besides a buyer's own orders: the rules, their
# overrides and exemptions, a month's close, the city's policy, ASN profiles.
OBLIGATION_RULES = "obligation-rules"


def orders_of(buyer_id: int) -> str:
    """The family of what one buyer's orders decide (their obligation figures): every step of
    one of their orders moves it on."""
    return f"orders-of:{buyer_id}"


# Families nearly every page reads: their generations come in one round trip to the cache.
COMMON_FAMILIES = (ACCOUNTS, POLICY, LISTING, CATALOG, OBLIGATION_RULES)
# Keys about one signed-in person that most pages read (apps add theirs when they start): read
# in the same round trip as the account itself (accounts.signed_in).
PER_PERSON_KEYS: list[Callable[[int], str]] = [lambda user_id: generation_key(orders_of(user_id))]

# What this request has already read from the shared cache, by key (None where the cache had
# nothing): a page asks several times, the cache answers once. No memo outside a request (jobs,
# commands, tests' own code): there every read goes to the cache.
_this_request: ContextVar[dict | None] = ContextVar("peken_cache_this_request", default=None)


class RequestCacheMiddleware:
    """Gives each request its own memo of what it read from the shared cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _this_request.set({})
        try:
            return self.get_response(request)
        finally:
            _this_request.reset(token)


def generation_key(family: str) -> str:
    return f"generation:{family}"


def common_keys() -> list[str]:
    return [generation_key(family) for family in COMMON_FAMILIES]


def generation(family: str) -> int:
    key = generation_key(family)
    memo = _this_request.get()
    if memo is not None:
        if key not in memo:
            read_many(common_keys() + [key] if family in COMMON_FAMILIES else [key])
        if memo[key] is not None:
            return memo[key]
    value = cache.get_or_set(key, 1, timeout=None)
    if memo is not None:
        memo[key] = value
    return value


def generation_bump(family: str) -> None:
    _bump(family)
    transaction.on_commit(lambda: _bump(family))


def _bump(family: str) -> None:
    key = generation_key(family)
    try:
        cache.incr(key)
    except ValueError:  # never read yet, or evicted: any fresh value differs from old keys
        cache.set(key, 2, timeout=None)
    _memo_drop(key)


def _memo_drop(key: str) -> None:
    memo = _this_request.get()
    if memo is not None:
        memo.pop(key, None)


def read_many(keys: list[str]) -> dict:
    """Values of several keys in one round trip, remembered for the rest of the request."""
    memo = _this_request.get()
    wanted = [key for key in keys if memo is None or key not in memo]
    found = cache.get_many(wanted) if wanted else {}
    if memo is None:
        return found
    for key in wanted:
        memo[key] = found.get(key)
    return {key: memo[key] for key in keys if memo[key] is not None}


def read(key: str):
    """One key, from this request's memo when it was read already."""
    return read_many([key]).get(key)


def write(key: str, value, seconds: float) -> None:
    """Keeps a value in the shared cache, and for the rest of this request."""
    cache.set(key, value, timeout=seconds)
    memo = _this_request.get()
    if memo is not None:
        memo[key] = value


def cached(family: str, parts: tuple, seconds: float, compute: Callable[[], object]):
    """`compute()`, reused for `seconds` by every request asking with the same `parts`, until
    the family's generation moves on. `parts` must say everything the value depends on."""
    if seconds <= 0:
        return compute()
    key = cache_key(family, parts)
    value = kept_get(key)
    if value is None:
        value = compute()
        kept_set(key, value, seconds)
    return value


def kept_get(key: str):
    """A value kept under a generation's key. Such a value never changes, only expires, so
    each process also keeps its own copy until the same moment: the shared cache is asked once
    per process, not once per request."""
    near = _near()
    if near is None:
        return cache.get(key)
    value = near.get(key)
    if value is None:
        entry = cache.get(key)
        if entry is None:
            return None
        expires, value = entry
        left = expires - time.time()
        if left <= 0:
            return None
        near.set(key, value, timeout=left)
    return value


def kept_set(key: str, value, seconds: float) -> None:
    near = _near()
    if near is None:
        cache.set(key, value, timeout=seconds)
        return
    cache.set(key, (time.time() + seconds, value), timeout=seconds)
    near.set(key, value, timeout=seconds)


def _near():
    """This process's own memory in front of a shared cache; None when the cache is already it."""
    return caches["near"] if "near" in settings.CACHES else None


def cache_key(family: str | tuple[str, ...], parts: tuple) -> str:
    """Where a value computed from `parts` is kept under the current generation of its family
    (or of each of its families)."""
    families = (family,) if isinstance(family, str) else family
    generations = ".".join(str(generation(name)) for name in families)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"{'+'.join(families)}:{generations}:{digest}"


def forget(key: str) -> None:
    _forget(key)
    transaction.on_commit(lambda: _forget(key))


def _forget(key: str) -> None:
    cache.delete(key)
    _memo_drop(key)
