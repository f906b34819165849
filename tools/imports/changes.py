"""Writing cost changes to orders in bulk (the undo job): one UPDATE per chunk, profit
recomputed."""

from django.db import connection
from django.utils import timezone

from orders.models import Order

COST_FIELDS = ["actual_shipping", "actual_fulfillment", "actual_payment", "actual_profit"]
# "stage" too: the order's state-machine mixin reads it when a row is loaded, and a deferred
# stage would cost one query per order.
LOCK_FIELDS = [
    "pk", "order_id", "stage", "merchant_id", "deleted_at", "total", "refunded_total", "tax",
    "cost_of_goods", *COST_FIELDS,
]  # fmt: skip


def orders_locked(*, merchant_id: int, order_pks: list[int]) -> dict[int, Order]:
    """The orders, locked for update until the transaction ends, by pk."""
    rows = (
        Order.objects.select_for_update()
        .filter(merchant_id=merchant_id, pk__in=order_pks)
        .only(*LOCK_FIELDS)
        .order_by("pk")
    )
    return {order.pk: order for order in rows}


def orders_costs_write(orders: list[Order]) -> None:
    """Save the orders' three costs and their recomputed profit (already set on each)."""
    if not orders:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        for order in orders:
            order.updated_at = now
        Order.objects.bulk_update(orders, [*COST_FIELDS, "updated_at"], batch_size=500)
        return
    # One UPDATE … FROM (VALUES …) per chunk: far faster than bulk_update's CASE per row.
    values = ", ".join(["(%s, %s::numeric, %s::numeric, %s::numeric, %s::numeric)"] * len(orders))
    params: list = []
    for order in orders:
        params += [
            order.pk, order.actual_shipping, order.actual_fulfillment, order.actual_payment,
            order.actual_profit,
        ]  # fmt: skip
    table = Order._meta.db_table
    sql = (
        f"UPDATE {table} AS o SET actual_shipping = v.s, actual_fulfillment = v.f, "  # noqa: S608
        "actual_payment = v.p, actual_profit = v.pr, updated_at = %s "
        f"FROM (VALUES {values}) AS v(id, s, f, p, pr) WHERE o.id = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *params])
