"""A job started while the broker was unreachable runs on a real worker once beat queues it
again with the broker back, and each of its items is done once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import CLOSED_REDIS_URL, broker_at
from tests.factories import place
from tests.tools.test_worker import (  # noqa: F401  (the worker fixture)
    celery_worker_process,
    note_counts,
    wait_for_job_end,
)
from tools.models import Job
from tools.tasks import job_requeue_stalled_task


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_job_started_while_the_broker_was_down_runs_once_when_beat_requeues_it(
    celery_worker_process,  # noqa: F811
    client,
    merchant,
    manager,
):
    worker = celery_worker_process
    orders = [place(merchant, email=f"b{n}@example.com") for n in range(3)]
    client.force_login(manager)

    with broker_at(CLOSED_REDIS_URL):
        response = client.post(
            "/tools/jobs/new/append-note/",
            {"order_ids": " ".join(order.order_id for order in orders), "text": "After outage"},
        )
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.status == Job.Status.PENDING
    # The worker of this test listens on a queue of its own; and a minute has passed.
    Job.objects.filter(pk=job.pk).update(
        queue=worker.queue, created_at=timezone.now() - timedelta(minutes=2)
    )

    assert job_requeue_stalled_task.apply().get() == 1
    job = wait_for_job_end(job, worker)

    assert job.status == Job.Status.SUCCEEDED, worker.output()
    assert (job.done, job.succeeded_count, job.outcomes.count()) == (3, 3, 3)
    assert note_counts(orders) == [(1, 1)] * 3
    assert worker.output().count("] received") == 1
