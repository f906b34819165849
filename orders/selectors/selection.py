"""One way to resolve a selection of orders, for every action that works on many of them.

The list screens' bulk actions, the Batch Order Operation tool, Undelete, exports of a
selection and pre-order release all describe the orders they want as an `OrderSelection`
(what: rows, pasted IDs, a range of order numbers, dates, all matching a filter, the
pre-orders of an item; within a scope: the merchant, a stage screen's stages, deleted orders
excluded, included or only) and resolve it here, under the one cap.
"""

import datetime
import re
import zoneinfo
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.http import QueryDict

from backoffice.common.inputs import day_range
from backoffice.common.words import counted
from orders.exceptions import InvalidSelection, SelectionTooLarge
from orders.filters import order_filterset
from orders.models import Merchant, Order, OrderQuerySet
from orders.selectors.deleted import DeletedOrdersFilter, orders_deleted_narrow
from orders.selectors.orders import order_ids_lookup, order_ids_parse
from orders.selectors.preorders import preorders_waiting_for_item

# The most orders one action may take at a time, whichever way they were chosen. A job keeps
# its orders' pks in one row and the preview checks every one of them.
MAX_SELECTION_ORDERS = 100_000
DATE_FIELDS = {"placed": "placed_at", "paid": "paid_at", "shipped": "shipped_at"}
_NUMBER = re.compile(r"(\d+)\s*$")


class SelectionKind(StrEnum):
    ROWS = "rows"  # rows ticked on a screen, by pk
    IDS = "ids"  # order IDs pasted in
    RANGE = "range"  # order numbers from first to last, by sequence
    DATES = "dates"  # placed, paid or shipped between two of the merchant's days
    FILTER = "filter"  # "all matching" a list's filter (its query string)
    ITEM = "item"  # the pre-orders waiting for one item


class Deleted(StrEnum):
    EXCLUDE = "exclude"  # live orders only: every action but Undelete
    ONLY_DELETED = "only"  # deleted orders alone: Undelete
    INCLUDE = "include"


@dataclass(frozen=True)
class OrderSelection:
    """Which orders an action is for; the fields of its `kind`, and the scope."""

    kind: SelectionKind
    rows: tuple[int | str, ...] = ()
    text: str = ""
    first: Any = ""  # an order number or an order ID such as DEMO-000123
    last: Any = ""
    date_field: str = ""  # a key of DATE_FIELDS
    date_from: datetime.date | str | None = None
    date_to: datetime.date | str | None = None
    # FILTER: the one OrderFilterSet over this query string (empty: the whole scope).
    query: str = ""
    item_id: int | None = None
    # ITEM: only the orders that no other item still on pre-order holds.
    item_alone: bool = False
    # The scope: a stage screen's stages (every stage when empty), deleted orders or not.
    stages: tuple[str, ...] = ()
    deleted: Deleted = Deleted.EXCLUDE
    # The Undelete tool's filters narrow the scope of rows or "all matching" deleted orders.
    deleted_filter: DeletedOrdersFilter | None = None
    # Newest first (the lists' order) rather than by sequence.
    newest_first: bool = False


@dataclass(frozen=True)
class ResolvedSelection:
    """The orders a selection stands for, and the pasted IDs it could not use (listed back,
    never dropped silently)."""

    order_pks: list[int] = field(default_factory=list)
    # No such order, or another merchant's (indistinguishable on purpose).
    not_found: list[str] = field(default_factory=list)
    # The merchant's deleted orders, where the scope excludes them.
    deleted: list[str] = field(default_factory=list)
    # The merchant's orders outside the scope: another stage, or live where only deleted count.
    refused: list[str] = field(default_factory=list)
    description: str = ""


def order_selection_cap_check(
    count: int, *, cap: int | None = None, hint: str = "narrow the selection"
) -> None:
    """SelectionTooLarge when `count` orders are more than one action may take."""
    cap = MAX_SELECTION_ORDERS if cap is None else cap
    if count > cap:
        raise SelectionTooLarge(cap, hint=hint)


def order_selection_resolve(
    *, merchant: Merchant, selection: OrderSelection, cap: int | None = None
) -> ResolvedSelection:
    """The merchant's orders in `selection`, as pks: pasted IDs in the order given, otherwise
    by order number (newest first when asked; most recently deleted first for deleted orders).

    InvalidSelection for a range, date or filter that cannot be read; SelectionTooLarge, before
    anything is loaded where it can be, for more than `cap` orders (MAX_SELECTION_ORDERS).
    """
    cap = MAX_SELECTION_ORDERS if cap is None else cap
    if selection.kind == SelectionKind.IDS:
        return _ids_resolve(merchant, selection, cap)
    queryset, description = _kind_filter(merchant, selection, _scoped(merchant, selection), cap)
    pks = list(queryset.order_by(*_ordering(selection)).values_list("pk", flat=True)[: cap + 1])
    order_selection_cap_check(len(pks), cap=cap)
    return ResolvedSelection(order_pks=pks, description=description)


def order_number_parse(value: Any) -> int:
    """An order number from `123` or an order ID such as `DEMO-000123`."""
    match = _NUMBER.search(str(value or "").strip())
    if match is None:
        raise InvalidSelection(f"“{value}” is not an order number or order ID.")
    return int(match.group(1))


