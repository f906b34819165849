"""An item becomes available: its pre-orders are released (charged and routed) by a job."""

from django.db import transaction

from orders.actors import Actor
from orders.models import Item
from orders.selectors.selection import OrderSelection, SelectionKind, order_selection_resolve
from orders.states import Stage
from tools.models import Job
from tools.operations.registry import operation_get, operation_job_create


def item_preorders_release(*, item: Item, by: Actor = None) -> Job | None:
    """Mark the item available and release, as a job, every pre-order it alone was holding.

    Returns None when no order was waiting; SelectionTooLarge, and nothing changed, for more
    pre-orders than the selection cap. Side effects: Item.pre_order cleared; a
    release_preorder job queued after commit. Safe to run twice: the job re-checks each order's
    stage under its lock, so an order is charged once.
    """
    operation = operation_get("release_preorder")
    with transaction.atomic():
        Item.objects.filter(pk=item.pk).update(pre_order=False)
        # Only the orders no other pre-order item still holds: the others wait on.
        selection = OrderSelection(
            kind=SelectionKind.ITEM, item_id=item.pk, item_alone=True, stages=(Stage.PRE_ORDER,)
        )
        order_pks = order_selection_resolve(merchant=item.merchant, selection=selection).order_pks
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
