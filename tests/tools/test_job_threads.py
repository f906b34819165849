"""The embedded demo (no broker) runs jobs in background threads of the web process: the request
that starts a job returns at once, and the job's page shows its progress while it runs."""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connections, transaction

import tools.job_runner
from orders.models import Order
from tests.factories import place
from tools.job_threads import job_thread_submit
from tools.jobs import JOB_RUN_TASK
from tools.models import Job

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class RowLock:
    """Holds a row lock on one order, from a connection of its own, until released: the job
    stops at that order, in the middle of its run, for as long as the test needs."""

    def __init__(self, order: Order) -> None:
        self._locked, self._release = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._hold, args=(order.pk,))
        self._thread.start()
        assert self._locked.wait(10)

    def _hold(self, pk: int) -> None:
        try:
            with transaction.atomic():
                Order.objects.select_for_update().filter(pk=pk).get()
                self._locked.set()
                self._release.wait(30)
        finally:
            connections.close_all()

    def release(self) -> None:
        self._release.set()
        self._thread.join(10)


def job_status(job: Job) -> tuple[str, int]:
    job.refresh_from_db()
    return job.status, job.done


def test_a_job_started_in_the_demo_returns_at_once_and_its_progress_moves_while_it_runs(
    settings, monkeypatch, client, merchant, manager, needs_postgres
):
    settings.JOBS_IN_THREAD = True
    monkeypatch.setattr(tools.job_runner, "CHUNK_SIZE", 2)  # two chunks of two orders
    orders = [place(merchant, email=f"t{n}@example.com") for n in range(4)]
    client.force_login(manager)
    # A list's selection runs newest first: the second chunk is orders[1] and orders[0].
    lock = RowLock(orders[1])
    try:
        response = client.post(
            "/orders/bulk/",
            {"operation": "add_tag", "add_tag-name": "demo", "order": [o.pk for o in orders]},
        )
        job = Job.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/tools/jobs/{job.pk}/"

        # The request is back while the job's thread works: half done, then waiting on the lock.
        wait_for(lambda: job_status(job) == ("running", 2))
        progress = client.get(f"/tools/jobs/{job.pk}/").content.decode()
        assert 'data-status="running"' in progress
        assert '<progress max="4" value="2"' in progress
    finally:
        lock.release()

    wait_for(lambda: job_status(job)[0] == "succeeded")
    assert job.succeeded_count == 4
    tagged = Order.objects.filter(pk__in=[o.pk for o in orders], tags__name="demo")
    assert tagged.count() == 4


def test_a_job_that_breaks_in_its_thread_is_marked_failed(merchant, needs_postgres):
    job = Job.objects.create(merchant=merchant, kind="no-such-kind", params={}, order_pks=[1])

    job_thread_submit(job_id=job.pk, task_name=JOB_RUN_TASK).result(timeout=15)

    job.refresh_from_db()
    assert job.status == "failed"
    assert "no-such-kind" in job.error
