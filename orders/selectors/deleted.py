"""Reading a merchant's deleted orders, for the Undelete tool."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Q

from backoffice.common.inputs import day_range
from orders.models import Merchant, Order, OrderQuerySet


@dataclass(frozen=True)
class DeletedOrdersFilter:
    """The Undelete tool's filters; empty ones do not narrow."""

    deleted_from: datetime.date | None = None
    deleted_to: datetime.date | None = None
    deleted_by: int | None = None
    order_id: str = ""
    customer: str = ""


def orders_deleted_narrow(
    queryset: OrderQuerySet, *, merchant: Merchant, filters: DeletedOrdersFilter
) -> OrderQuerySet:
    """`queryset` narrowed by the Undelete tool's filters (days are the merchant's days)."""
    zone = zoneinfo.ZoneInfo(merchant.time_zone or "UTC")
    since, until = day_range(filters.deleted_from, filters.deleted_to, zone)
    if since is not None:
        queryset = queryset.filter(deleted_at__gte=since)
    if until is not None:
        queryset = queryset.filter(deleted_at__lt=until)
    if filters.deleted_by:
        queryset = queryset.filter(deleted_by_id=filters.deleted_by)
    order_id = filters.order_id.strip()
    if order_id:
        queryset = queryset.filter(order_id__icontains=order_id)
    customer = filters.customer
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
    return queryset


def orders_deleted_list(
    *, merchant: Merchant, filters: DeletedOrdersFilter | None = None
) -> OrderQuerySet:
    """The merchant's deleted orders, most recently deleted first, narrowed by the filters."""
    queryset = Order.objects.deleted().for_merchant(merchant).select_related("deleted_by")
    queryset = orders_deleted_narrow(
        queryset, merchant=merchant, filters=filters or DeletedOrdersFilter()
    )
    return queryset.order_by("-deleted_at", "-order_number")
