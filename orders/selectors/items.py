"""Reads of the merchant's catalogue: the items with their waiting pre-orders, one item, the
entry screen's catalogue."""

from django.db.models import Count, Q, QuerySet

from orders.models import Item, Merchant
from orders.states import Stage


def item_list_with_preorders(*, merchant: Merchant) -> QuerySet[Item]:
    """The merchant's items, pre-order items first, each with its live pre-orders counted."""
    waiting = Q(orderline__order__stage=Stage.PRE_ORDER, orderline__order__deleted_at__isnull=True)
    return (
        Item.objects.filter(merchant=merchant)
        .annotate(pre_orders=Count("orderline__order", filter=waiting, distinct=True))
        .order_by("-pre_order", "sku")
    )


def item_get(*, merchant: Merchant, sku: str) -> Item:
    """One of the merchant's items by its SKU (Item.DoesNotExist otherwise)."""
    return Item.objects.get(merchant=merchant, sku=sku)


def item_catalogue_list(*, merchant: Merchant, limit: int) -> list[Item]:
    """The merchant's active items that order entry offers, at most `limit` of them."""
    return list(Item.objects.filter(merchant=merchant, active=True)[:limit])
