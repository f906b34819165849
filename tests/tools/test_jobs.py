import csv
import io
import threading
from dataclasses import replace

import pytest
from django.db import connection

from orders.models import OrderEvent, OrderNote
from tests.factories import member, place
from tests.tools.conftest import soft_delete
from tools import job_runner
from tools.job_registry import JOB_RUNNERS
from tools.job_runner import job_cancel, job_run
from tools.job_types import ItemResult
from tools.jobs import JobError, job_create, job_problems_first, job_report_csv
from tools.models import Job, JobItemOutcome
from tools.operations.registry import operation_get, operation_item_run, operation_job_create
from tools.tasks import job_run_task


def note_job(merchant, orders, by, text="Called the customer"):
    return operation_job_create(
        merchant=merchant,
        operation=operation_get("append_note"),
        inputs={"text": text},
        order_pks=[order.pk for order in orders],
        by=by,
    )


def note_params(text: str) -> dict:
    """A job of the operation "append a merchant note", as operation_job_create stores it."""
    return {"operation": "append_note", "inputs": {"text": text}, "selection": {"kind": "ids"}}


def note_handler(handler, monkeypatch) -> None:
    """Run operation jobs' items through `handler` (which may call operation_item_run)."""
    monkeypatch.setitem(
        JOB_RUNNERS, "operation", replace(JOB_RUNNERS["operation"], handler=handler)
    )


def outcomes(job):
    return dict(job.outcomes.values_list("order_id", "outcome"))


