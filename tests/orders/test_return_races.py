"""Two people acting on one return at once, on PostgreSQL: the order's row lock lets one win."""

from decimal import Decimal

import pytest

from orders.exceptions import OrderError
from orders.models import GatewayLedgerEntry, Order, OrderEvent, Return
from orders.services.returns import return_authorize, return_open, return_refund
from tests.factories import member
from tests.orders.returns import line_of, opened, received, shipped_order
from tests.orders.test_concurrency import run_threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("needs_postgres")]


def test_two_people_authorizing_the_same_return_give_one_rma_number(merchant):
    order = shipped_order(merchant)
    request = opened(order, 1)
    staff = [member(merchant, "manager", username=f"m-{i}") for i in range(2)]
    outcomes: list[str] = []

    def authorize(index: int) -> None:
        try:
            return_authorize(request=request.pk, by=staff[index])
            outcomes.append("authorized")
        except OrderError:
            outcomes.append("refused")

    assert run_threads(2, authorize) == []

    assert sorted(outcomes) == ["authorized", "refused"]
    assert Return.objects.get(pk=request.pk).rma_number == f"RMA-{order.order_id}-1"
    changed = OrderEvent.objects.filter(order=order, type="order_return_changed")
    assert changed.count() == 1


def test_two_people_refunding_the_same_return_refund_it_once(merchant):
    order = shipped_order(merchant)
    request = received(order, 2)
    staff = [member(merchant, "manager", username=f"m-{i}") for i in range(2)]
    outcomes: list[str] = []

    def refund(index: int) -> None:
        try:
            return_refund(request=request.pk, by=staff[index], notify=False)
            outcomes.append("refunded")
        except OrderError:
            outcomes.append("refused")

    assert run_threads(2, refund) == []

    assert sorted(outcomes) == ["refunded", "refused"]
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.refunded_total == Decimal("40.00")
    assert line_of(fresh).refunded_quantity == 2
    assert GatewayLedgerEntry.objects.filter(operation="refund").count() == 1


def test_two_returns_opened_at_once_never_hold_more_than_shipped(merchant):
    order = shipped_order(merchant)  # three shipped
    staff = [member(merchant, "manager", username=f"m-{i}") for i in range(2)]
    outcomes: list[str] = []

    def open_two(index: int) -> None:
        try:
            return_open(
                order=order.pk, lines={line_of(order).pk: 2}, reason="other", by=staff[index]
            )
            outcomes.append("opened")
        except OrderError:
            outcomes.append("refused")

    assert run_threads(2, open_two) == []

    assert sorted(outcomes) == ["opened", "refused"]
    assert Return.objects.filter(order=order).count() == 1
