"""What every benchmark shares: the configuration, the registry (@benchmark, @child), the child
process per database, timing, CPU metering, gunicorn and the load loops, the shared data loads.
"""

import contextlib
import cProfile
import functools
import gc
import json
import os
import pstats
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ".venv/bin/python -m benchmarks"
POSTGRES_URL = os.environ.get(
    "PEKEN_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/peken_bench"
)
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
ASN_SURABAYA = 16_175  # Surabaya's ASN count: the size the roster import must handle
ROSTER_TARGET_SECONDS = 10.0  # from the issue, for every database
FULL_REPEATS = 5  # at least 3: the reference machine has 2 noisy cores
QUICK_ROWS = 1_000
SEED = 1


@dataclass(frozen=True)
class Config:
    quick: bool
    profile: bool
    databases: tuple[str, ...]

    @property
    def rows(self) -> int:
        return QUICK_ROWS if self.quick else ASN_SURABAYA

    @property
    def repeats(self) -> int:
        return 1 if self.quick else FULL_REPEATS


@dataclass
class Row:
    """One line of a report table; `seconds` is empty when the measurement was skipped."""

    database: str
    measurement: str
    rows: int
    seconds: list[float] = field(default_factory=list)
    target: float | None = None
    yardstick: float | None = None
    skipped: str = ""


@dataclass(frozen=True)
class Benchmark:
    title: str
    intro: str
    run: Callable[[Config], list[Row]]
    # The section's table, when the default (seconds per run) does not fit its figures.
    table: Callable[[list[Row]], list[str]] | None = None


BENCHMARKS: dict[str, Benchmark] = {}
CHILDREN: dict[str, Callable[[Config], dict]] = {}


def benchmark(name: str, *, title: str, intro: str, table=None):
    def register(function: Callable[[Config], list[Row]]):
        BENCHMARKS[name] = Benchmark(title, intro, function, table)
        return function

    return register


def child(name: str):
    def register(function: Callable[[Config], dict]):
        CHILDREN[name] = function
        return function

    return register


def prepare_database() -> None:
    """Schema, regions and OPDs as `peken demo` loads them."""
    from django.core.management import call_command

    from peken.demo.services import opd_load_surabaya
    from peken.regions.services import regions_import_bundled

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    regions_import_bundled(actor="bench")
    opd_load_surabaya(actor="bench")
    log(f"database ready in {time.perf_counter() - started:.1f} s")


def generated_roster(count: int) -> list[dict[str, str]]:
    from peken.demo.services import city_roster_rows

    return city_roster_rows(count, seed=SEED)


CATALOG_MERCHANTS, CATALOG_PRODUCTS = 5_000, 200_000
QUICK_MERCHANTS, QUICK_PRODUCTS = 150, 3_000


def percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile: the value below which `percent` % of the values lie."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))  # ceiling
    return ordered[int(rank) - 1]


def catalog_load(config: Config) -> None:
    from django.db import connection

    from peken.demo.shops import catalog_generate

    merchants, products = (
        (QUICK_MERCHANTS, QUICK_PRODUCTS) if config.quick else (CATALOG_MERCHANTS, CATALOG_PRODUCTS)
    )
    started = time.perf_counter()
    catalog_generate(merchant_count=merchants, product_count=products, seed=SEED)
    elapsed = time.perf_counter() - started
    log(f"catalog of {products:,} products, {merchants:,} shops in {elapsed:.1f} s")
    # Planner statistics, as a deployment keeps them. Without them SQLite guesses that
    # "verified" picks a few shops, starts from the shops and runs the full-text query again
    # for each: seconds per search instead of milliseconds.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


CHECKOUT_THREADS = 16  # service-level threads and HTTP clients alike
CHECKOUT_MAX_PER_THREAD = 25_000  # every load loop stops at this count or at its time
CHECKOUT_STOCK = 100_000_000  # per stocked product: no cart is refused for stock
# Every shop's monthly cap: far above what a run sells, so no cart is refused, while ASN carts
# still reserve it (the reservation on the merchant's month row is part of the cost).
CHECKOUT_CAP = 10**12  # the highest cap the city may set: never reached
# Its own database, so that a search or roster run started meanwhile does not drop it.
CHECKOUT_POSTGRES_URL = urlunsplit(
    urlsplit(POSTGRES_URL)._replace(path=urlsplit(POSTGRES_URL).path + "_checkout")
)
CPU_SETTLE_SECONDS = 0.3


