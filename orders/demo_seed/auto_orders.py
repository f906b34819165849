"""The demo's auto orders: started from the seeded orders that bought lines on a schedule."""

import random
from datetime import date, timedelta

from orders.models import AutoOrder, Merchant, Order, OrderLine
from orders.services.auto_orders.creation import auto_order_create_for_order
from orders.services.auto_orders.settle import items_skip_before, next_dates_refresh
from orders.states import PaymentMethod, PaymentStatus

MAX_AUTO_ORDERS = 120


def demo_auto_orders_create(
    *, merchant: Merchant, rng: random.Random, today: date, limit: int = MAX_AUTO_ORDERS
) -> int:
    """Start auto orders for the newest paid card orders with scheduled lines; how many.

    Missed periods are skipped to today, so the demo's first sweep bills only what is due;
    a few are paused or cancelled so that every list filter finds something.
    """
    candidates = (
        Order.objects.filter(
            merchant=merchant,
            payment_method=PaymentMethod.CREDIT_CARD,
            payment_status=PaymentStatus.PROCESSED,
            lines__auto_order_schedule__gt="",
            deleted_at__isnull=True,
        )
        .exclude(gateway_token="")
        .exclude(pk__in=AutoOrder.objects.values("original_order_id"))
        .distinct()
        .order_by("-order_number")[:limit]
    )
    created = 0
    for order in candidates:
        lines = list(OrderLine.objects.filter(order=order).exclude(auto_order_schedule=""))
        auto_order = auto_order_create_for_order(order=order, lines=lines, via="demo seed")
        items_skip_before(auto_order, today + timedelta(days=1))
        next_dates_refresh(auto_order)
        roll = rng.random()
        if roll < 0.1:
            auto_order.status = AutoOrder.Status.PAUSED
            auto_order.paused_until = today + timedelta(days=rng.randrange(7, 45))
        elif roll < 0.18:
            auto_order.status = AutoOrder.Status.CANCELLED_BY_CUSTOMER
            auto_order.status_reason = "Too much coffee"
        auto_order.save()
        created += 1
    return created
