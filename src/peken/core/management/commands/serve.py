"""`peken serve`: Peken behind gunicorn, the production server (`make run` uses it too)."""

import os
import sys
import tempfile

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def default_workers() -> int:
    """One process without Redis: the per-process cache (sessions, cached listings) must then be
    the only one. With Redis, one per core (each with its threads)."""
    if not settings.REDIS_URL:
        return 1
    return max(2, os.cpu_count() or 1)


class Command(BaseCommand):
    help = (
        "Sajikan Peken dengan gunicorn (server produksi, berutas). "
        "Tanpa REDIS_URL: satu proses pekerja."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--bind",
            default=os.environ.get("PEKEN_BIND", "127.0.0.1:8000"),
            help="Alamat:port (PEKEN_BIND; bawaan 127.0.0.1:8000).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("PEKEN_WORKERS", "0")) or None,
            help="Proses (PEKEN_WORKERS; bawaan: 1 tanpa Redis, dengan Redis satu per inti).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("PEKEN_THREADS", "8")),
            help="Utas per proses (PEKEN_THREADS; bawaan 8).",
        )

    def handle(self, *args, bind: str, workers: int | None, threads: int, **options):
        workers = workers or default_workers()
        if workers > 1 and not settings.REDIS_URL:
            raise CommandError(
                "Beberapa proses memerlukan REDIS_URL: tanpa cache bersama, sesi dan daftar "
                "toko yang disimpan tiap proses tidak sepakat. / Several workers need REDIS_URL."
            )
        if workers < 1 or threads < 1:
            raise CommandError("--workers dan --threads minimal 1.")
        env = dict(os.environ)
        if not env.get("PROMETHEUS_MULTIPROC_DIR"):
            # Counters from every worker, summed by whichever answers /metrics.
            env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="peken-metrics-")
            env["PEKEN_METRICS_DIR_IS_TEMPORARY"] = "1"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:peken.gunicorn_config",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ]
        self.stdout.write(f"gunicorn: {bind}, {workers} proses × {threads} utas")
        self.stdout.flush()
        os.execve(sys.executable, command, env)
