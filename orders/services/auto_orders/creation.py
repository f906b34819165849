"""Starting an auto order when an order holds lines bought on a schedule."""

from django.utils import timezone

from orders.actors import Actor
from orders.events import order_auto_order_created_event
from orders.models import AutoOrder, AutoOrderItem, Order, OrderLine

from .schedules import schedule_advance
from .settle import item_next_date

ADDRESS_FIELDS = ("address1", "address2", "city", "region", "postal_code", "country")
COPIED_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "shipping_name",
    "shipping_method",
    "payment_method",
    "gateway_token",
    "card_brand",
    "card_last4",
    "card_exp_month",
    "card_exp_year",
    *(f"billing_{name}" for name in ADDRESS_FIELDS),
    *(f"shipping_{name}" for name in ADDRESS_FIELDS),
)


def auto_order_code_for(order: Order) -> str:
    """The code shown to the customer and in /auto-orders/<code>/: one per original order."""
    return f"AO-{order.order_id}"


def auto_order_create_for_order(
    *, order: Order, lines: list[OrderLine], by: Actor = None, via: str = ""
) -> AutoOrder | None:
    """Start the auto order of an order just placed, if a line was bought on a schedule.

    Call inside the placement transaction. Side effects: the auto order and its items, the
    order's auto_order_code, an auto_order_created event on the order.
    """
    scheduled = [line for line in lines if line.auto_order_schedule]
    if not scheduled:
        return None
    start = timezone.localdate(order.placed_at)
    auto_order = AutoOrder(
        merchant_id=order.merchant_id,
        code=auto_order_code_for(order),
        original_order=order,
        shipping_total=order.shipping_total,
        lifetime_value=order.total,
        created_at=order.placed_at,
        **{name: getattr(order, name) for name in COPIED_FIELDS},
    )
    items = [
        AutoOrderItem(
            position=position,
            item=line.item,
            sku=line.sku,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            schedule=line.auto_order_schedule,
            anchor_day=start.day,
            next_rebill_on=schedule_advance(
                name=line.auto_order_schedule, day=start, anchor_day=start.day
            ),
        )
        for position, line in enumerate(scheduled)
    ]
    auto_order.next_rebill_on = min(item_next_date(item) for item in items)
    auto_order.next_attempt_on = auto_order.next_rebill_on
    auto_order.save()
    for item in items:
        item.auto_order = auto_order
    AutoOrderItem.objects.bulk_create(items)
    Order.objects.filter(pk=order.pk).update(auto_order_code=auto_order.code)
    order.auto_order_code = auto_order.code
    order_auto_order_created_event(
        order=order,
        code=auto_order.code,
        next_rebill_on=auto_order.next_rebill_on,
        items=[{"sku": i.sku, "quantity": i.quantity, "schedule": i.schedule} for i in items],
        by=by,
        via=via,
    )
    return auto_order
