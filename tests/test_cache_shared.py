"""Issue 13: with Redis shared by the workers, what is kept under a generation is also kept in
each process's memory until the same moment, and a generation moved on by another process is
seen by the next request. Runs against the Redis on 127.0.0.1:6379 when it answers."""

import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from peken.core import cache as shared

REDIS = "redis://127.0.0.1:6379/11"


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


pytestmark = pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379")

WITH_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS},
    "near": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
}


@pytest.fixture
def redis_cache():
    with override_settings(CACHES=WITH_REDIS):
        caches["default"].clear()
        caches["near"].clear()
        yield caches["default"], caches["near"]
        caches["default"].clear()


def test_a_kept_value_is_read_from_redis_once_per_process_and_expires_on_time(redis_cache):
    redis_cache_, near = redis_cache
    computed = []
    value = shared.cached("listing", ("a",), 1, lambda: computed.append(1) or "page")
    assert value == "page" and computed == [1]
    near.clear()  # another process: only Redis has it
    assert shared.cached("listing", ("a",), 1, lambda: "again") == "page"
    redis_cache_.clear()  # now this process's own copy answers
    assert shared.cached("listing", ("a",), 1, lambda: "again") == "page"
    time.sleep(1.1)
    assert shared.cached("listing", ("a",), 1, lambda: "fresh") == "fresh"


def test_a_generation_moved_on_elsewhere_is_seen_by_the_next_request(redis_cache):
    redis_cache_, _near = redis_cache
    assert shared.cached("listing", ("b",), 60, lambda: "before") == "before"
    redis_cache_.incr("generation:listing")  # what another worker's bump does
    assert shared.cached("listing", ("b",), 60, lambda: "after") == "after"


@pytest.mark.django_db
def test_within_a_request_the_cache_is_asked_once_and_a_bump_is_seen_at_once(redis_cache):
    from django.test import RequestFactory

    seen = []

    def view(request):
        seen.append(shared.generation("listing"))
        seen.append(shared.generation("listing"))
        shared.generation_bump("listing")
        seen.append(shared.generation("listing"))
        from django.http import HttpResponse

        return HttpResponse()

    shared.RequestCacheMiddleware(view)(RequestFactory().get("/"))
    assert seen[0] == seen[1] and seen[2] == seen[0] + 1
