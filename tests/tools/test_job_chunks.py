"""A job's chunk of database-only work done together (tools.job_runner, orders.writes): its
writes made in a few statements whatever its size, an item that raises undone alone, a chunk
done once however often it is delivered, and the stage check of the batched order UPDATE."""

from dataclasses import replace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.seed import orders_seed
from orders.exceptions import OrderChanged
from orders.models import Order, OrderEvent, PaymentTransaction
from orders.states import PaymentStatus, Stage
from orders.writes import order_save_changed, writes_deferred
from tests.factories import CAPTURE_FAILS_CARD, place
from tools.job_registry import JOB_RUNNERS
from tools.job_runner import _job_chunk_run_together, job_run
from tools.models import Job, JobItemOutcome
from tools.operations.registry import operation_item_run

pytestmark = pytest.mark.django_db


def hold_job(merchant, pks: list[int]) -> Job:
    return Job.objects.create(
        merchant=merchant,
        kind="operation",
        params={"operation": "hold", "inputs": {"reason": "Checked"}, "selection": {"kind": "ids"}},
        order_pks=pks,
        total=len(pks),
    )


def transitioned(pks: list[int]) -> dict[int, int]:
    events = OrderEvent.objects.filter(order_id__in=pks, type="order_transitioned")
    counts: dict[int, int] = {}
    for order_id in events.values_list("order_id", flat=True):
        counts[order_id] = counts.get(order_id, 0) + 1
    return counts


def test_a_chunk_makes_as_many_statements_for_150_orders_as_for_20(needs_postgres, merchant):
    pks = orders_seed(merchant=merchant, count=170)
    statements = []
    for chosen in (pks[:20], pks[20:]):
        job = hold_job(merchant, chosen)
        with CaptureQueriesContext(connection) as queries:
            job = job_run(job_id=job.pk)
        assert job.succeeded_count == len(chosen)
        statements.append(len(queries))

    assert statements[0] == statements[1]
    assert Order.objects.filter(pk__in=pks, stage=Stage.HOLD).count() == 170
    assert set(Order.objects.filter(pk__in=pks).values_list("hold_reason", flat=True)) == {
        "Checked"
    }
    assert transitioned(pks) == dict.fromkeys(pks, 1)


def test_an_item_that_raises_fails_alone_and_leaves_no_trace(merchant, monkeypatch):
    pks = orders_seed(merchant=merchant, count=5)
    broken = pks[2]

    def hold_then_break(order_pk, params, job):
        result = operation_item_run(order_pk, params, job)
        if order_pk == broken:
            raise RuntimeError("broken after its writes")
        return result

    monkeypatch.setitem(
        JOB_RUNNERS, "operation", replace(JOB_RUNNERS["operation"], handler=hold_then_break)
    )
    job = job_run(job_id=hold_job(merchant, pks).pk)

    assert (job.succeeded_count, job.failed_count) == (4, 1)
    outcome = JobItemOutcome.objects.get(job=job, order_pk=broken)
    assert outcome.message == "Unexpected error (RuntimeError)."
    untouched = Order.objects.get(pk=broken)
    assert (untouched.stage, untouched.hold_reason) == (Stage.SHIPPING, "")
    others = [pk for pk in pks if pk != broken]
    assert transitioned(pks) == dict.fromkeys(others, 1)
    assert Order.objects.filter(pk__in=others, stage=Stage.HOLD).count() == 4


def test_a_chunk_delivered_twice_is_done_once(merchant):
    pks = orders_seed(merchant=merchant, count=4)
    job = hold_job(merchant, pks)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)

    _job_chunk_run_together(job, JOB_RUNNERS["operation"], pks)
    _job_chunk_run_together(job, JOB_RUNNERS["operation"], pks)

    assert JobItemOutcome.objects.filter(job=job).count() == 4
    assert transitioned(pks) == dict.fromkeys(pks, 1)


def test_an_order_missing_from_the_merchant_is_noted_once_as_not_found(merchant, other_merchant):
    [mine] = orders_seed(merchant=merchant, count=1)
    [theirs] = orders_seed(merchant=other_merchant, count=1)
    job = hold_job(merchant, [mine, theirs])

    job = job_run(job_id=job.pk)

    assert (job.succeeded_count, job.failed_count) == (1, 1)
    assert JobItemOutcome.objects.get(job=job, order_pk=theirs).message == "Order not found."
    assert Order.objects.get(pk=theirs).stage == Stage.SHIPPING


def test_a_deferred_order_update_writes_only_what_changed(needs_postgres, merchant):
    [pk] = orders_seed(merchant=merchant, count=1)
    order = Order.objects.get(pk=pk)
    Order.objects.filter(pk=pk).update(custom_2="set elsewhere")
    before = order.field_values()
    order.custom_1 = "changed here"

    with writes_deferred():
        order_save_changed(order, before)
        assert Order.objects.get(pk=pk).custom_1 == ""  # not yet: at the end of the block

    saved = Order.objects.get(pk=pk)
    assert (saved.custom_1, saved.custom_2) == ("changed here", "set elsewhere")
    assert saved.updated_at > order.placed_at


def test_a_deferred_order_update_refuses_an_order_whose_stage_changed_meanwhile(
    needs_postgres, merchant
):
    [pk] = orders_seed(merchant=merchant, count=1)
    order = Order.objects.get(pk=pk)
    before = order.field_values()
    order.custom_1 = "changed here"
    Order.objects.filter(pk=pk).update(stage=Stage.COMPLETED)

    with pytest.raises(OrderChanged), writes_deferred():
        order_save_changed(order, before)

    assert Order.objects.get(pk=pk).custom_1 == ""


def test_a_capture_refused_in_a_batch_fails_the_item_and_keeps_the_attempt(merchant):
    merchant.capture_at_shipment = True
    merchant.save()
    captured, refused = place(merchant), place(merchant, card=CAPTURE_FAILS_CARD)
    job = Job.objects.create(
        merchant=merchant,
        kind="operation",
        order_pks=[captured.pk, refused.pk],
        total=2,
        params={"operation": "mark_shipped", "inputs": {"carrier": "UPS"}, "selection": {}},
    )

    job = job_run(job_id=job.pk)

    assert (job.succeeded_count, job.failed_count) == (1, 1)
    refusal = JobItemOutcome.objects.get(job=job, order_pk=refused.pk).message
    assert "Capture declined: the authorization has expired" in refusal
    assert "No money moved" in refusal
    assert Order.objects.get(pk=captured.pk).stage == Stage.COMPLETED
    refused.refresh_from_db()
    assert (refused.stage, refused.payment_status) == (Stage.SHIPPING, PaymentStatus.CAPTURE_FAILED)
    assert refused.transactions.get(kind=PaymentTransaction.Kind.CAPTURE).result == "declined"
    assert refused.events.filter(type="order_payment", payload__kind="capture").exists()
    assert not refused.events.filter(type="order_transitioned").exists()
