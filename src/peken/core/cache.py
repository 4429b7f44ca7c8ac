"""Figures many requests share, kept in Django's cache (Redis when REDIS_URL is set, else each
process's memory), and the generations that drop a whole family of them at once.

A cached value is looked up under its family's current generation; bumping the generation makes
every older value unreachable at once (they expire on their own). What money or a cap depends on
is never decided from here: checkout, payment and the cap are checked in the database. A
generation is bumped (and a value forgotten) at once and again after the change commits: a
reader between the two may have cached the old state under the new generation."""

import hashlib
from collections.abc import Callable

from django.core.cache import cache
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


def generation(family: str) -> int:
    return cache.get_or_set(f"generation:{family}", 1, timeout=None)


def generation_bump(family: str) -> None:
    _bump(family)
    transaction.on_commit(lambda: _bump(family))


def _bump(family: str) -> None:
    key = f"generation:{family}"
    try:
        cache.incr(key)
    except ValueError:  # never read yet, or evicted: any fresh value differs from old keys
        cache.set(key, 2, timeout=None)


def cached(family: str, parts: tuple, seconds: float, compute: Callable[[], object]):
    """`compute()`, reused for `seconds` by every request asking with the same `parts`, until
    the family's generation moves on. `parts` must say everything the value depends on."""
    if seconds <= 0:
        return compute()
    key = cache_key(family, parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=seconds)
    return value


def cache_key(family: str | tuple[str, ...], parts: tuple) -> str:
    """Where a value computed from `parts` is kept under the current generation of its family
    (or of each of its families)."""
    families = (family,) if isinstance(family, str) else family
    generations = ".".join(str(generation(name)) for name in families)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"{'+'.join(families)}:{generations}:{digest}"


def forget(key: str) -> None:
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
