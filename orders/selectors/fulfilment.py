"""What of an order has shipped and what is left to ship, line by line.

A shipment names its lines and quantities (ShipmentLine). A shipment recorded before shipments
named their lines has none and carries everything, so old orders need no backfill. Only
shippable lines are counted: a line that is not shipped (a download, a gift card) never needs
shipping.
"""

from collections import defaultdict

from orders.models import Order, OrderLine, Shipment, ShipmentLine


def _shippable_lines(order: Order) -> list[OrderLine]:
    return [line for line in order.lines.all() if line.shippable]


def line_shipped_quantities(order: Order) -> dict[int, int]:
    """{line id: quantity shipped} for each shippable line of the order (0 when none)."""
    lines = _shippable_lines(order)
    shipments = list(Shipment.objects.filter(order=order).values_list("pk", flat=True))
    carried = ShipmentLine.objects.filter(shipment__order=order).values_list(
        "shipment_id", "line_id", "quantity"
    )
    shipped: dict[int, int] = defaultdict(int)
    naming = set()
    for shipment_id, line_id, quantity in carried:
        naming.add(shipment_id)
        shipped[line_id] += quantity
    if any(pk not in naming for pk in shipments):
        return {line.pk: line.quantity for line in lines}
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
