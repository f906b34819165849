"""Reading orders for an export in keyset chunks: constant memory whatever the count.

Each chunk is one query for the orders' own fields (values(), no model instances) plus one
query per related kind the mapping needs (lines, tags, notes, shipments).
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from orders.models import Merchant, Order, OrderLine, OrderNote, Shipment

from .catalogue import DATETIME, FIELDS, Field

CHUNK = 2000


@dataclass
class OrderRecord:
    values: dict[str, Any]
    lines: list[dict[str, Any]] = field(default_factory=list)


def order_records(
    *, merchant: Merchant, queryset, fields: list[Field], chunk: int = CHUNK
) -> Iterator[OrderRecord]:
    """The live orders of the queryset, by pk, with the mapping's fields filled in."""
    names = {f.name for f in fields}
    sources = sorted({f.source for f in fields if f.source and not f.line} | {"order_id"})
    if "customer_name" in names:
        sources = sorted({*sources, "first_name", "last_name"})
    need_lines = any(f.line for f in fields)
    tz = ZoneInfo(merchant.time_zone or "UTC")
    base = queryset.filter(merchant=merchant, deleted_at__isnull=True).order_by("pk")
    last = 0
    while True:
        rows = list(base.filter(pk__gt=last).values("pk", *sources)[:chunk])
        if not rows:
            return
        last = rows[-1]["pk"]
        related = _related(names, [row["pk"] for row in rows], need_lines)
        for row in rows:
            yield _record(row, merchant, related, fields, tz)


def _related(names: set[str], pks: list[int], need_lines: bool) -> dict[str, dict]:
    related: dict[str, dict] = {}
    if need_lines:
        lines = defaultdict(list)
        for line in (
            OrderLine.objects.filter(order_id__in=pks)
            .order_by("order_id", "position", "id")
            .values()
        ):
            lines[line["order_id"]].append(line)
        related["lines"] = lines
    if "tags" in names:
        tags = defaultdict(list)
        through = Order.tags.through.objects.filter(order_id__in=pks).order_by("tag__name")
        for order_pk, name in through.values_list("order_id", "tag__name"):
            tags[order_pk].append(name)
        related["tags"] = tags
    if "notes" in names:
        notes = defaultdict(list)
        query = OrderNote.objects.filter(order_id__in=pks).order_by("created_at", "id")
        for order_pk, text in query.values_list("order_id", "text"):
            notes[order_pk].append(text)
        related["notes"] = notes
    if names & {"carrier", "tracking_numbers"}:
        shipments = defaultdict(list)
        query = Shipment.objects.filter(order_id__in=pks).order_by("shipped_at", "id")
        for order_pk, carrier, numbers in query.values_list(
            "order_id", "carrier", "tracking_numbers"
        ):
            shipments[order_pk].append((carrier, numbers or []))
        related["shipments"] = shipments
    return related


def _record(row, merchant, related, fields: list[Field], tz) -> OrderRecord:
    pk = row["pk"]
    values: dict[str, Any] = {}
    for f in fields:
        if f.line:
            continue
        if not f.source:
            values[f.name] = _derived(f.name, row, merchant, related, pk)
        elif f.kind == DATETIME:
            value = row[f.source]
            # Whole seconds in the merchant's zone: what CSV shows and a spreadsheet keeps.
            if value is not None:
                value = value.astimezone(tz).replace(tzinfo=None, microsecond=0)
            values[f.name] = value
        else:
            values[f.name] = row[f.source]
    lines = [_line_values(line, fields) for line in related.get("lines", {}).get(pk, [])]
    return OrderRecord(values=values, lines=lines)


def _derived(name: str, row, merchant, related, pk) -> Any:
    if name == "merchant_code":
        return merchant.code
    if name == "customer_name":
        return f"{row['first_name']} {row['last_name']}".strip()
    if name == "tags":
        return ", ".join(related["tags"].get(pk, []))
    if name == "notes":
        return "\n".join(related["notes"].get(pk, []))
    shipments = related["shipments"].get(pk, [])
    if name == "carrier":
        return ", ".join(dict.fromkeys(carrier for carrier, _ in shipments))
    return ", ".join(number for _, numbers in shipments for number in numbers)


def _line_values(line: dict[str, Any], fields: list[Field]) -> dict[str, Any]:
    values = {}
    for f in fields:
        if not f.line:
            continue
        if f.name == "line_total":
            values[f.name] = line["unit_price"] * line["quantity"]
        else:
            values[f.name] = line[f.source]
    return values


def field_get(name: str) -> Field:
    return FIELDS[name]
