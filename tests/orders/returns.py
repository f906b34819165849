"""Builders for return tests: a shipped order and its returns walked to a given step."""

from decimal import Decimal

from orders.models import Order, Return
from orders.services.returns import (
    return_authorize,
    return_open,
    return_receive,
)
from tests.factories import place
from tests.orders.builders import walk


def shipped_order(merchant, *, quantity: int = 3, price: Decimal = Decimal("20.00")) -> Order:
    """Charged and marked shipped: `quantity` widgets at `price` and 5.00 shipping."""
    return walk(place(merchant, quantity=quantity, price=price), "mark_shipped", carrier="UPS")


def line_of(order: Order):
    return order.lines.get()


def opened(order: Order, quantity: int = 1, *, by=None) -> Return:
    return return_open(order=order, lines={line_of(order).pk: quantity}, reason="defective", by=by)


def authorized(order: Order, quantity: int = 1) -> Return:
    return return_authorize(request=opened(order, quantity), by=None)


def received(order: Order, quantity: int = 1, *, got: int | None = None) -> Return:
    request = authorized(order, quantity)
    got = quantity if got is None else got
    return return_receive(
        request=request, received={line_of(order).pk: got}, condition="opened", by=None
    )
