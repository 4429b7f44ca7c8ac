"""The probes: /healthz (the process answers) and /readyz (it can serve: the database answers,
every migration is applied, Redis answers when configured). A load balancer sends traffic only
to a ready process; an orchestrator restarts one that is not alive."""

import functools
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "failed"
NOT_CHECKED = "not_checked"
REDIS_BACKEND = "django.core.cache.backends.redis.RedisCache"


def healthz(request):
    """Alive: the process answers. No session, database or template, so it is also the bare
    yardstick the page benchmark measures the pages against (/sehat/ is the same view)."""
    return HttpResponse("ok\n", content_type="text/plain")


def readyz(request):
    """200 when every check passes, else 503; the JSON body names each check's result."""
    checks = {"database": _database()}
    checks["migrations"] = _migrations() if checks["database"] == OK else NOT_CHECKED
    if settings.CACHES["default"]["BACKEND"] == REDIS_BACKEND:
        checks["redis"] = _redis()
    failed = [name for name, result in checks.items() if result == FAILED]
    body = {"status": "unready" if failed else "ready", "checks": checks, "failed": failed}
    response = JsonResponse(body, status=503 if failed else 200)
    response["Cache-Control"] = "no-store"
    return response


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return OK
    except DatabaseError:
        logger.warning("readyz: the database does not answer", exc_info=True)
        # A broken connection would be handed to the next request of this thread: drop it.
        connection.close()
        return FAILED


def _migrations() -> str:
    try:
        applied = set(MigrationRecorder(connection).applied_migrations())
    except DatabaseError:
        logger.warning("readyz: the migration table cannot be read", exc_info=True)
        return FAILED
    missing = migrations_on_disk() - applied
    if missing:
        logger.warning("readyz: %d migrations not applied, e.g. %s", len(missing), min(missing))
        return FAILED
    return OK


@functools.cache
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Every migration the running code has (read once: the code does not change under it)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def _redis() -> str:
    try:
        cache.set("readyz", 1, timeout=10)
        return OK if cache.get("readyz") == 1 else FAILED
    except Exception:  # redis-py's errors are not Django's: any failure is "not ready"
        logger.warning("readyz: Redis does not answer", exc_info=True)
        return FAILED
