"""An item becomes available: its pre-orders are released (charged and routed) by a job."""

from django.db import transaction

from orders.models import Item, Order
from orders.states import Stage
from tools.models import Job
from tools.operations.registry import operation_get, operation_job_create


def item_preorders_release(*, item: Item, by=None) -> Job | None:
    """Mark the item available and release, as a job, every pre-order it alone was holding.

    Returns None when no order was waiting. Side effects: Item.pre_order cleared; a
    release_preorder job queued after commit. Safe to run twice: the job re-checks each order's
    stage under its lock, so an order is charged once.
    """
    operation = operation_get("release_preorder")
    with transaction.atomic():
        Item.objects.filter(pk=item.pk).update(pre_order=False)
        order_pks = list(
            Order.objects.live()
            .filter(merchant=item.merchant, stage=Stage.PRE_ORDER, lines__item=item)
            .exclude(lines__item__pre_order=True)  # still waiting for another item
            .values_list("pk", flat=True)
            .distinct()
        )
        if not order_pks:
            return None
        return operation_job_create(
            merchant=item.merchant,
            operation=operation,
            inputs={},
            order_pks=order_pks,
            by=by,
            selection={"item": item.sku},
        )
