"""gunicorn settings for Peken in production, read by `gunicorn --config deploy/gunicorn.conf.py`.

The same file serves the container image (deploy/Dockerfile) and the VM install
(deploy/systemd/peken-web.service); what differs between them comes from the environment:

- PEKEN_BIND: where to listen (default 127.0.0.1:8000, nginx on the same machine; the image
  sets 0.0.0.0:8000 so nginx's container can reach it).
- PEKEN_WORKERS: worker processes (default two per CPU this process may run on).
- PEKEN_THREADS: threads per worker (default 4).
- FORWARDED_ALLOW_IPS: the proxies whose X-Forwarded-* headers gunicorn believes (default
  127.0.0.1,::1: nginx on the same machine).

Settings given on the command line win over this file. Where Peken ships gunicorn settings of its
own (peken.gunicorn_config, issue 14's operations: the metrics hooks, logs in Peken's format),
they are taken first and this file adds the deployment's.
"""

import os

try:
    from peken.gunicorn_config import *  # noqa: F403
except ImportError:  # a Peken without them
    accesslog = "-"  # gunicorn's own access log, to standard output

wsgi_app = "peken.wsgi:application"
bind = [os.environ.get("PEKEN_BIND", "127.0.0.1:8000")]


def _cpus_available() -> int:
    # The CPUs this process may run on (a container's cpuset), not every CPU of the host.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Threads, not one request per process: a worker waiting on PostgreSQL serves others meanwhile,
# and only a threaded worker keeps a connection alive between requests (the sync worker closes
# it after every response). Measured on 2 cores (BENCHMARKS.md, checkout over HTTP): 4 workers
# of 4 threads 197 checkouts/s at p99 270 ms, against 139/s for 3 sync workers; about 100 MB of
# memory per worker. Each thread keeps its own database connection (PEKEN_DB_CONN_MAX_AGE): size
# PostgreSQL's max_connections (or PgBouncer) for workers × threads × machines, plus the workers.
worker_class = "gthread"
workers = int(os.environ.get("PEKEN_WORKERS") or 2 * _cpus_available())
threads = int(os.environ.get("PEKEN_THREADS") or 4)

# nginx keeps idle connections to gunicorn open for reuse and drops them after its upstream
# keepalive_timeout (deploy/nginx/peken.conf: 60 s). gunicorn must hold an idle connection longer
# than that, so it is always nginx that closes it: if gunicorn closed first, a request nginx sends
# on that connection at the same moment is lost (a 502 for the visitor). tests/ops/test_deploy.py
# keeps the two numbers in this order.
keepalive = 75

# A threaded worker whose main loop is silent this long is hung and is replaced (a slow request
# in one thread does not count: the loop goes on; nginx's proxy_read_timeout bounds those).
timeout = 30
# On SIGTERM (systemctl stop, docker stop), requests in flight get this long to finish.
graceful_timeout = 30
# No max_requests: recycling a worker closes its idle kept-alive connections, and a POST nginx
# sends on one at that moment fails (nginx retries only idempotent requests). Memory measured
# flat under load (BENCHMARKS.md), so there is nothing to recycle for.

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs go to standard error: journald or docker keep them.
errorlog = "-"
# The client's address as nginx saw it; the request time in microseconds.
access_log_format = '%({x-forwarded-for}i)s %(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'

# /dev/shm, not the image's disk: the workers' heartbeat files are touched every second.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn 25's control socket would go under $HOME, which a service user may not have.
control_socket_disable = True
