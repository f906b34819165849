"""Each filter of the one OrderFilterSet narrows the list: orders that must and must not match."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from orders.models import OrderLine, Shipment
from orders.states import PaymentMethod, PaymentStatus, Stage
from tests.factories import place

from .lists import listed_ids, set_fields

pytestmark = pytest.mark.django_db


def at(day: int) -> datetime:
    return datetime(2026, 3, day, 12, 0, tzinfo=UTC)


# (query parameters, fields of the order that matches, fields of the one that does not)
FIELD_CASES = {
    "email": ({"q": "ANN.LEE@Example.com"}, {"email": "ann.lee@example.com"}, {}),
    "name": ({"q": "zebedee"}, {"last_name": "Zebedee"}, {}),
    "full name": ({"q": "Ann Zebedee"}, {"first_name": "Ann", "last_name": "Zebedee"}, {}),
    "company": ({"q": "acme"}, {"company": "Acme Ltd"}, {"company": "Other Co"}),
    "phone": ({"q": "555-0199"}, {"phone": "+1 555-0199"}, {"phone": "+1 555-0100"}),
    "postal code": (
        {"q": "90210"},
        {"shipping_postal_code": "90210"},
        {"shipping_postal_code": "12345"},
    ),
    "placed range": (
        {"placed_after": "2026-03-10", "placed_before": "2026-03-12"},
        {"placed_at": at(11)},
        {"placed_at": at(14)},
    ),
    "paid range": (
        {"paid_after": "2026-03-01", "paid_before": "2026-03-05"},
        {"paid_at": at(2)},
        {"paid_at": at(9)},
    ),
    "shipped range": (
        {"shipped_after": "2026-03-05"},
        {"shipped_at": at(6)},
        {"shipped_at": at(4)},
    ),
    "refunded range": (
        {"refunded_before": "2026-03-05"},
        {"refunded_at": at(3)},
        {"refunded_at": None},
    ),
    "payment method": (
        {"payment_method": PaymentMethod.CHECK},
        {"payment_method": PaymentMethod.CHECK},
        {},
    ),
    "payment status": (
        {"payment_status": PaymentStatus.DECLINED},
        {"payment_status": PaymentStatus.DECLINED},
        {},
    ),
    "total range": (
        {"total_min": "30", "total_max": "40"},
        {"total": Decimal("35.00")},
        {"total": Decimal("41.00")},
    ),
    "country": ({"country": "ca"}, {"shipping_country": "CA"}, {"shipping_country": "US"}),
    "billing country": ({"country": "DE"}, {"billing_country": "DE"}, {}),
    "custom field": ({"custom_3": "wholesale"}, {"custom_3": "Wholesale"}, {"custom_3": "retail"}),
    "test only": ({"test": "only"}, {"is_test": True}, {}),
    "no test orders": ({"test": "exclude"}, {}, {"is_test": True}),
}


@pytest.mark.parametrize("case", FIELD_CASES)
def test_filter_narrows_to_the_matching_order(manager_client, merchant, case):
    params, matching, other = FIELD_CASES[case]
    match = set_fields(place(merchant), **matching)
    miss = set_fields(place(merchant), **other)

    response = manager_client.get("/orders/", params)

    assert response.status_code == 200
    assert listed_ids(response) == [match.order_id], (case, miss.order_id)


def test_search_by_exact_order_id_ignores_case(manager_client, merchant):
    wanted, _ = place(merchant), place(merchant)

    response = manager_client.get("/orders/", {"q": wanted.order_id.lower()})

    assert listed_ids(response) == [wanted.order_id]


def test_wildcard_search_on_order_id(manager_client, merchant):
    orders = [place(merchant) for _ in range(13)]  # DEMO-0000001 … DEMO-0000013
    ids = [o.order_id for o in orders]

    prefix = listed_ids(manager_client.get("/orders/", {"q": "DEMO-000001*"}))
    inner = listed_ids(manager_client.get("/orders/", {"q": "demo-*2"}))
    both = listed_ids(manager_client.get("/orders/", {"q": "*-00000*3"}))

    assert sorted(prefix) == sorted(ids[9:13])  # 10, 11, 12, 13
    assert sorted(inner) == sorted([ids[1], ids[11]])  # 2 and 12
    assert sorted(both) == sorted([ids[2], ids[12]])  # 3 and 13


def test_wildcard_dots_and_brackets_are_literal(manager_client, merchant):
    place(merchant)

    assert listed_ids(manager_client.get("/orders/", {"q": "DEMO.0*"})) == []
    assert listed_ids(manager_client.get("/orders/", {"q": "[D]*"})) == []


def test_search_by_tracking_number(manager_client, merchant):
    shipped, other = place(merchant), place(merchant)
    Shipment.objects.create(order=shipped, carrier="UPS", tracking_numbers=["1Z999", "1Z777"])
    Shipment.objects.create(order=other, carrier="UPS", tracking_numbers=["1Z9990"])

    response = manager_client.get("/orders/", {"q": "1z777"})
    exact = manager_client.get("/orders/", {"q": "1Z999"})

    assert listed_ids(response) == [shipped.order_id]
    assert listed_ids(exact) == [shipped.order_id]  # a whole number, not a part of 1Z9990


def test_search_by_item_sku_lists_each_order_once(manager_client, merchant):
    wanted, other = place(merchant), place(merchant)
    OrderLine.objects.filter(order=wanted).update(sku="MUG-RED")
    OrderLine.objects.create(order=wanted, sku="MUG-RED", description="Second mug")
    OrderLine.objects.filter(order=other).update(sku="MUG-BLUE")

    response = manager_client.get("/orders/", {"q": "mug-red"})

    assert listed_ids(response) == [wanted.order_id]


def test_stage_filter_on_all_orders(manager_client, merchant):
    shipping = place(merchant)
    receivable = place(merchant, card_mode="no_charge")
    assert receivable.stage == Stage.ACCOUNTS_RECEIVABLE

    response = manager_client.get("/orders/", {"stage": Stage.SHIPPING})

    assert listed_ids(response) == [shipping.order_id]


def test_filters_combine_and_stay_within_the_screen(manager_client, merchant):
    wanted = set_fields(place(merchant), company="Acme", total=Decimal("50"))
    set_fields(place(merchant), company="Acme", total=Decimal("5"))
    set_fields(place(merchant, card_mode="no_charge"), company="Acme", total=Decimal("50"))

    response = manager_client.get("/stages/shipping/", {"q": "acme", "total_min": "10"})

    assert listed_ids(response) == [wanted.order_id]


def test_an_invalid_filter_shows_no_orders_and_says_why(manager_client, merchant):
    place(merchant)

    response = manager_client.get("/orders/", {"payment_status": "nonsense"})

    assert listed_ids(response) == []
    assert "Some filters are not valid" in response.content.decode()
