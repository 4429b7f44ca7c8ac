"""The worker's record of each job's last run (core.JobRun), kept for the operator's metrics."""

from django.utils import timezone

from peken.core.models import JobRun


def job_run_started(*, name: str) -> None:
    JobRun.objects.update_or_create(name=name, defaults={"last_started": timezone.now()})


def job_run_finished(*, name: str, error: str = "") -> None:
    """After job_run_started; `error` empty when the run succeeded."""
    JobRun.objects.filter(name=name).update(last_finished=timezone.now(), last_error=error[:2000])