def _scoped(merchant: Merchant, selection: OrderSelection) -> OrderQuerySet:
    queryset = Order.objects.for_merchant(merchant)
    if selection.deleted == Deleted.EXCLUDE:
        queryset = queryset.live()
    elif selection.deleted == Deleted.ONLY_DELETED:
        queryset = queryset.deleted()
    if selection.stages:
        queryset = queryset.filter(stage__in=selection.stages)
    if selection.deleted_filter is not None:
        queryset = orders_deleted_narrow(
            queryset, merchant=merchant, filters=selection.deleted_filter
        )
    return queryset


def _ordering(selection: OrderSelection) -> tuple[str, ...]:
    if selection.deleted == Deleted.ONLY_DELETED:
        return ("-deleted_at", "-order_number")  # the Undelete tool's order
    return ("-order_number",) if selection.newest_first else ("order_number",)


def _kind_filter(
    merchant: Merchant, selection: OrderSelection, queryset: OrderQuerySet, cap: int
) -> tuple[OrderQuerySet, str]:
    kind = selection.kind
    if kind == SelectionKind.ROWS:
        return _rows_filter(selection, queryset, cap)
    if kind == SelectionKind.RANGE:
        start, end = order_number_parse(selection.first), order_number_parse(selection.last)
        if start > end:
            raise InvalidSelection("The range's first order number is after its last.")
        queryset = queryset.filter(order_number__gte=start, order_number__lte=end)
        return queryset, f"orders {start} to {end}"
    if kind == SelectionKind.DATES:
        return _dates_filter(merchant, selection, queryset)
    if kind == SelectionKind.FILTER:
        return _filter_apply(merchant, selection, queryset), "all orders matching the list's filter"
    if kind == SelectionKind.ITEM and selection.item_id is not None:
        queryset = preorders_waiting_for_item(
            queryset, item_id=selection.item_id, alone=selection.item_alone
        )
        return queryset, "the pre-orders waiting for an item"
    raise InvalidSelection("Choose how to select the orders.")


def _rows_filter(
    selection: OrderSelection, queryset: OrderQuerySet, cap: int
) -> tuple[OrderQuerySet, str]:
    """Rows ticked on a screen: the ones no longer in the scope are left out."""
    try:
        wanted = {int(pk) for pk in selection.rows}
    except (TypeError, ValueError) as exc:
        raise InvalidSelection("The selection is not valid.") from exc
    order_selection_cap_check(len(wanted), cap=cap)
    return queryset.filter(pk__in=wanted), f"{counted(len(wanted), 'order')} chosen"


def _date(value: datetime.date | str | None, what: str) -> datetime.date:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidSelection(f"The {what} date must be a date (YYYY-MM-DD).") from exc


def _dates_filter(
    merchant: Merchant, selection: OrderSelection, queryset: OrderQuerySet
) -> tuple[OrderQuerySet, str]:
    name = selection.date_field
    if name not in DATE_FIELDS:
        raise InvalidSelection("Choose the date: placed, paid or shipped.")
    start, end = _date(selection.date_from, "first"), _date(selection.date_to, "last")
    if start > end:
        raise InvalidSelection("The first date is after the last.")
    # Days are the merchant's days: midnight to midnight in its time zone.
    zone = zoneinfo.ZoneInfo(merchant.time_zone or "UTC")
    since, until = day_range(start, end, zone)
    column = DATE_FIELDS[name]
    if since is not None:
        queryset = queryset.filter(**{f"{column}__gte": since})
    if until is not None:
        queryset = queryset.filter(**{f"{column}__lt": until})
    return queryset, f"{name} {start} to {end}"


def _filter_apply(
    merchant: Merchant, selection: OrderSelection, queryset: OrderQuerySet
) -> OrderQuerySet:
    """ "All matching": the list's own query string re-applied with the one OrderFilterSet
    that the lists use."""
    filterset = order_filterset(
        data=QueryDict(selection.query), queryset=queryset, merchant=merchant
    )
    if filterset.is_bound and not filterset.is_valid():
        raise InvalidSelection("The filter is not valid any more; nothing was selected.")
    return filterset.qs


def _ids_resolve(merchant: Merchant, selection: OrderSelection, cap: int) -> ResolvedSelection:
    ids = order_ids_parse(selection.text)
    order_selection_cap_check(len(ids), cap=cap)
    rows = order_ids_lookup(merchant=merchant, ids=ids)
    stages = set(selection.stages)
    order_pks: list[int] = []
    not_found: list[str] = []
    deleted: list[str] = []
    refused: list[str] = []
    for order_id in ids:
        if order_id not in rows:
            not_found.append(order_id)
            continue
        pk, is_deleted, stage = rows[order_id]
        if is_deleted and selection.deleted == Deleted.EXCLUDE:
            deleted.append(order_id)
        elif (not is_deleted and selection.deleted == Deleted.ONLY_DELETED) or (
            stages and stage not in stages
        ):
            refused.append(order_id)
        else:
            order_pks.append(pk)
    return ResolvedSelection(
        order_pks=order_pks,
        not_found=not_found,
        deleted=deleted,
        refused=refused,
        description=f"{counted(len(order_pks), 'order ID')} listed",
    )
