"""The Refund form on an order in Shipping whose shipped parts were captured: offered to the
roles that may refund, up to what was captured."""

from decimal import Decimal

import pytest

from orders.models import GatewayLedgerEntry, Order, PaymentTransaction, Role
from orders.states import PaymentStatus, Stage
from tests.factories import member
from tests.orders.test_refund_parts import ship, shipping_order

from .conftest import login, one_time

pytestmark = pytest.mark.django_db

D = Decimal


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        (Role.OWNER, True),
        (Role.ORDER_MANAGER, True),
        (Role.CUSTOMER_SERVICE, True),
        (Role.SHIPPING_CLERK, False),
        (Role.BOOKKEEPER, False),
    ],
)
def test_the_refund_form_is_offered_on_a_partly_captured_order_to_roles_that_refund(
    client, merchant, role, offered
):
    order = ship(shipping_order(merchant), "kettle")
    login(client, member(merchant, role))

    page = client.get(f"/orders/{order.order_id}/").content.decode()

    assert ('data-form="refund"' in page) is offered
    if offered:
        assert "at most 32.14 can be refunded now" in page


def test_an_order_authorized_and_not_yet_captured_offers_no_refund(manager_client, merchant):
    order = shipping_order(merchant)

    page = manager_client.get(f"/orders/{order.order_id}/").content.decode()

    assert 'data-form="refund"' not in page


def test_refunding_a_partly_captured_order_from_the_page(manager_client, merchant):
    order = ship(shipping_order(merchant), "kettle")
    order = ship(order, "mugs")

    response = manager_client.post(
        f"/orders/{order.order_id}/refund/", {**one_time(), "amount": "40.00"}, follow=True
    )

    order.refresh_from_db()
    assert f"{order.order_id}: Refunded 40.00 to Visa ending 1111, in 2 refunds" in messages_of(
        response
    )
    assert order.refunded_total == D("40.00")
    assert (order.stage, order.payment_status) == (Stage.SHIPPING, PaymentStatus.AUTHORIZED)
    refunds = order.transactions.filter(kind=PaymentTransaction.Kind.REFUND)
    assert [row.amount for row in refunds] == [D("32.14"), D("7.86")]
    assert sorted(
        GatewayLedgerEntry.objects.filter(operation="refund").values_list("amount", flat=True)
    ) == [D("7.86"), D("32.14")]
    # The page lists both refunds among the payment transactions.
    page = response.content.decode()
    assert page.count("<td>Refund</td>") == 2


def test_refunding_more_than_was_captured_from_the_page_says_so_and_changes_nothing(
    manager_client, merchant
):
    order = ship(shipping_order(merchant), "kettle")

    response = manager_client.post(
        f"/orders/{order.order_id}/refund/", {**one_time(), "amount": "40.00"}, follow=True
    )

    assert "At most 32.14 can be refunded" in messages_of(response)
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.refunded_total == D("0.00")
    assert fresh.payment_status == PaymentStatus.AUTHORIZED
    assert not GatewayLedgerEntry.objects.filter(operation="refund").exists()
