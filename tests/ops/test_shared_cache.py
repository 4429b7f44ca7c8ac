"""Issue 14.2: with REDIS_URL set, what several gunicorn workers (or machines) must agree on is in
Redis: a session one process signs out is gone for the others, and a cache generation one process
bumps (a shop reaching its cap drops every cached listing) is the one the others read. Login and
sign-up throttles are database rows (accounts.LoginThrottle), shared with or without Redis.

Runs when REDIS_URL (or PEKEN_TEST_REDIS_URL) is set; each run keeps to its own key prefix."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.core.cache import cache
from django.test import Client

import factories
from peken.core.cache import LISTING, generation_bump

REDIS_URL = os.environ.get("PEKEN_TEST_REDIS_URL") or os.environ.get("REDIS_URL")
pytestmark = [
    pytest.mark.skipif(not REDIS_URL, reason="no Redis: set REDIS_URL or PEKEN_TEST_REDIS_URL"),
    pytest.mark.django_db,
]
REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"


@pytest.fixture
def shared_cache(settings):
    """This process on Redis with Peken's production cache settings, under a prefix of its own."""
    prefix = f"peken-test-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {
        "default": {"BACKEND": REDIS_BACKEND, "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}
    }
    yield prefix
    client = cache._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):  # not FLUSHDB: the Redis may be shared
        client.delete(key)


def another_process(prefix: str, session_key: str, data_dir) -> dict:
    """What a second worker started from peken.settings with the same REDIS_URL sees."""
    code = (
        "import django, json, sys; django.setup()\n"
        "from django.conf import settings\n"
        "from django.contrib.sessions.backends.cached_db import SessionStore\n"
        "from django.core.cache import cache\n"
        "from peken.core.cache import LISTING, generation\n"
        "print(json.dumps({'backend': settings.CACHES['default']['BACKEND'],\n"
        "  'session_engine': settings.SESSION_ENGINE,\n"
        "  'signed_in': cache.get(SessionStore(session_key=sys.argv[1]).cache_key) is not None,\n"
        "  'listing_generation': generation(LISTING)}))\n"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    env.update(
        DJANGO_SETTINGS_MODULE="peken.settings",
        SECRET_KEY="peken-tests-only-secret",
        REDIS_URL=REDIS_URL,
        PEKEN_CACHE_KEY_PREFIX=prefix,
        PEKEN_DATA_DIR=str(data_dir),
    )
    result = subprocess.run(
        [sys.executable, "-c", code, session_key],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_workers_share_sessions_and_cache_generations_through_redis(shared_cache, tmp_path):
    browser = Client()
    browser.force_login(factories.user("kasir"))
    session_key = browser.cookies["sessionid"].value
    generation_bump(LISTING)
    seen = another_process(shared_cache, session_key, tmp_path)
    assert seen["backend"] == REDIS_BACKEND
    assert seen["session_engine"] == "django.contrib.sessions.backends.cached_db"
    assert seen["signed_in"] is True
    assert seen["listing_generation"] == 2

    browser.post("/keluar/")
    generation_bump(LISTING)
    seen = another_process(shared_cache, session_key, tmp_path)
    assert seen["signed_in"] is False  # signed out on one worker: on every worker
    assert seen["listing_generation"] == 3
