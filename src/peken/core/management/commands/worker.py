import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections

from peken.core.job_runs import job_run_finished, job_run_started
from peken.jobs import JOBS

logger = logging.getLogger("peken.worker")


class Command(BaseCommand):
    help = "Jalankan pekerjaan latar (pesanan kedaluwarsa, statistik basis data) terus-menerus."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Jalankan setiap pekerjaan sekali.")
        parser.add_argument("--tick", type=float, default=5.0, help="Detik antar-pemeriksaan.")

    def handle(self, *args, once: bool, tick: float, **options):
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        next_run = {job.name: 0.0 for job in JOBS}
        while not stopping:
            for job in JOBS:
                if time.monotonic() >= next_run[job.name]:
                    self._run(job)
                    next_run[job.name] = time.monotonic() + job.every_seconds
            if once:
                return
            # A long-lived process: drop connections the database closed or that grew old.
            close_old_connections()
            # --tick is the longest nap: a job due sooner (the outbox, every few seconds) is not
            # held back by a slow tick.
            time.sleep(max(0.0, min(tick, min(next_run.values()) - time.monotonic())))

    def _run(self, job) -> None:
        try:
            job_run_started(name=job.name)
            result = job.run()
            job_run_finished(name=job.name)
            if result is not None and not result:
                return  # nothing to do (0, an empty run): no line every few seconds in the log
            self.stdout.write(f"{job.name}: {result if result is not None else 'selesai'}")
        except Exception as error:  # one failing job must not stop the others
            logger.exception("job %s failed", job.name)
            try:  # /metrics shows the failure; with the database gone, the age shows it
                job_run_finished(name=job.name, error=f"{type(error).__name__}: {error}")
            except DatabaseError:
                logger.warning("job %s: its run could not be recorded", job.name)
