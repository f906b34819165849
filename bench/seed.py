"""Many plain orders written at once, for benchmarks and tests over thousands of orders.

Orders in Shipping, paid by card, one line's worth of money; written with the demo seed's fast
writer (COPY on PostgreSQL). Numbers come from the merchant's sequence, as at placement.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from orders.demo_seed.writer import rows_insert
from orders.models import Merchant, Order
from orders.services.placement import order_id_format, order_number_allocate
from orders.states import OrderSource, PaymentMethod, PaymentStatus, Stage


def orders_seed(*, merchant: Merchant, count: int, stage: str = Stage.SHIPPING) -> list[int]:
    """Write `count` orders in `stage`, placed one minute apart; returns their pks in order."""
    now = timezone.now()
    with transaction.atomic():
        first = order_number_allocate(merchant, count)
        orders = [
            _order(merchant, first + n, stage, now - timedelta(minutes=count - n))
            for n in range(count)
        ]
        for start in range(0, count, 5000):
            rows_insert(Order, orders[start : start + 5000], ids_by="order_number")
    return [order.pk for order in orders]


def _order(merchant: Merchant, number: int, stage: str, placed_at) -> Order:
    return Order(
        merchant=merchant,
        order_number=number,
        order_id=order_id_format(merchant.code, number),
        stage=stage,
        stage_entered_at=placed_at,
        source=OrderSource.API,
        email=f"buyer{number}@example.com",
        first_name="Bulk",
        last_name=f"Buyer {number}",
        subtotal=Decimal("20.00"),
        shipping_total=Decimal("5.00"),
        total=Decimal("25.00"),
        cost_of_goods=Decimal("8.00"),
        actual_profit=Decimal("17.00"),
        placed_at=placed_at,
        paid_at=placed_at,
        payment_method=PaymentMethod.CREDIT_CARD,
        payment_status=PaymentStatus.PROCESSED,
    )


def merchant_remove(merchant: Merchant) -> None:
    """Remove a benchmark's merchant with its jobs, orders (and what cascades) and counts."""
    from orders.models import OrderSequence, StageCountDelta
    from tools.models import Job

    Job.objects.filter(merchant=merchant).delete()
    Order.objects.filter(merchant=merchant).delete()
    StageCountDelta.objects.filter(merchant=merchant).delete()
    OrderSequence.objects.filter(merchant=merchant).delete()
    merchant.delete()
