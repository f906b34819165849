"""Jobs run by the web process itself, in background threads: the embedded demo, which has no
broker and no worker (settings.JOBS_IN_THREAD, on when REDIS_URL is unset).

The request that starts a job returns as soon as its task is handed to a thread, and the job
page's progress bar moves while the thread works, as it does with a worker. The thread runs the
job's Celery task by its name, in place (`Task.apply`), so a failure outside the items marks the
job failed exactly as on a worker. Nothing survives a restart of the process: a job it was
running stays "running" until beat's job_requeue_stalled (absent from the demo) or a rerun.
"""

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from celery import current_app
from django.db import connections

logger = logging.getLogger(__name__)

# Two at a time: a demo may start an export while a batch runs, and SQLite serialises writers.
MAX_THREADS = 2
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=MAX_THREADS, thread_name_prefix="job")
        return _pool


def job_thread_submit(*, job_id: int, task_name: str) -> Future[None]:
    """Run the job's task (`task_name`, taking the job's ID) in a background thread."""
    return _executor().submit(_job_task_run, job_id, task_name)


def _job_task_run(job_id: int, task_name: str) -> None:
    try:
        # apply(): in place, whatever task_always_eager says; the task's on_failure still runs.
        result = current_app.tasks[task_name].apply(args=[job_id], throw=False)
        if result.failed():
            logger.error("Job %s failed in its thread: %r", job_id, result.result)
    finally:
        # The thread's own database connections: closed, never left for the next job to reuse.
        connections.close_all()
