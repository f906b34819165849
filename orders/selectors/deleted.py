"""Reading a merchant's deleted orders, for the Undelete tool."""

import datetime
import zoneinfo

from django.db.models import Q

from backoffice.common.inputs import day_range
from orders.models import Merchant, Order, OrderQuerySet


def orders_deleted_list(
    *,
    merchant: Merchant,
    deleted_from: datetime.date | None = None,
    deleted_to: datetime.date | None = None,
    deleted_by: int | None = None,
    order_id: str = "",
    customer: str = "",
) -> OrderQuerySet:
    """The merchant's deleted orders, most recently deleted first, narrowed by the filters."""
    queryset = Order.objects.deleted().for_merchant(merchant).select_related("deleted_by")
    zone = zoneinfo.ZoneInfo(merchant.time_zone or "UTC")
    since, until = day_range(deleted_from, deleted_to, zone)
    if since is not None:
        queryset = queryset.filter(deleted_at__gte=since)
    if until is not None:
        queryset = queryset.filter(deleted_at__lt=until)
    if deleted_by:
        queryset = queryset.filter(deleted_by_id=deleted_by)
    if order_id.strip():
        queryset = queryset.filter(order_id__icontains=order_id.strip())
    words = customer.split()
    if words:
        condition = Q(email__icontains=customer.strip()) | Q(last_name__icontains=words[-1])
        if len(words) > 1:  # "Ann Lee": first and last name
            condition = Q(email__icontains=customer.strip()) | (
                Q(first_name__icontains=words[0]) & Q(last_name__icontains=words[-1])
            )
        else:
            condition |= Q(first_name__icontains=words[0])
        queryset = queryset.filter(condition)
    return queryset.order_by("-deleted_at", "-order_number")