def source_version() -> str:
    """The commit measured, and whether src/ differed from it: others edit the tree meanwhile."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "an unknown version (no git)"
    return f"commit {commit or '?'}" + (" with uncommitted changes in src/" if changed else "")


@dataclass
class CheckoutLedger:
    """Checkouts the benchmark saw accepted, to compare with the database afterwards."""

    accepted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, count: int) -> None:
        with self.lock:
            self.accepted += count


class CpuMeter:
    """CPU time spent from now on by this process, the subprocesses it waits for, every
    PostgreSQL process on the machine (other users' included), and optionally one process group
    (a gunicorn and its workers). Linux /proc; elsewhere the server figures are 0."""

    def __init__(self, group: int | None = None) -> None:
        self.group = group
        self.started = self.snapshot()

    def snapshot(self) -> dict:
        # A backend whose connection just closed counts nowhere until the server has reaped it
        # (then it counts in the server's children): give it that moment, at both ends.
        time.sleep(CPU_SETTLE_SECONDS)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return {
            "process": time.process_time(),
            "children": children.ru_utime + children.ru_stime,
            "postgresql": process_ticks(lambda name, group: name == "postgres"),
            "group": process_ticks(lambda name, group: group == self.group) if self.group else {},
        }

    def per_operation(self, count: int) -> dict[str, float]:
        """Milliseconds per operation: app, postgresql and client."""
        seconds = self.seconds()
        return {key: round(value * 1000 / max(count, 1), 2) for key, value in seconds.items()}

    def seconds(self) -> dict[str, float]:
        """CPU seconds since the start: app, postgresql and client."""
        now, then = self.snapshot(), self.started

        def ticks(key: str) -> float:  # a process born meanwhile counts from 0
            before = then[key]
            spent = sum(
                value - before[pid] if before.get(pid, value + 1) <= value else value
                for pid, value in now[key].items()
            )
            return spent / os.sysconf("SC_CLK_TCK")

        process = now["process"] - then["process"]
        children = now["children"] - then["children"]
        app, client = (ticks("group"), process) if self.group else (process, children)
        return {"app": app, "postgresql": ticks("postgresql"), "client": client}


def process_ticks(match: Callable[[str, int], bool]) -> dict[int, int]:
    """pid → user + system clock ticks of the processes `match(name, process group)` picks,
    their reaped children's included."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            fields = text[text.rindex(")") + 2 :].split()
            if match(name, int(fields[2])):
                # With the children it reaped: pgbench's backends end before the run does.
                found[int(stat.parent.name)] = sum(int(tick) for tick in fields[11:15])
    return found


def load_run(
    name, seconds, start, step, stop, ledger: CheckoutLedger, threads: int = CHECKOUT_THREADS
) -> dict:
    """Runs `step` in `threads` threads from one instant for `seconds` (or until
    CHECKOUT_MAX_PER_THREAD each); checkouts per second, latency percentiles and errors."""
    latencies: list[list[float]] = [[] for _ in range(threads)]
    errors: list[Counter] = [Counter() for _ in range(threads)]
    finished = [0.0] * threads
    clock: dict[str, float] = {}
    barrier = threading.Barrier(threads + 1, action=lambda: clock.update(at=time.perf_counter()))

    def worker(index: int) -> None:
        state = None
        try:
            state = start(index)
            barrier.wait(timeout=120)
            deadline = clock["at"] + seconds
            for number in range(CHECKOUT_MAX_PER_THREAD):
                began = time.perf_counter()
                if began >= deadline:
                    break
                try:
                    step(state, index, number)
                except Exception as error:  # counted, never hidden: the figure must be 0
                    errors[index][error_kind(error)] += 1
                else:
                    latencies[index].append(time.perf_counter() - began)
        except Exception as error:  # a thread that cannot start or run shows as an error
            errors[index][f"thread: {error_kind(error)}"] += 1
            barrier.abort()
        finally:
            finished[index] = time.perf_counter()
            with contextlib.suppress(Exception):
                stop(state)

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for thread in workers:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=120)
    for thread in workers:
        thread.join(timeout=seconds + 120)
    hung = sum(thread.is_alive() for thread in workers)
    every = sorted(seconds for mine in latencies for seconds in mine)
    kinds = sum(errors, Counter())
    if hung:
        kinds["thread did not finish"] += hung
    elapsed = max(finished) - clock.get("at", max(finished))
    ledger.add(len(every))
    run = {
        "count": len(every),
        "seconds": round(elapsed, 3),
        "rate": round(len(every) / elapsed, 1) if elapsed > 0 else 0.0,
        "p50": percentile(every, 50) if every else 0.0,
        "p95": percentile(every, 95) if every else 0.0,
        "p99": percentile(every, 99) if every else 0.0,
        "errors": sum(kinds.values()),
        "error_kinds": dict(kinds.most_common(5)),
    }
    log(
        f"{name}: {run['count']} done in {elapsed:.1f} s = {run['rate']:.0f}/s, "
        f"p50 {run['p50'] * 1000:.1f} ms, p95 {run['p95'] * 1000:.1f} ms, "
        f"p99 {run['p99'] * 1000:.1f} ms, errors {run['errors']} {run['error_kinds'] or ''}"
    )
    return run


def error_kind(error: Exception) -> str:
    code = getattr(error, "code", None)
    return str(code) if code else f"{type(error).__name__}: {str(error)[:120]}"


