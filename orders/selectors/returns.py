"""Returns as the screens read them, always within one merchant."""

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Lower

from orders.models import Merchant, Order, Return, ReturnLine

from .fulfilment import line_shipped_quantities


def return_quantities_held(order: Order, *, excluding: int | None = None) -> dict[int, int]:
    """Line pk → quantity on the order's requested, authorized, received or refunded returns."""
    lines = ReturnLine.objects.filter(
        return_request__order=order, return_request__status__in=Return.HOLDING
    )
    if excluding is not None:
        lines = lines.exclude(return_request_id=excluding)
    rows = lines.values("order_line_id").annotate(held=Sum("quantity"))
    return {row["order_line_id"]: row["held"] for row in rows}


def returnable_quantities(order: Order) -> dict[int, int]:
    """Line pk → how many more of it may be returned: what shipped, less what other returns
    already hold."""
    held = return_quantities_held(order)
    return {
        pk: max(shipped - held.get(pk, 0), 0)
        for pk, shipped in line_shipped_quantities(order).items()
    }


def _with_lines(returns: QuerySet[Return]) -> QuerySet[Return]:
    return returns.select_related("order").prefetch_related(
        Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line"))
    )


def return_list(*, merchant: Merchant, status: str = "", query: str = "") -> QuerySet[Return]:
    """The merchant's returns, newest first; `query` is an RMA number, order ID or email."""
    returns = Return.objects.filter(merchant=merchant)
    if status:
        returns = returns.filter(status=status)
    query = query.strip().lower()
    if query:
        returns = returns.alias(
            rma_lower=Lower("rma_number"),
            order_id_lower=Lower("order__order_id"),
            email_lower=Lower("order__email"),
        ).filter(Q(rma_lower=query) | Q(order_id_lower=query) | Q(email_lower=query))
    return _with_lines(returns).order_by("-requested_at", "-id")


def return_get(*, merchant: Merchant, pk: int) -> Return:
    """One of the merchant's returns (Return.DoesNotExist otherwise)."""
    return _with_lines(Return.objects.filter(merchant=merchant)).get(pk=pk)


def order_returns(*, order: Order) -> list[Return]:
    return list(_with_lines(order.returns.all()).order_by("requested_at", "id"))


def customer_returns(*, merchant: Merchant, email: str) -> list[Return]:
    """The returns on every order of the customer with this email."""
    returns = Return.objects.filter(merchant=merchant, order__email__iexact=email)
    return list(_with_lines(returns).order_by("-requested_at", "-id"))
