"""The read API's reads: every one scoped by the token's merchant (another merchant's object
is simply not found), each list a cursor page (orders.selectors.api_pages).

The order list is filtered by the one OrderFilterSet the screens use (stage, dates, payment,
the one search `q`), plus what a program syncing orders needs: a tag and "changed since".
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from orders.exceptions import InvalidInput
from orders.filters import order_filterset
from orders.models import AutoOrder, Case, Chargeback, Merchant, Order, OrderEvent
from orders.selectors.api_pages import CursorPage, Keyset, keyset_page
from orders.selectors.documents import (
    auto_order_documents_queryset,
    case_documents_queryset,
    chargeback_documents_queryset,
    order_documents_queryset,
    order_event_documents_queryset,
)

ORDER_KEYSETS = {
    "number": Keyset("number", ("order_number",)),
    "updated": Keyset("updated", ("updated_at", "order_number")),
}
BY_ID = Keyset("id", ("id",))


class FiltersInvalid(InvalidInput):
    """Filters that do not parse; `errors` names each one ({path, message})."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['path']}: {e['message']}" for e in errors))
        self.errors = errors


def api_order_page(
    *,
    merchant: Merchant,
    filters: Mapping[str, Any],
    tag: str = "",
    updated_since: datetime | None = None,
    include_deleted: bool = False,
    sort: str = "number",
    cursor: str | None = None,
    size: int,
) -> CursorPage[Order]:
    """A page of the merchant's orders matching the list filters (OrderFilterSet's query
    parameters), read for their documents."""
    keyset = ORDER_KEYSETS.get(sort)
    if keyset is None:
        raise FiltersInvalid([{"path": "sort", "message": "must be number or updated"}])
    base = Order.objects.filter(merchant=merchant)
    if not include_deleted:
        base = base.filter(deleted_at__isnull=True)
    data = {key: value for key, value in filters.items() if value not in (None, "")}
    filterset = order_filterset(data=data, queryset=base, merchant=merchant)
    if filterset.is_bound and not filterset.is_valid():  # unbound: no filter given
        errors = [
            {"path": field, "message": message}
            for field, messages in filterset.errors.items()
            for message in messages
        ]
        raise FiltersInvalid(errors)
    queryset = filterset.qs
    if tag:
        queryset = queryset.filter(tags__merchant=merchant, tags__name=tag)
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    return keyset_page(order_documents_queryset(queryset), keyset=keyset, cursor=cursor, size=size)


def api_order_get(*, merchant: Merchant, order_id: str) -> Order:
    """The merchant's order (deleted ones too: a copy must learn of the deletion), read for
    its document; Order.DoesNotExist otherwise."""
    return order_documents_queryset(Order.objects.filter(merchant=merchant)).get(order_id=order_id)


def api_order_event_page(
    *, merchant: Merchant, order_id: str, cursor: str | None, size: int
) -> CursorPage[OrderEvent]:
    """The order's audit events, oldest first; Order.DoesNotExist for no such order."""
    order = Order.objects.only("pk").get(merchant=merchant, order_id=order_id)
    events = order_event_documents_queryset(OrderEvent.objects.filter(order=order))
    return keyset_page(events, keyset=BY_ID, cursor=cursor, size=size)


def api_auto_order_page(
    *, merchant: Merchant, status: str = "", cursor: str | None, size: int
) -> CursorPage[AutoOrder]:
    if status and status not in AutoOrder.Status.values:
        raise FiltersInvalid([{"path": "status", "message": _one_of(AutoOrder.Status.values)}])
    queryset = AutoOrder.objects.filter(merchant=merchant)
    if status:
        queryset = queryset.filter(status=status)
    return keyset_page(
        auto_order_documents_queryset(queryset), keyset=BY_ID, cursor=cursor, size=size
    )


def api_auto_order_get(*, merchant: Merchant, code: str) -> AutoOrder:
    return auto_order_documents_queryset(AutoOrder.objects.filter(merchant=merchant)).get(code=code)


def api_chargeback_page(
    *, merchant: Merchant, status: str = "", cursor: str | None, size: int
) -> CursorPage[Chargeback]:
    if status and status not in Chargeback.Status.values:
        raise FiltersInvalid([{"path": "status", "message": _one_of(Chargeback.Status.values)}])
    queryset = Chargeback.objects.filter(merchant=merchant)
    if status:
        queryset = queryset.filter(status=status)
    return keyset_page(
        chargeback_documents_queryset(queryset), keyset=BY_ID, cursor=cursor, size=size
    )


def api_chargeback_get(*, merchant: Merchant, pk: int) -> Chargeback:
    return chargeback_documents_queryset(Chargeback.objects.filter(merchant=merchant)).get(pk=pk)


def api_case_page(
    *, merchant: Merchant, status: str = "", cursor: str | None, size: int
) -> CursorPage[Case]:
    if status and status not in Case.Status.values:
        raise FiltersInvalid([{"path": "status", "message": _one_of(Case.Status.values)}])
    queryset = Case.objects.filter(merchant=merchant)
    if status:
        queryset = queryset.filter(status=status)
    return keyset_page(case_documents_queryset(queryset), keyset=BY_ID, cursor=cursor, size=size)


def api_case_get(*, merchant: Merchant, pk: int) -> Case:
    return case_documents_queryset(Case.objects.filter(merchant=merchant)).get(pk=pk)


def _one_of(values: list[str]) -> str:
    return f"must be one of {', '.join(values)}"
