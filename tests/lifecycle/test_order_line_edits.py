"""The order's Edit lines page: who sees it, its server-side preview, the one-time save and
the clear refusals that change nothing."""

from decimal import Decimal

import pytest

from orders.models import GatewayLedgerEntry, Order, OrderEvent, Role, Shipment
from orders.services.line_edits import order_lines_version
from orders.states import PaymentMethod
from tests.factories import ItemFactory, member, place

from .conftest import ar_order, login, one_time

D = Decimal
pytestmark = pytest.mark.django_db


def edit_url(order: Order) -> str:
    return f"/orders/{order.order_id}/edit/lines/"


def form_data(order: Order, *, quantity: int | str = 1, action: str = "save", **extra) -> dict:
    fresh = Order.objects.get(pk=order.pk)
    line = fresh.lines.get()
    return {
        "version": order_lines_version(fresh),
        f"line-{line.pk}-quantity": str(quantity),
        f"line-{line.pk}-unit_price": str(line.unit_price),
        "shipping_total": str(fresh.shipping_total),
        "shipping_method": fresh.shipping_method,
        "action": action,
        **one_time(confirmed=False),
        **extra,
    }


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def state(order: Order) -> tuple:
    fresh = Order.objects.get(pk=order.pk)
    return (
        fresh.total,
        fresh.updated_at,
        list(fresh.lines.values_list("pk", "quantity", "unit_price")),
        OrderEvent.objects.filter(order=order).count(),
        GatewayLedgerEntry.objects.count(),
    )


# ---- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.ORDER_MANAGER])
def test_owners_and_managers_get_the_button_and_the_page(client, merchant, role):
    order = ar_order(merchant)
    login(client, member(merchant, role))

    page = client.get(f"/orders/{order.order_id}/")
    assert edit_url(order) in page.content.decode()
    assert client.get(edit_url(order)).status_code == 200


@pytest.mark.parametrize("role", [Role.CUSTOMER_SERVICE, Role.SHIPPING_CLERK, Role.BOOKKEEPER])
def test_other_roles_get_no_button_and_a_403(client, merchant, role):
    order = ar_order(merchant)
    login(client, member(merchant, role))
    before = state(order)

    page = client.get(f"/orders/{order.order_id}/")
    assert edit_url(order) not in page.content.decode()
    assert client.get(edit_url(order)).status_code == 403
    assert client.post(edit_url(order), form_data(order, quantity=3)).status_code == 403
    assert state(order) == before


def test_another_merchants_order_is_not_found(client, merchant, other_merchant, manager):
    theirs = ar_order(other_merchant)
    login(client, manager)
    before = state(theirs)

    assert client.get(edit_url(theirs)).status_code == 404
    assert client.post(edit_url(theirs), form_data(theirs, quantity=3)).status_code == 404
    assert state(theirs) == before


def test_no_button_once_the_order_has_shipped(manager_client, merchant):
    order = place(merchant)  # in Shipping
    Shipment.objects.create(order=order, carrier="UPS", tracking_numbers=["1Z1"])

    page = manager_client.get(f"/orders/{order.order_id}/")
    assert edit_url(order) not in page.content.decode()
    assert "has shipped" in manager_client.get(edit_url(order)).content.decode()


# ---- preview and save ----------------------------------------------------------------------


def test_the_preview_shows_the_new_totals_and_difference_and_saves_nothing(
    manager_client, merchant
):
    order = ar_order(merchant)  # 25.00 owed
    before = state(order)

    response = manager_client.post(edit_url(order), form_data(order, quantity=3, action="preview"))

    assert response.status_code == 200
    plan = response.context["plan"]
    assert (plan.after.subtotal, plan.after.total, plan.difference) == (
        D("60.00"),
        D("65.00"),
        D("40.00"),
    )
    assert plan.balance_after == D("65.00")
    html = response.content.decode()
    assert 'data-after="total">65.00' in html
    assert 'data-after="balance">65.00' in html
    assert state(order) == before