@pytest.mark.django_db
def test_job_create_stores_a_pending_job_and_queues_its_task_after_commit(
    merchant, manager, orders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = note_job(merchant, orders, manager)

    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.PENDING
    assert job.total == 3
    assert job.order_pks == [order.pk for order in orders]
    assert job.created_by == manager


@pytest.mark.django_db
def test_without_a_broker_the_job_runs_in_process_once_committed(
    merchant, manager, orders, monkeypatch, django_capture_on_commit_callbacks
):
    # The embedded default (no REDIS_URL) runs tasks eagerly; set it explicitly so this test
    # also holds when the suite runs against Redis.
    monkeypatch.setitem(job_run_task.app.conf, "task_always_eager", True)

    with django_capture_on_commit_callbacks(execute=True):
        job = note_job(merchant, orders, manager)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.done == 3
    assert OrderNote.objects.filter(order__in=orders).count() == 3


@pytest.mark.django_db
def test_job_create_refuses_a_user_without_the_tools_permission(merchant, orders):
    bookkeeper = member(merchant, "bookkeeper")

    with pytest.raises(JobError):
        job_create(
            merchant=merchant,
            kind="operation",
            params=note_params("x"),
            order_pks=[order.pk for order in orders],
            by=bookkeeper,
        )

    assert not Job.objects.exists()


@pytest.mark.django_db
def test_job_create_refuses_an_unknown_kind_and_an_empty_list(merchant, manager, orders):
    with pytest.raises(JobError):
        job_create(merchant=merchant, kind="nope", params={}, order_pks=[1], by=manager)
    with pytest.raises(JobError):
        job_create(merchant=merchant, kind="operation", params={}, order_pks=[], by=manager)


@pytest.mark.django_db
def test_job_run_appends_one_note_and_one_event_per_order_naming_the_job(merchant, manager, orders):
    job = note_job(merchant, orders, manager)

    job = job_run(job_id=job.pk)

    assert job.status == Job.Status.SUCCEEDED
    assert (job.done, job.succeeded_count, job.skipped_count, job.failed_count) == (3, 3, 0, 0)
    assert job.started_at is not None
    assert job.finished_at is not None
    for order in orders:
        notes = OrderNote.objects.filter(order=order)
        assert [note.text for note in notes] == ["Called the customer"]
        assert notes[0].created_by == manager
        events = OrderEvent.objects.filter(order=order, type="order_note_added")
        assert events.count() == 1
        assert events[0].payload["job_id"] == job.pk
        assert events[0].actor_label == f"job {job.pk}"
        assert events[0].actor == manager
    assert outcomes(job) == {order.order_id: "succeeded" for order in orders}


@pytest.mark.django_db
def test_a_second_run_of_the_same_job_changes_nothing(merchant, manager, orders):
    job = note_job(merchant, orders, manager)
    job_run(job_id=job.pk)

    assert job_run(job_id=job.pk) is None

    assert OrderNote.objects.filter(order__in=orders).count() == 3
    assert OrderEvent.objects.filter(order__in=orders, type="order_note_added").count() == 3
    assert JobItemOutcome.objects.filter(job=job).count() == 3
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.done == 3


class WorkerKilled(BaseException):
    """Stands for the worker process dying mid-job: nothing in job_run may catch it."""


@pytest.mark.django_db
def test_a_run_after_a_crash_does_only_the_items_left(merchant, manager, orders, monkeypatch):
    monkeypatch.setattr(job_runner, "CHUNK_SIZE", 1)  # a crash undoes its own chunk only
    job = note_job(merchant, orders, manager)

    def dies_on_third(order_pk, params, job):
        if order_pk == orders[2].pk:
            raise WorkerKilled
        return operation_item_run(order_pk, params, job)

    note_handler(dies_on_third, monkeypatch)
    with pytest.raises(WorkerKilled):
        job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert set(outcomes(job)) == {orders[0].order_id, orders[1].order_id}

    note_handler(operation_item_run, monkeypatch)
    job = job_run(job_id=job.pk)

    assert job.status == Job.Status.SUCCEEDED
    assert job.done == 3
    for order in orders:
        assert OrderNote.objects.filter(order=order).count() == 1
        assert OrderEvent.objects.filter(order=order, type="order_note_added").count() == 1


@pytest.mark.django_db
def test_a_deleted_order_is_skipped_while_the_others_succeed(merchant, manager, orders):
    job = note_job(merchant, orders, manager)
    soft_delete(orders[1])

    job = job_run(job_id=job.pk)

    assert job.status == Job.Status.SUCCEEDED
    assert (job.succeeded_count, job.skipped_count, job.failed_count) == (2, 1, 0)
    assert outcomes(job)[orders[1].order_id] == "skipped"
    assert not OrderNote.objects.filter(order=orders[1]).exists()
    assert OrderNote.objects.filter(order__in=[orders[0], orders[2]]).count() == 2
    [problem] = job_problems_first(job=job)
    assert (problem.order_id, problem.message) == (orders[1].order_id, "deleted")


@pytest.mark.django_db
def test_another_merchants_order_in_a_job_fails_as_not_found_and_is_untouched(
    merchant, other_merchant, manager, orders
):
    foreign = place(other_merchant)
    job = note_job(merchant, [*orders, foreign], manager)

    job = job_run(job_id=job.pk)

    assert (job.succeeded_count, job.failed_count) == (3, 1)
    failure = job.outcomes.get(order_pk=foreign.pk)
    assert failure.outcome == "failed"
    assert failure.message == "Order not found."
    assert failure.order_id == ""
    assert not OrderNote.objects.filter(order=foreign).exists()
    assert not OrderEvent.objects.filter(order=foreign, type="order_note_added").exists()


@pytest.mark.django_db
def test_a_refusal_fails_that_item_with_its_message(merchant, orders):
    clerk = member(merchant, "shipping")  # may not edit orders, so may not add notes
    job = Job.objects.create(
        merchant=merchant,
        kind="operation",
        params=note_params("x"),
        order_pks=[orders[0].pk],
        total=1,
        created_by=clerk,
    )

    job = job_run(job_id=job.pk)

    assert job.status == Job.Status.SUCCEEDED
    assert job.failed_count == 1
    assert job.outcomes.get().message == "You may not add notes to orders."
    assert not OrderNote.objects.exists()


@pytest.mark.django_db
def test_an_unexpected_error_fails_only_that_item_and_the_job_goes_on(
    merchant, manager, orders, monkeypatch
):
    def breaks_on_second(order_pk, params, job):
        operation_item_run(order_pk, params, job)
        if order_pk == orders[1].pk:
            raise ZeroDivisionError
        return ItemResult.succeeded()

    note_handler(breaks_on_second, monkeypatch)
    job = note_job(merchant, orders, manager)

    job = job_run(job_id=job.pk)

    assert job.status == Job.Status.SUCCEEDED
    assert (job.succeeded_count, job.failed_count) == (2, 1)
    assert (
        job.outcomes.get(order_pk=orders[1].pk).message == "Unexpected error (ZeroDivisionError)."
    )
    # The broken item's own work was rolled back with it.
    assert not OrderNote.objects.filter(order=orders[1]).exists()
    assert not OrderEvent.objects.filter(order=orders[1], type="order_note_added").exists()


@pytest.mark.django_db
def test_progress_is_saved_after_every_chunk(merchant, manager, orders, monkeypatch):
    monkeypatch.setattr(job_runner, "CHUNK_SIZE", 1)
    seen = []

    def records_progress(order_pk, params, job):
        seen.append(Job.objects.values_list("done", flat=True).get(pk=job.pk))
        return operation_item_run(order_pk, params, job)

    note_handler(records_progress, monkeypatch)
    job = note_job(merchant, orders, manager)

    job_run(job_id=job.pk)

    assert seen == [0, 1, 2]


@pytest.mark.django_db
def test_cancel_stops_the_job_before_its_next_chunk(merchant, manager, monkeypatch):
    monkeypatch.setattr(job_runner, "CHUNK_SIZE", 2)
    many = [place(merchant) for _ in range(5)]

    def cancels_on_first(order_pk, params, job):
        if order_pk == many[0].pk:
            job_cancel(job=job, by=manager)
        return operation_item_run(order_pk, params, job)

    note_handler(cancels_on_first, monkeypatch)
    job = note_job(merchant, many, manager)

    job = job_run(job_id=job.pk)

    assert job.status == Job.Status.CANCELLED
    assert job.cancelled_by == manager
    assert job.done == 2  # the chunk in progress finished; nothing after it started
    assert OrderNote.objects.filter(order__in=many).count() == 2
    assert job_run(job_id=job.pk) is None
    assert OrderNote.objects.filter(order__in=many).count() == 2


@pytest.mark.django_db
def test_a_job_cancelled_before_it_starts_never_runs(merchant, manager, orders):
    job = note_job(merchant, orders, manager)
    job_cancel(job=job, by=manager)

    assert job_run(job_id=job.pk) is None

    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.started_at is None
    assert not OrderNote.objects.exists()


@pytest.mark.django_db
def test_an_ended_job_cannot_be_cancelled(merchant, manager, orders):
    job = note_job(merchant, orders, manager)
    job_run(job_id=job.pk)

    with pytest.raises(JobError):
        job_cancel(job=job, by=manager)

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED


@pytest.mark.django_db
def test_the_task_base_marks_the_job_failed_on_an_error_outside_its_items(
    merchant, manager, orders
):
    job = note_job(merchant, orders, manager)
    Job.objects.filter(pk=job.pk).update(kind="retired_kind")

    result = job_run_task.apply(args=[job.pk], throw=False)

    assert result.failed()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "KeyError" in job.error
    assert job.finished_at is not None
    assert not OrderNote.objects.exists()


@pytest.mark.django_db
def test_the_report_lists_every_item_with_its_outcome_and_message(merchant, manager, orders):
    job = note_job(merchant, orders, manager)
    soft_delete(orders[2])
    job = job_run(job_id=job.pk)

    rows = list(csv.reader(io.StringIO("".join(job_report_csv(job=job)))))

    assert rows == [
        ["order_id", "outcome", "message"],
        [orders[0].order_id, "succeeded", ""],
        [orders[1].order_id, "succeeded", ""],
        [orders[2].order_id, "skipped", "deleted"],
    ]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_racing_on_one_job_do_each_order_once(needs_postgres, merchant, manager):
    many = [place(merchant, email=f"r{n}@example.com") for n in range(20)]
    job = Job.objects.create(  # created directly: nothing queued, the two runs below race
        merchant=merchant,
        kind="operation",
        params=note_params("Once only"),
        order_pks=[order.pk for order in many],
        total=len(many),
        created_by=manager,
    )
    start = threading.Barrier(2)
    errors = []

    def deliver():
        try:
            start.wait(timeout=10)
            job_run(job_id=job.pk)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    job.refresh_from_db()
    assert (job.status, job.done, job.succeeded_count) == (Job.Status.SUCCEEDED, 20, 20)
    assert OrderNote.objects.filter(order__in=many).count() == 20
    assert OrderEvent.objects.filter(order__in=many, type="order_note_added").count() == 20
