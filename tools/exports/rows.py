"""Reading orders for an export in keyset chunks: constant memory whatever the count.

Each chunk is one query for the orders' own fields (values_list tuples, no model instances),
one for their lines when the mapping has line fields, and one per related field (tags, notes,
shipments). Every field's value is read by a getter made once per export, so a row costs one
call per cell and no dictionaries.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Max, Min, QuerySet

from orders.models import Merchant, Order, OrderLine

from .catalogue import DATETIME, Field

CHUNK = 2000
Getter = Callable[[tuple], Any]


@dataclass
class OrderRecord:
    # One value per field of the mapping, in its order; None for line fields.
    values: list[Any]
    # Per line of the order (by position): one value per line field, in the mapping's order.
    lines: list[list[Any]]


def order_records(
    *, merchant: Merchant, queryset: QuerySet[Order], fields: list[Field], chunk: int | None = None
) -> Iterator[OrderRecord]:
    """The live orders of the queryset, by pk, with the mapping's fields filled in."""
    reader = _Reader(merchant, fields)
    base = queryset.filter(merchant=merchant, deleted_at__isnull=True)
    for after, upto in OrderSpan.of(base).windows(chunk or CHUNK):
        window = base.filter(pk__gt=after, pk__lte=upto).order_by("pk")
        rows = list(window.values_list(*reader.order_columns))
        if rows:
            yield from reader.records(rows)


@dataclass(frozen=True)
class OrderSpan:
    """How many orders a selection holds and its first and last pk: the pk windows in which
    it is read. A window is a pk range, not ORDER BY pk LIMIT n: in a table of many merchants
    that walks the primary key past every other merchant's orders (and, after the last
    selected order, to the table's end)."""

    count: int
    first: int
    last: int

    @classmethod
    def of(cls, base) -> "OrderSpan":
        # pk + 0: planned like a count, not as walks along the primary key from either end.
        span = base.order_by().aggregate(
            count=Count("pk"), first=Min(F("pk") + 0), last=Max(F("pk") + 0)
        )
        return cls(span["count"], span["first"] or 0, span["last"] or 0)

    def windows(self, size: int) -> Iterator[tuple[int, int]]:
        """(after, upto] pk ranges of about `size` orders each, were they evenly spread."""
        if not self.count:
            return
        width = max(1, (self.last - self.first + 1) * size // self.count)
        for after in range(self.first - 1, self.last, width):
            yield after, min(after + width, self.last)

    def share(self, upto: int) -> int:
        """About how many of the orders have a pk up to `upto`."""
        return self.count * (upto - self.first + 1) // (self.last - self.first + 1)


def _none(_row: tuple) -> None:
    return None


class _Reader:
    def __init__(self, merchant: Merchant, fields: list[Field]) -> None:
        self.merchant = merchant
        self.tz = ZoneInfo(merchant.time_zone or "UTC")
        order_fields = [f for f in fields if not f.line]
        self.line_fields = [f for f in fields if f.line]
        # Each related field's name and the query that finds its items for a chunk of orders.
        self.related_sources = [(f.name, f.related) for f in order_fields if f.related is not None]
        self.related: dict[str, dict[int, list]] = {}
        self.order_columns = _columns("pk", order_fields)
        self.line_columns = _columns("order_id", self.line_fields)
        self.getters = [_none if f.line else self._getter(f, self.order_columns) for f in fields]
        self.line_getters = [self._getter(f, self.line_columns) for f in self.line_fields]

    def _getter(self, field: Field, columns: list[str]) -> Getter:
        merchant, compute = self.merchant, field.compute
        if compute is None:
            get = itemgetter(columns.index(field.source))
            if field.kind != DATETIME:
                return get
            tz = self.tz
            # Whole seconds in the merchant's zone: what CSV shows and a spreadsheet keeps.
            return lambda row: _local(get(row), tz)
        if field.related is not None:
            items = self.related.setdefault(field.name, {})
            return lambda row: compute(merchant, items.get(row[0], ()))
        needed = [columns.index(name) for name in field.needs]
        return lambda row: compute(merchant, *(row[i] for i in needed))

    def records(self, rows: list[tuple]) -> Iterator[OrderRecord]:
        pks = [row[0] for row in rows]
        for name, related in self.related_sources:
            # Refilled in place: the getters hold these dictionaries.
            grouped = self.related[name]
            grouped.clear()
            for order_pk, item in related(pks):
                grouped.setdefault(order_pk, []).append(item)
        lines = self._lines(pks)
        getters, no_lines = self.getters, list[list[Any]]()
        for row in rows:
            yield OrderRecord([get(row) for get in getters], lines.get(row[0], no_lines))

    def _lines(self, pks: list[int]) -> dict[int, list[list[Any]]]:
        if not self.line_fields:
            return {}
        lines = defaultdict(list)
        query = OrderLine.objects.filter(order_id__in=pks).order_by("order_id", "position", "id")
        getters = self.line_getters
        for row in query.values_list(*self.line_columns):
            lines[row[0]].append([get(row) for get in getters])
        return lines


def _columns(key: str, fields: list[Field]) -> list[str]:
    """The model fields to read: the key first, then every source and need, once."""
    names = [key]
    for field in fields:
        for name in (field.source, *field.needs) if field.source else field.needs:
            if name not in names:
                names.append(name)
    return names


def _local(value, tz):
    if value is None:
        return None
    return value.astimezone(tz).replace(tzinfo=None, microsecond=0)
