"""A job on a real Celery worker over Redis (not eager), against the test database."""

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

import tools.jobs
from orders.models import OrderEvent, OrderNote
from tests.factories import place
from tools.models import Job
from tools.operations.registry import operation_get, operation_job_create
from tools.tasks import job_run_task

TIMEOUT = 60
# One task at a time in the worker's own process, without cluster chatter between workers.
WORKER_OPTIONS = [
    "--pool=solo",
    "--concurrency=1",
    "--without-gossip",
    "--without-mingle",
    "--without-heartbeat",
    "--loglevel=INFO",
]


@dataclass
class WorkerProcess:
    queue: str
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def _test_database_url() -> str:
    # The worker must use the database pytest-django created (test_…), not the configured one.
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def celery_worker_process(needs_postgres, needs_redis, transactional_db, tmp_path):
    """`celery -A backoffice worker` on a queue of its own; terminated when the test ends."""
    queue = f"test-jobs-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backoffice.settings.test",
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        command = [sys.executable, "-m", "celery", "-A", "backoffice", "worker", *WORKER_OPTIONS]
        process = subprocess.Popen(
            [*command, "-Q", queue, "-n", f"{queue}@%h"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield WorkerProcess(queue=queue, process=process, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        leftovers = list(client.scan_iter(match=f"*{queue}*"))
        if leftovers:
            client.delete(*leftovers)


def wait_for_job_end(job: Job, worker: WorkerProcess) -> Job:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.has_ended:
            return job
        if worker.process.poll() is not None:
            pytest.fail(f"The worker exited early:\n{worker.output()}")
        time.sleep(0.2)
    pytest.fail(f"Job {job.pk} still {job.status} after {TIMEOUT}s:\n{worker.output()}")


def note_counts(orders) -> list[tuple[int, int]]:
    return [
        (
            OrderNote.objects.filter(order=order).count(),
            OrderEvent.objects.filter(order=order, type="order_note_added").count(),
        )
        for order in orders
    ]


@pytest.mark.services
def note_job(merchant, orders, manager, text: str) -> Job:
    return operation_job_create(
        merchant=merchant,
        operation=operation_get("append_note"),
        inputs={"text": text},
        order_pks=[order.pk for order in orders],
        by=manager,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_job_runs_on_a_real_worker_and_a_second_delivery_changes_nothing(
    celery_worker_process, merchant, manager, monkeypatch
):
    worker = celery_worker_process
    # Queued as in production (after commit, through Redis), to the worker's own queue.
    enqueue = tools.jobs._job_enqueue
    monkeypatch.setattr(
        tools.jobs, "_job_enqueue", lambda job_id, queue: enqueue(job_id, worker.queue)
    )
    orders = [place(merchant, email=f"w{n}@example.com") for n in range(5)]

    # Committed at once (no test transaction): job_create's on-commit hook sends the task.
    job = note_job(merchant, orders, manager, "Packed by the worker")
    job = wait_for_job_end(job, worker)

    assert job.status == Job.Status.SUCCEEDED, worker.output()
    assert (job.done, job.total, job.succeeded_count) == (5, 5, 5)
    assert job.started_at is not None
    assert job.finished_at is not None
    assert set(job.outcomes.values_list("order_id", "outcome")) == {
        (order.order_id, "succeeded") for order in orders
    }
    assert note_counts(orders) == [(1, 1)] * 5
    event = OrderEvent.objects.filter(order=orders[0], type="order_note_added").get()
    assert (event.payload["job_id"], event.actor_label) == (job.pk, f"job {job.pk}")
    finished_at = job.finished_at

    # The same task delivered again; a second job behind it on the same single-process
    # worker tells us when the duplicate has been handled.
    job_run_task.apply_async(args=[job.pk], queue=worker.queue)
    marker_order = place(merchant, email="marker@example.com")
    marker = note_job(merchant, [marker_order], manager, "Marker")
    assert wait_for_job_end(marker, worker).status == Job.Status.SUCCEEDED

    job.refresh_from_db()
    assert note_counts(orders) == [(1, 1)] * 5
    assert job.outcomes.count() == 5
    assert (job.status, job.done, job.finished_at) == (Job.Status.SUCCEEDED, 5, finished_at)
    # The worker received all three messages: the job, its duplicate and the marker.
    assert worker.output().count("tools.tasks.job_run_task[") >= 3
    assert worker.output().count("] received") == 3, worker.output()
