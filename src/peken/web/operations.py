"""/metrics, the operator's endpoint: the counters of peken.core.metrics (summed over gunicorn's
workers) and the state of the business read from the database at each scrape (outbox backlog,
the oldest money owed to a shop, when each background job last ran). It reads several apps, so
it lives here on top; the counters live in core, where every app may count.

/metrics answers only a caller with the bearer token PEKEN_METRICS_TOKEN or from a network in
PEKEN_METRICS_ALLOWED_NETWORKS; with neither set it answers no one (403).
"""

import hmac
import ipaddress
import logging
import math
import os

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from peken.accounts.backends import client_address
from peken.core.models import JobRun
from peken.jobs import JOBS
from peken.notifications.selectors import outbox_backlog
from peken.payouts.selectors import owed_since

logger = logging.getLogger(__name__)


# --- the business, read at scrape time ----------------------------------------------------------


class BusinessCollector:
    """Gauges computed from the database on each scrape; a database that does not answer shows
    as peken_database_up 0 instead of failing the scrape."""

    def collect(self):
        try:
            families = list(self._families())
        except DatabaseError:
            logger.warning("metrics: the database did not answer", exc_info=True)
            yield GaugeMetricFamily("peken_database_up", "The database answered the scrape.", 0)
            return
        yield GaugeMetricFamily("peken_database_up", "The database answered the scrape.", 1)
        yield from families

    def _families(self):
        now = timezone.now()
        waiting, oldest = outbox_backlog(now=now)
        yield GaugeMetricFamily(
            "peken_outbox_backlog", "Messages waiting in the outbox to be sent.", waiting
        )
        yield GaugeMetricFamily(
            "peken_outbox_oldest_age_seconds",
            "How long the oldest message waiting in the outbox has waited (0: none waiting).",
            oldest,
        )
        since = owed_since()
        yield GaugeMetricFamily(
            "peken_payout_oldest_unpaid_age_seconds",
            "How long the longest-waiting money owed to a shop has waited (0: none owed).",
            (now - since).total_seconds() if since else 0,
        )
        runs = {run.name: run for run in JobRun.objects.all()}
        age = GaugeMetricFamily(
            "peken_job_last_run_age_seconds",
            "Seconds since the job's last run finished (+Inf: never).",
            labels=["job"],
        )
        failed = GaugeMetricFamily(
            "peken_job_last_run_failed", "1 when the job's last run failed.", labels=["job"]
        )
        interval = GaugeMetricFamily(
            "peken_job_interval_seconds", "How often the worker runs the job.", labels=["job"]
        )
        for job in JOBS:
            run = runs.get(job.name)
            finished = run.last_finished if run else None
            age.add_metric([job.name], (now - finished).total_seconds() if finished else math.inf)
            failed.add_metric([job.name], 1 if run and run.last_error else 0)
            interval.add_metric([job.name], job.every_seconds)
        yield from (age, failed, interval)


class _Scrape:
    """What one scrape exposes: the process's (or all workers') counters and the business."""

    def __init__(self, *collectors):
        self.collectors = collectors

    def collect(self):
        for collector in self.collectors:
            yield from collector.collect()


def scrape() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counters = CollectorRegistry()
        MultiProcessCollector(counters)
    else:
        counters = REGISTRY
    return generate_latest(_Scrape(counters, BusinessCollector()))


# --- the endpoint -------------------------------------------------------------------------------


def metrics_view(request):
    refusal = _refusal(request)
    if refusal is not None:
        return refusal
    response = HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def _refusal(request):
    token = settings.PEKEN_METRICS_TOKEN
    networks = settings.PEKEN_METRICS_ALLOWED_NETWORKS
    if not token and not networks:
        return _refused(403, "metrics_not_configured")
    if token:
        scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(offered.strip(), token):
            return None
    if networks and _from_allowed_network(request, networks):
        return None
    if token:
        response = _refused(401, "metrics_token_invalid")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return _refused(403, "metrics_network_refused")


def _from_allowed_network(request, networks: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


def _refused(status: int, code: str) -> JsonResponse:
    return JsonResponse({"code": code}, status=status)
