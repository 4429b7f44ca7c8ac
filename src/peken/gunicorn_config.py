"""gunicorn's settings for Peken, as `peken serve` starts it (`gunicorn -c
python:peken.gunicorn_config`). Workers, threads and the address come from `peken serve`; any
other gunicorn setting can be given in GUNICORN_CMD_ARGS."""

import os
import shutil
from pathlib import Path

wsgi_app = "peken.wsgi:application"
# Threads: a worker keeps serving while some of its requests wait on the database, and accepts
# far more connections than it has threads (they queue in the worker instead of being reset).
worker_class = "gthread"
# Exports and the roster import may take a while; a worker silent for longer is restarted.
timeout = 60
graceful_timeout = 30
# Longer than a proxy's upstream keep-alive, so gunicorn never closes a connection the proxy is
# about to reuse.
keepalive = 75
# Peken logs every request itself (peken.access), with its request id and in the log format.
accesslog = None
errorlog = "-"
# gunicorn's control socket (one fixed path in the home folder) is not used: two servers on one
# machine would contend for it.
control_socket_disable = True


def on_starting(server):
    """A fresh start counts from zero: old workers' metric files are removed."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        for stale in Path(directory).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if os.environ.get("PEKEN_METRICS_DIR_IS_TEMPORARY") == "1":
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def _log_format() -> str:
    """PEKEN_LOG_FORMAT as the settings read it (json unless DEBUG), without loading Django."""
    chosen = os.environ.get("PEKEN_LOG_FORMAT", "").strip().lower()
    if chosen:
        return chosen
    debug = os.environ.get("DEBUG", "").strip().lower() in {"1", "true", "yes", "on", "ya"}
    return "text" if debug else "json"


if _log_format() == "json":
    # gunicorn's own lines (start, worker boots and timeouts) in the same JSON as Peken's.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "peken.core.logs.RequestIdFilter"}},
        "formatters": {"json": {"()": "peken.core.logs.json_formatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "json",
            }
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False}
        },
    }
