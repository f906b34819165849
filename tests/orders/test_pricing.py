"""Order arithmetic: the server's totals, to the cent."""

from decimal import Decimal

import pytest

from orders.exceptions import InvalidInput
from orders.models import Order
from orders.pricing import money, order_totals
from orders.services.placement import LineDraft, order_place
from tests.orders.builders import card_draft

D = Decimal


def totals(lines, *, shipping="0", discount="0", tax_rate="0", tax=None):
    return order_totals(
        lines=[(q, D(price), D(cost)) for q, price, cost in lines],
        shipping=D(shipping),
        discount=D(discount),
        tax_rate=D(tax_rate),
        tax=None if tax is None else D(tax),
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.005", "0.01"), ("0.015", "0.02"), ("0.025", "0.03"), ("2.675", "2.68"), ("0.004", "0.00")],
)
def test_money_rounds_half_up_to_the_cent(value, expected):
    assert money(D(value)) == D(expected)


def test_line_amounts_round_half_up(db):
    result = totals([(3, "3.335", "1.111")])

    assert result.subtotal == D("10.01")
    assert result.cost_of_goods == D("3.33")
    assert result.total == D("10.01")


def test_tax_rounds_half_up_where_bankers_rounding_would_not(db):
    result = totals([(1, "10.00", "0")], tax_rate="0.0825")

    assert result.tax == D("0.83")  # 0.825: half-even would give 0.82
    assert result.total == D("10.83")


def test_tax_is_on_the_discounted_subtotal_not_on_shipping():
    result = totals([(2, "50.00", "20.00")], shipping="7.50", discount="20.00", tax_rate="0.10")

    assert result.subtotal == D("100.00")
    assert result.discount == D("20.00")
    assert result.tax == D("8.00")
    assert result.total == D("95.50")
    assert result.cost_of_goods == D("40.00")


@pytest.mark.parametrize(("discount", "applied"), [("250.00", "100.00"), ("-5.00", "0.00")])
def test_the_discount_is_between_zero_and_the_subtotal(discount, applied):
    result = totals([(1, "100.00", "0")], shipping="10.00", discount=discount, tax_rate="0.10")

    assert result.discount == D(applied)
    assert result.total == result.subtotal - result.discount + result.shipping + result.tax
    assert result.total >= result.shipping


def test_an_explicit_tax_overrides_the_rate():
    result = totals([(1, "100.00", "0")], tax_rate="0.10", tax="3.333")

    assert result.tax == D("3.33")
    assert result.total == D("103.33")


def test_an_explicit_zero_tax_is_kept():
    assert totals([(1, "100.00", "0")], tax_rate="0.10", tax="0").tax == D("0.00")


def test_placement_stores_the_servers_totals(merchant):
    merchant.tax_rate = D("0.0825")
    merchant.save()
    draft = card_draft(discount=D("2.00"))
    draft.lines = [
        LineDraft(description="Widget", quantity=3, unit_price=D("3.335"), unit_cost=D("1.00"))
    ]

    order = order_place(merchant=merchant, draft=draft)

    assert (order.subtotal, order.discount, order.shipping_total) == (
        D("10.01"),
        D("2.00"),
        D("5.00"),
    )
    assert order.tax == D("0.66")  # 8.01 × 0.0825 = 0.660825
    assert order.total == D("13.67")
    assert order.cost_of_goods == D("3.00")
    assert order.actual_profit == D("13.67") - D("0.66") - D("3.00")


@pytest.mark.parametrize("field", ["shipping_total", "tax", "discount"])
def test_placement_refuses_negative_shipping_tax_or_discount(merchant, field):
    draft = card_draft()
    setattr(draft, field, D("-1.00"))

    with pytest.raises(InvalidInput):
        order_place(merchant=merchant, draft=draft)

    assert not Order.objects.exists()
