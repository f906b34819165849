"""Batches on a real Celery worker: 10,000 orders, and a worker killed (SIGKILL) mid-batch.

Recovery after a kill, two ways: tasks are acks_late with reject_on_worker_lost, so the killed
worker's message stays in Redis's unacked set, and the next worker to start restores it once it
is older than the visibility timeout (short here, through CELERY_VISIBILITY_TIMEOUT); and beat's
job_requeue_stalled queues the job again once its heartbeat is stale (short here, through
JOB_HEARTBEAT_STALE_SECONDS). Either way the job row is still "running" with a stale heartbeat;
job_run takes it over and skips every item that already has an outcome, so each order is
changed exactly once.
"""

import os
import signal
import subprocess
import sys
import time
import uuid

import psycopg
import pytest
from django.conf import settings
from django.db.models import Count

from bench.seed import orders_seed
from orders.models import Order, OrderEvent
from tests.tools.test_worker import WORKER_OPTIONS, WorkerProcess, _test_database_url
from tools.jobs import job_create
from tools.models import Job
from tools.tasks import job_requeue_stalled_task

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
VISIBILITY_TIMEOUT = 2
STALE_AFTER = 2
# A heartbeat every half second, stale after two: a killed worker's job is free in seconds.
HEARTBEAT = {"JOB_HEARTBEAT_SECONDS": "0.5", "JOB_HEARTBEAT_STALE_SECONDS": str(STALE_AFTER)}


def _spawn(queue: str, log, **extra_env: str) -> WorkerProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backoffice.settings.test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        **extra_env,
    }
    command = [sys.executable, "-m", "celery", "-A", "backoffice", "worker", *WORKER_OPTIONS]
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*command, "-Q", queue, "-n", f"{queue}-{uuid.uuid4().hex[:4]}@%h"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return WorkerProcess(queue=queue, process=process, log=log)


def _stop(worker: WorkerProcess) -> None:
    if worker.process.poll() is None:
        worker.process.terminate()
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait(timeout=10)


def _clean_queue(queue: str) -> None:
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    leftovers = list(client.scan_iter(match=f"*{queue}*"))
    if leftovers:
        client.delete(*leftovers)


@pytest.fixture
def workers(needs_postgres, needs_redis, tmp_path):
    started: list[WorkerProcess] = []
    queue = f"test-batch-{uuid.uuid4().hex[:12]}"

    def start(**extra_env: str) -> WorkerProcess:
        worker = _spawn(queue, tmp_path / "worker.log", **extra_env)
        started.append(worker)
        return worker

    start.queue = queue
    yield start
    for worker in started:
        _stop(worker)
    _clean_queue(queue)


def _wait(job: Job, until, worker: WorkerProcess, timeout: float) -> Job:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if until(job):
            return job
        if worker.process.poll() is not None:
            pytest.fail(f"The worker exited early:\n{worker.output()}")
        time.sleep(0.1)
    pytest.fail(f"Job {job.pk}: {job.status} {job.done}/{job.total} after {timeout}s")


def _note_job(merchant, manager, pks, queue) -> Job:
    return job_create(
        merchant=merchant,
        kind="operation",
        params={"operation": "append_note", "inputs": {"text": "Batch"}, "selection": {}},
        order_pks=pks,
        by=manager,
        queue=queue,
    )


def test_a_batch_over_10000_orders_runs_on_a_real_worker(workers, merchant, manager):
    pks = orders_seed(merchant=merchant, count=10_000)
    worker = workers()
    started = time.monotonic()
    job = _note_job(merchant, manager, pks, workers.queue)
    job = _wait(job, lambda j: j.has_ended, worker, timeout=300)
    seconds = time.monotonic() - started

    assert job.status == Job.Status.SUCCEEDED, worker.output()
    assert (job.done, job.succeeded_count) == (10_000, 10_000)
    events = OrderEvent.objects.filter(type="order_note_added", payload__job_id=job.pk)
    assert events.count() == 10_000
    print(f"10,000 orders on a real worker in {seconds:.1f} s")


def test_a_worker_killed_mid_batch_resumes_and_changes_each_order_once(workers, merchant, manager):
    pks = orders_seed(merchant=merchant, count=2_000)
    first = workers(CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT), **HEARTBEAT)
    job = _note_job(merchant, manager, pks, workers.queue)
    job = _wait(job, lambda j: j.done >= 200, first, timeout=120)

    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(timeout=10)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert 0 < job.done < job.total, "the kill must land in the middle of the batch"

    # The unacked message is visible again, and the dead worker's heartbeat is stale.
    time.sleep(max(VISIBILITY_TIMEOUT, STALE_AFTER) + 1)
    second = workers(CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT), **HEARTBEAT)
    job = _wait(job, lambda j: j.has_ended, second, timeout=300)

    assert job.status == Job.Status.SUCCEEDED, second.output()
    assert (job.done, job.succeeded_count, job.outcomes.count()) == (2_000, 2_000, 2_000)
    assert _changes_per_order(pks) == {(1, 1)}


def _changes_per_order(pks) -> set[tuple[int, int]]:
    """The distinct (notes, events) counts over the orders: {(1, 1)} when each was done once."""
    per_order = (
        Order.objects.filter(pk__in=pks)
        .annotate(
            n_notes=Count("notes", distinct=True),
            n_events=Count("events", distinct=True),
        )
        .values_list("n_notes", "n_events")
    )
    return set(per_order)


def test_a_killed_workers_job_is_queued_again_by_beat_once_its_heartbeat_is_stale(
    workers, merchant, manager, settings
):
    pks = orders_seed(merchant=merchant, count=2_000)
    # Another session holds the last order's row, so however fast the worker is, the job
    # waits there and the kill lands in the middle of the batch.
    blocker = psycopg.connect(_test_database_url())
    blocker.execute("SELECT id FROM orders_order WHERE id = %s FOR UPDATE", [max(pks)])
    # The default visibility timeout (an hour): only beat's re-queue can rescue the job.
    first = workers(**HEARTBEAT)
    job = _note_job(merchant, manager, pks, workers.queue)
    try:
        job = _wait(job, lambda j: j.done >= 200, first, timeout=120)
        beat_seen = job.heartbeat_at
        job = _wait(job, lambda j: j.heartbeat_at != beat_seen, first, timeout=10)
        os.kill(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert 0 < job.done < job.total, "the kill must land in the middle of the batch"

    settings.JOB_HEARTBEAT_STALE_SECONDS = STALE_AFTER
    assert job_requeue_stalled_task.apply().get() == 0  # its heartbeat is still fresh
    time.sleep(STALE_AFTER + 0.5)
    assert job_requeue_stalled_task.apply().get() == 1
    second = workers(**HEARTBEAT)
    job = _wait(job, lambda j: j.has_ended, second, timeout=300)

    assert job.status == Job.Status.SUCCEEDED, second.output()
    assert (job.done, job.succeeded_count, job.outcomes.count()) == (2_000, 2_000, 2_000)
    assert _changes_per_order(pks) == {(1, 1)}
    # Two deliveries in the workers' shared log: the killed worker's and beat's, nothing more.
    assert second.log.read_text().count("] received") == 2
