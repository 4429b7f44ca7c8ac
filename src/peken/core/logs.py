"""Logs an operator can follow: every record carries the id of the request it belongs to, and
with PEKEN_LOG_FORMAT=json each record is one JSON object per line (python-json-logger) for a
log collector to index. Imported by the settings: no Django models here."""

import contextvars
import logging
import re
import sys
import time
import uuid

from django.core.signals import request_finished

# The id of the request being served in this thread ("-" outside a request: the worker, a shell).
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
# An id a proxy or client sent is kept only if it is short and plain: it goes into every log line.
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@-]{1,128}")
REQUEST_ID_HEADER = "X-Request-ID"

access_log = logging.getLogger("peken.access")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (as `request_id`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(
        JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger"}
    )


def logging_settings(*, log_format: str, level: str) -> dict:
    """Django's LOGGING: one console handler, text or JSON, every record with its request id."""
    if log_format not in ("json", "text"):
        raise ValueError(f"PEKEN_LOG_FORMAT must be 'json' or 'text', not {log_format!r}")
    formatter = {"()": json_formatter} if log_format == "json" else {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"peken": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "peken",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own console handler (DEBUG only) would print its records a second time.
            "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "django.db.backends": {"level": "INFO"},
        },
    }


class RequestIdMiddleware:
    """First in the chain: takes the caller's X-Request-ID (a proxy's) or makes one, returns it
    in the response, puts it on every log record of the request, and logs one access line.

    The id stays set until the response is closed (request_finished), so Django's own records
    written after the middleware ("Forbidden: /metrics") carry it too."""

    def __init__(self, get_response):
        self.get_response = get_response
        request_finished.connect(_request_id_clear, dispatch_uid="peken-request-id")

    def __call__(self, request):
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if ACCEPTED_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        request.request_id = request_id
        REQUEST_ID.set(request_id)
        _sentry_tag(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response


def _request_id_clear(**kwargs) -> None:
    REQUEST_ID.set("-")


def _sentry_tag(request_id: str) -> None:
    sentry_sdk = sys.modules.get("sentry_sdk")
    if sentry_sdk is not None and sentry_sdk.is_initialized():
        sentry_sdk.set_tag("request_id", request_id)
