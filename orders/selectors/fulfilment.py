"""What of an order has shipped and what is left to ship, line by line.

A shipment names its lines and quantities (ShipmentLine). A shipment recorded before shipments
named their lines has none and carries everything, so old orders need no backfill. Only
shippable lines are counted: a line that is not shipped (a download, a gift card) never needs
shipping.
"""

from collections import defaultdict
from dataclasses import dataclass

from orders.models import Order, OrderLine, Shipment


def _shippable_lines(order: Order) -> list[OrderLine]:
    return [line for line in order.lines.all() if line.shippable]


def line_shipped_quantities(order: Order) -> dict[int, int]:
    """{line id: quantity shipped} for each shippable line of the order (0 when none).

    Reads order.shipments and their lines, so a caller that prefetched them (the order page,
    printing) pays no query."""
    lines = _shippable_lines(order)
    shipped: dict[int, int] = defaultdict(int)
    for shipment in order.shipments.all():
        carried = shipment.lines.all()
        if not carried:
            return {line.pk: line.quantity for line in lines}
        for row in carried:
            shipped[row.line_id] += row.quantity
    return {line.pk: min(shipped[line.pk], line.quantity) for line in lines}


def line_unshipped_quantities(order: Order) -> dict[int, int]:
    """{line id: quantity left to ship} for each shippable line with some left to ship."""
    shipped = line_shipped_quantities(order)
    left = {line.pk: line.quantity - shipped[line.pk] for line in _shippable_lines(order)}
    return {pk: quantity for pk, quantity in left.items() if quantity > 0}


def order_line_numbers(order: Order) -> dict[int, OrderLine]:
    """{number: line}: the lines numbered from 1 as the order page and packing slips show
    them; a pasted "line:quantity" names a line by this number."""
    return dict(enumerate(order.lines.all(), start=1))


def shipment_lines_get(shipment: Shipment) -> list[tuple[OrderLine, int]]:
    """(line, quantity) for what one shipment carries; a shipment without lines carries every
    shippable line whole."""
    carried = [(row.line, row.quantity) for row in shipment.lines.select_related("line")]
    if carried:
        return carried
    return [(line, line.quantity) for line in _shippable_lines(shipment.order)]


@dataclass(frozen=True)
class ShipmentRow:
    shipment: Shipment
    # (number on the order page, line, quantity) for each line the shipment carries.
    lines: list[tuple[int, OrderLine, int]]


def order_shipments_list(order: Order) -> list[ShipmentRow]:
    """The order's shipments with what each carries, from rows the order page prefetched
    (order_page_get: lines, shipments and their lines): no query of its own."""
    numbered = order_line_numbers(order)
    numbers = {line.pk: number for number, line in numbered.items()}
    lines = {line.pk: line for line in numbered.values()}
    rows = []
    for shipment in order.shipments.all():
        carried = [
            (numbers[row.line_id], lines[row.line_id], row.quantity)
            for row in shipment.lines.all()
            if row.line_id in lines
        ]
        if not shipment.lines.all():
            carried = [(n, line, line.quantity) for n, line in numbered.items() if line.shippable]
        rows.append(ShipmentRow(shipment=shipment, lines=sorted(carried, key=lambda r: r[0])))
    return rows


def packing_slip_lines(
    order: Order, shipment: Shipment | None = None
) -> list[tuple[int, OrderLine, int]]:
    """(number, line, quantity) a packing slip lists: one shipment's lines; or, for the order,
    every line before anything has shipped and what is left to ship after."""
    numbered = order_line_numbers(order)
    if shipment is not None:
        carried = {row.line_id: row.quantity for row in shipment.lines.all()}
        if not carried:
            return [(n, line, line.quantity) for n, line in numbered.items() if line.shippable]
        return [(n, line, carried[line.pk]) for n, line in numbered.items() if line.pk in carried]
    if not order.shipments.all():
        return [(n, line, line.quantity) for n, line in numbered.items()]
    left = line_unshipped_quantities(order)
    return [(n, line, left[line.pk]) for n, line in numbered.items() if line.pk in left]
