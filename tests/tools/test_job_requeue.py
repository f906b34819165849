"""Jobs no worker is on: beat queues again the pending ones older than a minute and the
running ones whose heartbeat is stale; a delivery leaves a job whose heartbeat is fresh."""

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from orders.models import OrderNote
from tools.job_runner import job_run
from tools.jobs import job_requeue_stalled
from tools.models import Job
from tools.tasks import job_requeue_stalled_task

pytestmark = pytest.mark.django_db


def make_job(merchant, orders, *, status=Job.Status.PENDING, age=0, heartbeat=None, queue=""):
    now = timezone.now()
    return Job.objects.create(
        merchant=merchant,
        kind="operation",
        params={"operation": "append_note", "inputs": {"text": "Once"}, "selection": {}},
        order_pks=[order.pk for order in orders],
        total=len(orders),
        status=status,
        queue=queue,
        created_at=now - timedelta(seconds=age),
        started_at=None if status == Job.Status.PENDING else now - timedelta(seconds=age),
        heartbeat_at=None if heartbeat is None else now - timedelta(seconds=heartbeat),
    )


@dataclass
class Queue:
    name: str
    client: Any

    def job_ids(self) -> list[int]:
        """The job IDs of the job_run_task messages waiting on this queue in Redis."""
        raw = self.client.lrange(self.name, 0, -1)
        return sorted(json.loads(json.loads(item)["headers"]["argsrepr"])[0] for item in raw)


@pytest.fixture
def queue(needs_redis):
    """A Celery queue of the test's own on the real broker."""
    import redis

    queue = Queue(f"test-requeue-{uuid.uuid4().hex[:12]}", redis.Redis.from_url(settings.REDIS_URL))
    yield queue
    queue.client.delete(queue.name)


def test_beat_requeues_old_pending_and_stale_running_jobs_only(merchant, orders, queue):
    stalled = [
        make_job(merchant, orders, age=120, queue=queue.name),
        make_job(
            merchant, orders, status=Job.Status.RUNNING, age=600, heartbeat=120, queue=queue.name
        ),
        # Running, but its worker died before the first heartbeat was saved.
        make_job(merchant, orders, status=Job.Status.RUNNING, age=600, queue=queue.name),
    ]
    make_job(merchant, orders, age=10, queue=queue.name)  # just created: its task is on its way
    make_job(  # alive
        merchant, orders, status=Job.Status.RUNNING, age=600, heartbeat=5, queue=queue.name
    )
    make_job(
        merchant, orders, status=Job.Status.SUCCEEDED, age=600, heartbeat=300, queue=queue.name
    )
    make_job(merchant, orders, status=Job.Status.CANCELLED, age=600, queue=queue.name)

    assert job_requeue_stalled_task.apply().get() == 3

    assert queue.job_ids() == sorted(job.pk for job in stalled)


def test_a_delivery_leaves_a_job_whose_heartbeat_is_fresh(merchant, orders):
    job = make_job(merchant, orders, status=Job.Status.RUNNING, age=600, heartbeat=5)

    assert job_run(job_id=job.pk) is None

    assert not OrderNote.objects.filter(order__in=orders).exists()
    job.refresh_from_db()
    assert (job.status, job.done) == (Job.Status.RUNNING, 0)


def test_a_delivery_takes_over_a_job_whose_heartbeat_is_stale(merchant, orders, settings):
    settings.JOB_HEARTBEAT_STALE_SECONDS = 30
    job = make_job(merchant, orders, status=Job.Status.RUNNING, age=600, heartbeat=31)

    job = job_run(job_id=job.pk)

    assert (job.status, job.done) == (Job.Status.SUCCEEDED, len(orders))
    assert job.heartbeat_at > timezone.now() - timedelta(seconds=30)
    assert OrderNote.objects.filter(order__in=orders).count() == len(orders)


def test_nothing_is_requeued_when_the_broker_is_down_again(merchant, orders):
    from tests.conftest import CLOSED_REDIS_URL, broker_at

    make_job(merchant, orders, age=120)

    with broker_at(CLOSED_REDIS_URL):
        assert job_requeue_stalled() == 0
