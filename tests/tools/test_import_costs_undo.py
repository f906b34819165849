"""Undoing an import goes through orders' one writer of costs, set-based: the orders get back
exactly the costs they had, in the same few statements whatever their number."""

from decimal import Decimal

import pytest

from orders.events import order_costs_of
from orders.models import Order, OrderEvent
from tests.factories import place
from tests.tools.costfiles import csv_bytes
from tools.imports.services import (
    cost_import_apply_start,
    cost_import_preview,
    cost_import_undo_start,
)
from tools.job_runner import job_run
from tools.models import Job

D = Decimal
UNDO_QUERIES = 16  # the job's bookkeeping and the import's row, and orders' 5 statements


def placed_with_costs(merchant, count: int) -> list[Order]:
    orders = [place(merchant, email=f"undo{n}@example.com") for n in range(count)]
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(
        actual_shipping=D("3.00"),
        actual_fulfillment=D("0.75"),
        actual_payment=D("0.30"),
        refunded_total=D("1.00"),
    )
    for order in orders:
        order.refresh_from_db()
        Order.objects.filter(pk=order.pk).update(actual_profit=order.compute_actual_profit())
    return orders


def snapshot(orders: list[Order]) -> list[dict]:
    return [order_costs_of(Order.objects.get(pk=order.pk)) for order in orders]


@pytest.mark.django_db
@pytest.mark.usefixtures("needs_postgres")
@pytest.mark.parametrize("count", [5, 50])
def test_undo_restores_exactly_the_costs_before_in_the_same_statements_for_5_or_50_orders(
    merchant, count, django_assert_max_num_queries
):
    orders = placed_with_costs(merchant, count)
    before = snapshot(orders)
    rows = [
        [o.order_id, "9.10", "", "1.25"] if n % 2 else [o.order_id, "", "4.00", ""]
        for n, o in enumerate(orders)
    ]
    cost_import = cost_import_preview(merchant=merchant, name="c.csv", content=csv_bytes(rows))
    job_run(job_id=cost_import_apply_start(cost_import=cost_import).pk)
    assert snapshot(orders) != before
    undo = cost_import_undo_start(cost_import=cost_import)

    with django_assert_max_num_queries(UNDO_QUERIES):
        job = job_run(job_id=undo.pk)

    assert (job.status, job.done, job.total) == (Job.Status.SUCCEEDED, count, count)
    assert snapshot(orders) == before
    assert OrderEvent.objects.filter(type="order_costs_import_undone").count() == count
