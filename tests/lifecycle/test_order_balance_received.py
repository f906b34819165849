"""The order page's Record balance received form: who gets it, tenancy, bad input, and the
balance gone from the page once recorded."""

from decimal import Decimal

import pytest

from orders.models import Order, OrderEvent, PaymentTransaction, Role
from orders.services.line_edits import LineChange, LinesEdit, order_lines_edit, order_lines_version
from orders.states import PaymentMethod
from tests.factories import member, place

from .conftest import login, one_time

D = Decimal
pytestmark = pytest.mark.django_db


def owing(merchant) -> Order:
    """Paid 25.00 in cash, then edited to 65.00: 40.00 owed."""
    order = place(merchant, method=PaymentMethod.CASH, card=None)
    line = order.lines.get()
    order_lines_edit(
        order=order,
        edit=LinesEdit(
            changes=[LineChange(line_pk=line.pk, quantity=3, unit_price=line.unit_price)]
        ),
        version=order_lines_version(Order.objects.get(pk=order.pk)),
    )
    order.refresh_from_db()
    return order


def url(order: Order) -> str:
    return f"/orders/{order.order_id}/balance-received/"


def data(**fields) -> dict:
    return {"amount": "40.00", "reference": "CHK 1042", "note": "", **one_time(), **fields}


def state(order: Order) -> tuple:
    fresh = Order.objects.get(pk=order.pk)
    return (
        fresh.balance_due,
        fresh.updated_at,
        OrderEvent.objects.filter(order=order).count(),
        PaymentTransaction.objects.filter(order=order).count(),
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("role", [Role.OWNER, Role.ORDER_MANAGER])
def test_the_form_defaults_to_the_balance_and_recording_it_clears_the_page(client, merchant, role):
    order = owing(merchant)
    login(client, member(merchant, role))

    page = client.get(f"/orders/{order.order_id}/").content.decode()
    assert url(order) in page
    assert "Record balance received" in page
    assert "data-balance-owed>40.00" in page
    assert 'name="amount" value="40.00"' in page

    response = client.post(url(order), data(), follow=True)

    order.refresh_from_db()
    assert order.balance_due == D("0.00")
    assert messages_of(response) == [f"{order.order_id}: 40.00 received; nothing is owed now."]
    html = response.content.decode()
    assert "data-balance-owed" not in html
    assert url(order) not in html


@pytest.mark.parametrize("role", [Role.CUSTOMER_SERVICE, Role.SHIPPING_CLERK, Role.BOOKKEEPER])
def test_other_roles_get_no_form_and_a_403(client, merchant, role):
    order = owing(merchant)
    login(client, member(merchant, role))
    before = state(order)

    assert url(order) not in client.get(f"/orders/{order.order_id}/").content.decode()
    assert client.post(url(order), data()).status_code == 403
    assert state(order) == before


def test_another_merchants_order_is_not_found(client, merchant, other_merchant, manager):
    theirs = owing(other_merchant)
    login(client, manager)
    before = state(theirs)

    assert client.post(url(theirs), data()).status_code == 404
    assert state(theirs) == before


def test_no_form_when_nothing_is_owed(client, merchant, manager):
    order = place(merchant, method=PaymentMethod.CASH, card=None)
    login(client, manager)

    assert url(order) not in client.get(f"/orders/{order.order_id}/").content.decode()


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"amount": "40.01"}, "40.01 is more than the balance owed (40.00)"),
        ({"amount": "0"}, "more than 0.00"),
        ({"amount": "-3.00"}, "more than 0.00"),
        ({"amount": "ten"}, "as a number"),
        ({"amount": ""}, "Enter the amount received"),
        ({"reference": ""}, "A payment reference is required"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    client, merchant, manager, fields, words
):
    order = owing(merchant)
    login(client, manager)
    before = state(order)

    response = client.post(url(order), data(**fields), follow=True)

    assert response.redirect_chain[-1][0] == f"/orders/{order.order_id}/"
    assert any(words in message for message in messages_of(response))
    assert state(order) == before


def test_a_second_post_of_the_same_form_records_once(client, merchant, manager):
    order = owing(merchant)
    login(client, manager)
    posted = data(amount="10.00")

    client.post(url(order), posted)
    client.post(url(order), posted)

    order.refresh_from_db()
    assert order.balance_due == D("30.00")
    assert order.transactions.count() == 1


def test_a_post_without_its_one_time_token_is_refused(client, merchant, manager):
    order = owing(merchant)
    login(client, manager)
    before = state(order)

    client.post(url(order), {"amount": "10.00", "reference": "CHK 1"})

    assert state(order) == before
