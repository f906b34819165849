"""The operations registry: preview and run agree order by order."""

import pytest

from orders.models import OrderEvent
from orders.services.transitions import order_transition
from orders.states import Stage
from tests.factories import DECLINE_CARD, member, place
from tools.job_runner import job_run
from tools.operations.registry import (
    OPERATIONS,
    operation_get,
    operation_inputs,
    operation_job_create,
    operation_preview,
    operations_for_batch,
    operations_for_screen,
)

pytestmark = pytest.mark.django_db


def test_system_transitions_are_not_operations():
    assert "confirm_clearance" not in OPERATIONS
    assert "expire_quote" not in OPERATIONS
    assert {"hold", "approve", "process_payment", "append_note"} <= set(OPERATIONS)


def test_a_screen_offers_only_operations_that_can_apply_to_its_stages():
    names = {op.name for op in operations_for_screen("shipping")}
    assert {"hold", "mark_shipped", "refund_and_reject", "append_note"} <= names
    assert "approve" not in names
    assert "unreject" not in names


def test_postponing_auto_orders_is_started_only_from_its_own_screen():
    assert "postpone_auto_orders" in OPERATIONS
    assert "postpone_auto_orders" not in {op.name for op in operations_for_batch()}
    assert "postpone_auto_orders" not in {op.name for op in operations_for_screen(None)}


def test_hold_preview_and_run_agree_order_by_order(
    merchant, manager, django_capture_on_commit_callbacks
):
    shipping = [place(merchant) for _ in range(3)]
    receivable = place(merchant, card=DECLINE_CARD)
    completed = place(merchant)
    order_transition(order=completed, name="mark_shipped", carrier="UPS", notify=False)
    operation = operation_get("hold")
    form = operation.form({"reason": "Address check"}, merchant=merchant)
    assert form.is_valid(), form.errors
    inputs = operation_inputs(form)
    pks = [o.pk for o in [*shipping, receivable, completed]]

    preview = operation_preview(
        merchant=merchant, operation=operation, inputs=inputs, order_pks=pks, by=manager
    )
    with django_capture_on_commit_callbacks(execute=False):
        job = operation_job_create(
            merchant=merchant, operation=operation, inputs=inputs, order_pks=pks, by=manager
        )
    job_run(job_id=job.pk)

    assert (preview.count, preview.applies, preview.skips) == (5, 4, 1)
    outcomes = dict(job.outcomes.values_list("order_id", "outcome"))
    for row in preview.rows:
        assert outcomes[row.order_id] == ("succeeded" if row.will_apply else "skipped")
    held = [o.order_id for o in [*shipping, receivable]]
    assert sorted(o for o, outcome in outcomes.items() if outcome == "succeeded") == sorted(held)
    assert (
        OrderEvent.objects.filter(
            type="order_transitioned", payload__job_id=job.pk, payload__target=Stage.HOLD
        ).count()
        == 4
    )


def test_an_operation_the_user_may_not_run_is_refused(merchant):
    from orders.exceptions import OrderError

    clerk = member(merchant, "bookkeeper")
    order = place(merchant)
    with pytest.raises(OrderError):
        operation_job_create(
            merchant=merchant,
            operation=operation_get("hold"),
            inputs={"reason": "x"},
            order_pks=[order.pk],
            by=clerk,
        )


def test_resend_shipment_confirmation_as_a_job_skips_unshipped_orders(
    merchant, manager, django_capture_on_commit_callbacks, eager_tasks
):
    shipped = place(merchant)
    order_transition(order=shipped, name="mark_shipped", carrier="UPS", notify=False)
    waiting = place(merchant)
    operation = operation_get("resend_shipment_confirmation")

    with django_capture_on_commit_callbacks(execute=False):
        job = operation_job_create(
            merchant=merchant,
            operation=operation,
            inputs={},
            order_pks=[shipped.pk, waiting.pk],
            by=manager,
        )
    with django_capture_on_commit_callbacks(execute=False) as emails:
        job_run(job_id=job.pk)

    outcomes = dict(job.outcomes.values_list("order_id", "outcome"))
    assert outcomes == {shipped.order_id: "succeeded", waiting.order_id: "skipped"}
    assert len(emails) == 1
    emails[0]()  # after the commit: the task is queued, then recorded as queued
    assert OrderEvent.objects.filter(order=shipped, type="order_email_queued").exists()
