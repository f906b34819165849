"""Batch Order Operation: resolve a selection of orders, and fingerprint a preview.

A selection is a small JSON-able dict, one of:
  {"kind": "ids", "text": "DEMO-1, DEMO-2 …"}            pasted IDs (or a list screen's rows)
  {"kind": "range", "from": 100, "to": 250}               order numbers, by sequence
  {"kind": "dates", "field": "paid", "from": "2026-01-01", "to": "2026-01-31"}
  {"kind": "filter", "query": "stage=shipping&q=…"}        "all matching" from a list screen
The run needs a preview of the same selection, operation and inputs: the preview stores the
fingerprint of those (and of the orders they resolved to), and the run must present it again.
"""

import datetime
import hashlib
import json
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from backoffice.common.inputs import day_range
from orders.exceptions import InvalidInput
from orders.filters import OrderFilterSet
from orders.models import Merchant, Order
from orders.selectors.orders import order_ids_parse, order_ids_resolve

MAX_BATCH_ORDERS = 100_000
DATE_FIELDS = {"placed": "placed_at", "paid": "paid_at", "shipped": "shipped_at"}
SELECTION_KINDS = ("ids", "range", "dates", "filter")
_NUMBER = re.compile(r"(\d+)\s*$")


@dataclass
class BatchSelection:
    order_pks: list[int] = field(default_factory=list)
    # IDs pasted in that are not the merchant's live orders: listed back, never dropped silently.
    not_found: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    description: str = ""


def order_number_parse(value: Any) -> int:
    """An order number from `123` or an order ID such as `DEMO-000123`."""
    match = _NUMBER.search(str(value or "").strip())
    if match is None:
        raise InvalidInput(f"“{value}” is not an order number or order ID.")
    return int(match.group(1))


def batch_selection_resolve(*, merchant: Merchant, selection: dict[str, Any]) -> BatchSelection:
    """The merchant's live orders a selection stands for, in order-number order."""
    kind = selection.get("kind")
    if kind == "ids":
        return _ids_resolve(merchant, selection.get("text", ""))
    live = Order.objects.live().for_merchant(merchant)
    if kind == "range":
        start, end = (
            order_number_parse(selection.get("from")),
            order_number_parse(selection.get("to")),
        )
        if start > end:
            raise InvalidInput("The range's first order number is after its last.")
        queryset = live.filter(order_number__gte=start, order_number__lte=end)
        description = f"orders {start} to {end}"
    elif kind == "dates":
        queryset, description = _dates_filter(merchant, live, selection)
    elif kind == "filter":
        queryset = _filter_resolve(merchant, live, selection.get("query", ""))
        description = "all orders matching the list's filter"
    else:
        raise InvalidInput("Choose how to select the orders.")
    pks = list(
        queryset.order_by("order_number").values_list("pk", flat=True)[: MAX_BATCH_ORDERS + 1]
    )
    if len(pks) > MAX_BATCH_ORDERS:
        raise InvalidInput(f"At most {MAX_BATCH_ORDERS:,} orders at a time: narrow the selection.")
    return BatchSelection(order_pks=pks, description=description)


def _ids_resolve(merchant: Merchant, text: str) -> BatchSelection:
    if len(order_ids_parse(text)) > MAX_BATCH_ORDERS:
        raise InvalidInput(f"At most {MAX_BATCH_ORDERS:,} order IDs at a time.")
    resolved = order_ids_resolve(merchant=merchant, text=text)
    return BatchSelection(
        order_pks=resolved.order_pks,
        not_found=resolved.not_found,
        deleted=resolved.deleted,
        description=f"{len(resolved.order_pks):,} order IDs listed",
    )


def _date(value: Any, what: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"The {what} date must be a date (YYYY-MM-DD).") from exc


def _dates_filter(merchant: Merchant, live, selection: dict[str, Any]):
    name = selection.get("field")
    if name not in DATE_FIELDS:
        raise InvalidInput("Choose the date: placed, paid or shipped.")
    start, end = _date(selection.get("from"), "first"), _date(selection.get("to"), "last")
    if start > end:
        raise InvalidInput("The first date is after the last.")
    # Days are the merchant's days: midnight to midnight in its time zone.
    zone = zoneinfo.ZoneInfo(merchant.time_zone or "UTC")
    since, until = day_range(start, end, zone)
    column = DATE_FIELDS[name]
    queryset = live
    if since is not None:
        queryset = queryset.filter(**{f"{column}__gte": since})
    if until is not None:
        queryset = queryset.filter(**{f"{column}__lt": until})
    return queryset, f"{name} {start} to {end}"


def _filter_resolve(merchant: Merchant, live, query: str):
    """ "All matching" from a list screen: the list's own filter (its query string) re-applied
    with the one OrderFilterSet that the lists use."""
    filterset = OrderFilterSet(QueryDict(query), queryset=live, merchant=merchant)
    if not filterset.is_valid():
        raise InvalidInput(f"The list's filter is not valid: {filterset.errors.as_text()}")
    return filterset.qs


def batch_fingerprint(
    *, selection: dict[str, Any], operation: str, inputs: dict[str, Any], order_pks: list[int]
) -> str:
    """A hash of what a preview showed; the run must match it exactly."""
    canonical = json.dumps(
        {"selection": selection, "operation": operation, "inputs": inputs, "orders": order_pks},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
