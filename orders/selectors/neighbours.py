"""The orders before and after one order in a list ordered newest first by order number."""

from dataclasses import dataclass

from django.db.models import QuerySet

from orders.models import Order


@dataclass(frozen=True)
class Neighbours:
    previous: str | None  # the order ID shown above this one (newer)
    next: str | None  # the order ID shown below this one (older)


def order_neighbours_get(*, queryset: QuerySet[Order], order: Order) -> Neighbours:
    """Two small indexed queries over the list's own queryset (its filters kept)."""
    base = queryset.order_by()
    previous = (
        base.filter(order_number__gt=order.order_number)
        .order_by("order_number")
        .values_list("order_id", flat=True)
        .first()
    )
    following = (
        base.filter(order_number__lt=order.order_number)
        .order_by("-order_number")
        .values_list("order_id", flat=True)
        .first()
    )
    return Neighbours(previous=previous, next=following)
