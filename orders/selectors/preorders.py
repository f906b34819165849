"""Pre-orders grouped by the pre-order item they wait for."""

import datetime
from dataclasses import dataclass, field

from orders.models import Item, Merchant, Order, OrderLine, OrderQuerySet
from orders.states import Stage


@dataclass
class PreorderGroup:
    item: Item | None
    sku: str
    description: str
    expected_date: datetime.date | None
    orders: list[Order] = field(default_factory=list)
    quantity: int = 0


def preorder_groups_list(*, merchant: Merchant) -> list[PreorderGroup]:
    """Live pre-order orders by pre-order item, soonest expected date first (one query)."""
    lines = (
        OrderLine.objects.filter(
            pre_order=True,
            order__merchant=merchant,
            order__stage=Stage.PRE_ORDER,
            order__deleted_at__isnull=True,
        )
        .select_related("order", "item")
        .order_by("order__order_number", "position")
    )
    groups: dict[object, PreorderGroup] = {}
    for line in lines:
        key = line.item_id or f"sku:{line.sku or line.description}"
        group = groups.get(key)
        if group is None:
            group = groups[key] = PreorderGroup(
                item=line.item,
                sku=line.sku,
                description=line.item.description if line.item else line.description,
                expected_date=line.item.expected_date if line.item else None,
            )
        if not group.orders or group.orders[-1].pk != line.order_id:
            group.orders.append(line.order)
        group.quantity += line.quantity
    return sorted(groups.values(), key=lambda g: (g.expected_date or datetime.date.max, g.sku))


def preorders_waiting_for_item(
    queryset: OrderQuerySet, *, item_id: int, alone: bool = False
) -> OrderQuerySet:
    """The orders of `queryset` waiting for one item: with a pre-order line for it or, when
    `alone`, holding it and no item that is still on pre-order (those wait on)."""
    if alone:
        return (
            queryset.filter(lines__item_id=item_id).exclude(lines__item__pre_order=True).distinct()
        )
    return queryset.filter(lines__item_id=item_id, lines__pre_order=True).distinct()
