"""Helpers of the list screen tests: what a list page shows."""

import re
from html import unescape

from django.utils import timezone

from orders.models import Order


def listed_ids(response) -> list[str]:
    """The order IDs of the table's rows, top to bottom."""
    return re.findall(r'<tr[^>]*data-order-id="([A-Z]+-\d+)"', response.content.decode())


def row_classes(response) -> dict[str, set[str]]:
    rows = re.findall(
        r'<tr([^>]*)data-order-id="([A-Z]+-\d+)"', response.content.decode()
    )  # class may come before or after
    result = {}
    for attrs, order_id in rows:
        match = re.search(r'class="([^"]*)"', attrs)
        result[order_id] = set(match.group(1).split()) if match else set()
    return result


def link(response, rel: str) -> str | None:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', response.content.decode())
    return unescape(match.group(1)) if match else None


def soft_delete(order: Order) -> None:
    # Test set-up only: the soft-delete service lands with the Undelete tool.
    Order.objects.filter(pk=order.pk).update(deleted_at=timezone.now())


def set_fields(order: Order, **fields) -> Order:
    """Test set-up: give an order facts that no service sets directly."""
    Order.objects.filter(pk=order.pk).update(**fields)
    order.refresh_from_db()
    return order
