"""Prometheus counters (prometheus_client) of events, counted where they happen: request latency
by view, checkouts placed and refused, payment webhooks. Under gunicorn's several workers they
live in PROMETHEUS_MULTIPROC_DIR (`peken serve` sets it), so whichever worker answers the scrape
sums them all. The endpoint, with the state of the business read at scrape time, is
peken.web.operations."""

import logging
import time

from django.conf import settings
from prometheus_client import (
    Counter,
    Histogram,
)

logger = logging.getLogger(__name__)

REQUEST_LATENCY = Histogram(
    "peken_http_request_duration_seconds",
    "Time from a request's arrival to its response, by URL name.",
    ["view", "method"],
)
CHECKOUTS_PLACED = Counter(
    "peken_checkouts_placed", "Checkouts placed (a replayed one is not counted).", ["channel"]
)
CHECKOUTS_REFUSED = Counter(
    "peken_checkouts_refused", "Checkouts refused, by error code.", ["code", "channel"]
)
WEBHOOKS = Counter(
    "peken_payment_webhooks",
    "Payment gateway notifications received, by outcome or error code.",
    ["gateway", "outcome"],
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


# --- the hooks the views call ---------------------------------------------------------------


def checkout_placed(*, channel: str) -> None:
    CHECKOUTS_PLACED.labels(channel=channel).inc()


def checkout_refused(*, code: str, channel: str) -> None:
    CHECKOUTS_REFUSED.labels(code=code, channel=channel).inc()


def webhook_received(*, gateway: str, outcome: str) -> None:
    """`gateway` must be a known gateway's name (or "unknown"): it becomes a label."""
    WEBHOOKS.labels(gateway=gateway, outcome=outcome).inc()


# --- request latency --------------------------------------------------------------------------


class RequestMetricsMiddleware:
    """Observes each request's duration under its URL name (bounded labels: never the path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_LATENCY.labels(view=_view_label(request), method=_method_label(request)).observe(
            time.perf_counter() - started
        )
        return response


def _view_label(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    if request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unresolved"


def _method_label(request) -> str:
    return request.method if request.method in METHODS else "other"