def test_saving_charges_the_card_on_file_and_says_so(manager_client, merchant):
    order = place(merchant)  # 25.00 charged

    response = manager_client.post(edit_url(order), form_data(order, quantity=2), follow=True)

    order.refresh_from_db()
    assert order.total == D("45.00")
    assert response.redirect_chain[-1][0] == f"/orders/{order.order_id}/"
    [message] = messages_of(response)
    assert "lines edited; total 45.00" in message
    assert "Charged 20.00" in message


def test_a_second_post_of_the_same_form_saves_once(manager_client, merchant):
    order = place(merchant)
    data = form_data(order, quantity=2)

    manager_client.post(edit_url(order), data)
    manager_client.post(edit_url(order), data)

    order.refresh_from_db()
    assert order.total == D("45.00")
    assert order.transactions.filter(kind="charge", result="approved").count() == 2
    assert order.events.filter(type="order_edited").count() == 1


def test_a_decline_is_shown_as_a_decline_and_nothing_is_saved(manager_client, merchant):
    order = place(merchant)
    Order.objects.filter(pk=order.pk).update(gateway_token="tgw_0000_ok_0002")
    before = state(order)

    response = manager_client.post(edit_url(order), form_data(order, quantity=2), follow=True)

    [message] = messages_of(response)
    assert "Card declined" in message
    assert "Nothing was changed" in message
    assert state(order) == before


def test_a_stale_form_is_refused_with_the_changed_while_looking_message(manager_client, merchant):
    order = ar_order(merchant)
    stale = form_data(order, quantity=5)
    manager_client.post(edit_url(order), form_data(order, quantity=2))
    before = state(order)

    response = manager_client.post(edit_url(order), stale, follow=True)

    assert messages_of(response)[-1] == (
        f"{order.order_id}: This order changed while you were looking — review it and try again."
    )
    assert state(order) == before