def gunicorn_start(
    setting: str, logs: Path, database_url: str | None = None
) -> tuple[subprocess.Popen, int]:
    with socket.socket() as probe:  # a free port, released for gunicorn to take
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DEBUG="0", SECRET_KEY="bench", ALLOWED_HOSTS="127.0.0.1")
    env.update(SECURE_SSL_REDIRECT="0", DATABASE_URL=database_url or CHECKOUT_POSTGRES_URL)
    # Production settings, but the checkouts are charged by the simulator (off unless asked).
    env.update(PEKEN_PAYMENT_SIMULATOR="1", PEKEN_PAYMENT_GATEWAY="simulator")
    # Plain HTTP on loopback: cookies must travel without TLS for the page sessions.
    env.update(SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0")
    # As in production: one cache shared by every worker (each its own without Redis).
    env.update(REDIS_URL=bench_redis_url())
    command = [sys.executable, "-m", "gunicorn", "peken.wsgi:application", *setting.split()]
    command += ["--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5"]
    command += ["--log-level", "warning", "--error-logfile", str(logs / "error.log")]
    log(f"gunicorn {setting} on port {port}")
    server = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(logs / "stderr.log").open("w"),
        start_new_session=True,  # its own process group: the workers can be stopped with it
    )
    return server, port


BENCH_REDIS_URL = os.environ.get("PEKEN_BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


@functools.cache
def bench_redis_url() -> str:
    """The Redis the servers share, emptied first; "" (each worker its own cache) without one."""
    import redis

    try:
        redis.Redis.from_url(BENCH_REDIS_URL, socket_connect_timeout=1).flushdb()
    except redis.RedisError as error:
        log(f"no Redis at {BENCH_REDIS_URL} ({error}): each worker keeps its own cache")
        return ""
    return BENCH_REDIS_URL


def cache_text() -> str:
    return "Redis shared by the workers" if bench_redis_url() else "each worker's own memory"


def gunicorn_wait(server: subprocess.Popen, port: int, logs: Path) -> None:
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        gunicorn_check(server, logs)
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not listen on {port} within 30 s")


def gunicorn_check(server: subprocess.Popen, logs: Path) -> None:
    if server.poll() is not None:
        tail = "".join(path.read_text()[-3000:] for path in logs.glob("*.log") if path.exists())
        raise RuntimeError(f"gunicorn exited ({server.returncode}):\n{tail}")


def gunicorn_stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()  # the arbiter stops its workers
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.pid, signal.SIGKILL)  # any worker left of this gunicorn's own group
    server.wait(timeout=5)


def children_rss_mib(parent: int) -> list[float]:
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) != parent:
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
    return sizes


def checked(response):
    if response.status_code != 200:
        raise RuntimeError(f"dashboard answered {response.status_code}")
    return response


# --- timing -----------------------------------------------------------------------------------


def repeat(
    config: Config,
    name: str,
    action: Callable[[], None],
    before: Callable[[], None] | None = None,
) -> list[float]:
    seconds = []
    for _ in range(config.repeats):
        if before is not None:
            before()
        gc.collect()  # so one repetition does not pay for the garbage of the previous one
        started = time.perf_counter()
        action()
        seconds.append(round(time.perf_counter() - started, 4))
    log(f"{name}: {seconds}")
    return seconds


def profile(action: Callable[[], None], before: Callable[[], None], *restrict) -> None:
    before()
    profiler = cProfile.Profile(time.process_time)  # CPU, not waiting for the database
    profiler.runcall(action)
    for order in ("cumulative", "tottime"):
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats(order).print_stats(*restrict, 30)


def log(message: str) -> None:
    print(f"  [bench] {message}", file=sys.stderr, flush=True)


def run_child(name: str, database: str, config: Config, postgres_url: str = POSTGRES_URL) -> dict:
    """Runs CHILDREN[name] against a fresh `database`; {"skipped": why} if it is unavailable."""
    with tempfile.TemporaryDirectory(prefix="peken-bench-") as data_dir:
        env = child_environment(database, data_dir, postgres_url)
        if database == "postgresql":
            error = postgres_recreate(postgres_url)
            if error:
                return {"skipped": f"PostgreSQL not reachable ({error})"}
        command = [sys.executable, "-m", "benchmarks", "--child", name]  # cwd=ROOT: this package
        command += ["--database", database] + config_flags(config)
        log(f"{name} on {DATABASES[database]}")
        # stderr passes through so progress and tracebacks show; stdout carries the JSON.
        completed = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"bench: child {name} on {database} failed ({completed.returncode})")
    return json.loads(completed.stdout)


def child_environment(
    database: str, data_dir: str, postgres_url: str = POSTGRES_URL
) -> dict[str, str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="peken.settings", SECRET_KEY="bench", DEBUG="0")
    env.update(PEKEN_PAYMENT_SIMULATOR="1", PEKEN_PAYMENT_GATEWAY="simulator")  # pays the checkouts
    # Even on PostgreSQL the settings create static/ under the data directory: keep it in tmp.
    env["PEKEN_DATA_DIR"] = data_dir
    env.pop("DATABASE_URL", None)
    if database == "postgresql":
        env["DATABASE_URL"] = postgres_url
    return env


def config_flags(config: Config) -> list[str]:
    return (["--quick"] if config.quick else []) + (["--profile"] if config.profile else [])


def maintenance_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def postgres_recreate(url: str) -> str:
    """Drops and creates the bench database; returns an error message instead of raising."""
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    try:
        with psycopg.connect(maintenance_url(url), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        return str(error).strip().splitlines()[0]
    return ""
