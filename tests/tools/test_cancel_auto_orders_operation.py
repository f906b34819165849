"""The batch operation "cancel the auto orders created by these orders": preview, then run."""

from datetime import date

import pytest

from orders.models import AutoOrder, Order, OrderEvent
from tests.factories import place
from tests.orders.auto_orders import subscribe
from tools.job_runner import job_run
from tools.operations.registry import (
    operation_get,
    operation_inputs,
    operation_job_create,
    operation_preview,
)

pytestmark = pytest.mark.django_db


def test_cancel_auto_orders_previews_then_cancels_only_live_ones(
    merchant, manager, django_capture_on_commit_callbacks
):
    live = [
        subscribe(merchant, email=f"s{n}@example.com", on=date(2025, 1, n + 1)) for n in range(2)
    ]
    ended = subscribe(merchant, email="ended@example.com")
    AutoOrder.objects.filter(pk=ended.pk).update(status="completed")
    plain = place(merchant)
    operation = operation_get("cancel_auto_orders")
    form = operation.form({"reason": "Product discontinued"}, merchant=merchant)
    assert form.is_valid(), form.errors
    inputs = operation_inputs(form)
    pks = [ao.original_order_id for ao in [*live, ended]] + [plain.pk]
    stages_before = dict(Order.objects.values_list("pk", "stage"))

    preview = operation_preview(
        merchant=merchant, operation=operation, inputs=inputs, order_pks=pks, by=manager
    )
    with django_capture_on_commit_callbacks(execute=False):
        job = operation_job_create(
            merchant=merchant, operation=operation, inputs=inputs, order_pks=pks, by=manager
        )
    job_run(job_id=job.pk)

    assert (preview.count, preview.applies, preview.skips) == (4, 2, 2)
    assert preview.skip_reasons == {
        "its auto order has already ended": 1,
        "started no auto order": 1,
    }
    outcomes = dict(job.outcomes.values_list("order_pk", "outcome"))
    assert [outcomes[pk] for pk in pks] == ["succeeded", "succeeded", "skipped", "skipped"]
    for auto_order in live:
        auto_order.refresh_from_db()
        assert (auto_order.status, auto_order.status_reason) == (
            "cancelled_by_merchant",
            "Product discontinued",
        )
    assert (
        OrderEvent.objects.filter(type="auto_order_changed", payload__action="cancelled").count()
        == 2
    )
    assert dict(Order.objects.values_list("pk", "stage")) == stages_before
