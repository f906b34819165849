"""Celery entry points for jobs: thin; the work is in tools.job_runner and tools.jobs."""

from celery import Task, shared_task

from tools.job_runner import job_run
from tools.jobs import job_fail, job_requeue_stalled


class JobTask(Task):
    """A task whose first argument is a job ID: an error outside the items fails the job."""

    acks_late = True

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        job_id = args[0] if args else kwargs.get("job_id")
        if job_id is not None:
            job_fail(job_id=job_id, error=f"{exc.__class__.__name__}: {exc}")


@shared_task(base=JobTask, acks_late=True)
def job_run_task(job_id: int) -> None:
    job_run(job_id=job_id)


@shared_task(acks_late=True)
def job_requeue_stalled_task() -> int:
    """Beat's sweep for jobs no worker is on; sending a job twice does no harm (job_run)."""
    return job_requeue_stalled()