@pytest.mark.parametrize(
    ("quantity", "price", "words"),
    [
        ("0", "20.00", "at least 1"),
        ("-3", "20.00", "at least 1"),
        ("10001", "20.00", "at most 10,000"),
        ("two", "20.00", "whole number"),
        ("1", "-5", "zero or more"),
        ("1", "abc", "Enter a number"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    manager_client, merchant, quantity, price, words
):
    order = ar_order(merchant)
    line = order.lines.get()
    data = form_data(order, price_reason="typo")
    data[f"line-{line.pk}-quantity"] = quantity
    data[f"line-{line.pk}-unit_price"] = price
    before = state(order)

    response = manager_client.post(edit_url(order), data, follow=True)

    text = response.content.decode()
    assert words in text
    assert state(order) == before


def test_a_line_of_another_order_is_refused(manager_client, merchant):
    order = ar_order(merchant)
    other = ar_order(merchant, email="bo@example.com")
    foreign = other.lines.get()
    data = form_data(order)
    data[f"line-{foreign.pk}-quantity"] = "7"
    before, other_before = state(order), state(other)

    response = manager_client.post(edit_url(order), data, follow=True)

    assert "not on this order" in messages_of(response)[0]
    assert (state(order), state(other)) == (before, other_before)


def test_removing_the_only_line_is_refused(manager_client, merchant):
    order = ar_order(merchant)
    line = order.lines.get()
    before = state(order)

    response = manager_client.post(
        edit_url(order), form_data(order, **{f"line-{line.pk}-remove": "on"}), follow=True
    )

    assert "at least one line" in messages_of(response)[0]
    assert state(order) == before


def test_adding_a_catalogue_item_from_the_page(manager_client, merchant):
    ItemFactory(merchant=merchant, sku="MUG", price=D("12.50"))
    order = place(merchant, method=PaymentMethod.CHECK, card=None)

    manager_client.post(
        edit_url(order), form_data(order, **{"add-1-sku": "MUG", "add-1-quantity": "2"})
    )

    order.refresh_from_db()
    assert list(order.lines.values_list("sku", "quantity")) == [("", 1), ("MUG", 2)]
    assert order.total == D("50.00")


def test_the_order_page_shows_the_new_balance_of_an_accounts_receivable_order(
    manager_client, merchant
):
    order = ar_order(merchant)
    manager_client.post(edit_url(order), form_data(order, quantity=2))

    page = manager_client.get(f"/orders/{order.order_id}/").content.decode()

    assert "data-balance-owed>45.00" in page


def test_the_auto_order_question_is_asked_only_for_an_auto_orders_order(manager_client, merchant):
    from tests.orders.auto_orders import subscribe

    auto_order = subscribe(merchant)
    plain = place(merchant)

    assert (
        "Also change future rebills"
        in manager_client.get(edit_url(auto_order.original_order)).content.decode()
    )
    assert "Also change future rebills" not in manager_client.get(edit_url(plain)).content.decode()


# ---- a refused save keeps what was typed ---------------------------------------------------


def typed(order: Order, **extra) -> dict:
    """A quantity, a new price without its reason (refused by the save), a free-text line
    and a shipping method: what someone typed before pressing Save."""
    line = order.lines.get()
    return form_data(
        order,
        quantity=3,
        **{
            f"line-{line.pk}-unit_price": "21.00",
            "text-1-description": "Gift wrap",
            "text-1-quantity": "2",
            "text-1-unit_price": "1.50",
            "shipping_method": "Courier",
            **extra,
        },
    )


def assert_shows_what_was_typed(html: str, order: Order, *, price: str = "21.00") -> None:
    line = order.lines.get()
    assert f'name="line-{line.pk}-quantity" value="3"' in html
    assert f'name="line-{line.pk}-unit_price" value="{price}"' in html
    assert 'name="text-1-description" value="Gift wrap"' in html
    assert 'name="text-1-unit_price" value="1.50"' in html
    assert 'name="shipping_method" value="Courier"' in html


def test_a_refused_save_shows_the_page_again_with_what_was_typed(manager_client, merchant):
    order = ar_order(merchant)
    before = state(order)

    response = manager_client.post(edit_url(order), typed(order))

    assert response.status_code == 422
    assert any("say why the unit price changes" in m for m in messages_of(response))
    assert_shows_what_was_typed(response.content.decode(), order)
    assert state(order) == before


def test_after_a_refused_save_the_retyped_page_saves_with_a_fresh_token(manager_client, merchant):
    order = ar_order(merchant)
    response = manager_client.post(edit_url(order), typed(order))
    html = response.content.decode()
    posted = typed(order)
    assert f'value="{posted["form_token"]}"' not in html, "a fresh token, not the used one"

    again = manager_client.post(edit_url(order), typed(order, price_reason="agreed"))

    assert again.status_code == 302
    order.refresh_from_db()
    assert order.total == D("71.00")  # 3 × 21.00 + 2 × 1.50 + 5.00 shipping


def test_a_decline_shows_the_page_again_with_what_was_typed(manager_client, merchant):
    order = place(merchant)
    Order.objects.filter(pk=order.pk).update(gateway_token="tgw_0000_ok_0002")
    before = state(order)

    response = manager_client.post(edit_url(order), typed(order, price_reason="agreed"))

    assert response.status_code == 422
    assert any("Card declined" in message for message in messages_of(response))
    assert_shows_what_was_typed(response.content.decode(), order)
    assert state(order) == before


def test_a_stale_save_shows_the_page_again_with_what_was_typed(manager_client, merchant):
    order = ar_order(merchant)
    stale = typed(order, price_reason="agreed")
    manager_client.post(
        edit_url(order), form_data(order, quantity=2, shipping_method="Post", price_reason="x")
    )
    before = state(order)

    response = manager_client.post(edit_url(order), stale)

    assert response.status_code == 409
    assert any("changed while you were looking" in m for m in messages_of(response))
    html = response.content.decode()
    assert_shows_what_was_typed(html, order)
    current = order_lines_version(Order.objects.get(pk=order.pk))
    assert f'name="version" value="{current}"' in html
    assert state(order) == before


def test_adding_a_pre_order_item_to_an_order_in_shipping_is_refused(manager_client, merchant):
    ItemFactory(merchant=merchant, sku="SOON", price=D("30.00"), pre_order=True)
    order = place(merchant)  # in Shipping
    before = state(order)

    response = manager_client.post(
        edit_url(order), form_data(order, **{"add-1-sku": "SOON", "add-1-quantity": "1"})
    )

    assert response.status_code == 422
    assert f"{order.order_id}: SOON is a pre-order item; enter it as a new order." in (
        messages_of(response)
    )
    assert state(order) == before
