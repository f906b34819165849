"""A bulk action from a stage list, run by a real Celery worker over Redis."""

import pytest

import tools.jobs
from orders.states import Stage
from tests.factories import place
from tests.tools.test_worker import celery_worker_process, wait_for_job_end  # noqa: F401
from tools.models import Job

from .conftest import ar_order, login


@pytest.mark.services
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_bulk_process_payment_from_the_list_runs_on_a_real_worker(
    celery_worker_process,  # noqa: F811
    client,
    merchant,
    manager,
    monkeypatch,
):
    worker = celery_worker_process
    # The job is queued as in production (after commit, through Redis); only the queue's name
    # is the worker's own, so that no other test's worker can take it.
    enqueue = tools.jobs._job_enqueue
    monkeypatch.setattr(
        tools.jobs, "_job_enqueue", lambda job_id, queue: enqueue(job_id, worker.queue)
    )
    chosen = [ar_order(merchant, email=f"worker{n}@example.com") for n in range(3)]
    shipped = place(merchant)  # chosen too, but on another screen: never enters the job
    login(client, manager)

    response = client.post(
        "/stages/accounts-receivable/bulk/",
        {
            "operation": "process_payment",
            "order": [o.pk for o in [*chosen, shipped]],
            "confirmed": "1",
        },
    )

    job = Job.objects.get()
    assert response["Location"] == f"/tools/jobs/{job.pk}/"
    job = wait_for_job_end(job, worker)
    assert job.status == Job.Status.SUCCEEDED, worker.output()
    assert (job.total, job.succeeded_count, job.skipped_count) == (3, 3, 0)
    assert set(job.outcomes.values_list("order_id", "outcome")) == {
        (o.order_id, "succeeded") for o in chosen
    }
    for order in chosen:
        order.refresh_from_db()
        assert order.stage == Stage.SHIPPING
