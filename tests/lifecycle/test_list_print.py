"""Bulk print from Shipping and Accounts Receivable: packing slips and invoices for the ticked
orders or all matching the list's filter, one order per printed page, at most 500."""

import re

import pytest

import lifecycle.views.printing as printing
from orders.models import Role
from orders.services.fields import order_tag_change
from orders.states import Stage
from tests.factories import member, place
from tests.orders.builders import order_in_stage

from .conftest import ar_order, login

pytestmark = pytest.mark.django_db

SLIPS = "/stages/shipping/print/packing-slips/"


def printed(response) -> list[str]:
    return re.findall(
        r'<section class="page [a-z-]+" data-order-id="([^"]+)"', response.content.decode()
    )


def test_shipping_and_receivables_link_their_print_routes_from_the_bulk_bar(
    manager_client, merchant
):
    place(merchant)
    ar_order(merchant)

    shipping = manager_client.get("/stages/shipping/").content.decode()
    receivable = manager_client.get("/stages/accounts-receivable/").content.decode()
    hold = manager_client.get("/stages/hold/").content.decode()

    assert f'formaction="{SLIPS}"' in shipping
    assert 'formaction="/stages/shipping/print/invoices/"' in shipping
    assert 'formaction="/stages/accounts-receivable/print/invoices/"' in receivable
    assert 'formaction="/stages/accounts-receivable/print/packing-slips/"' in receivable
    assert "/print/" not in hold


def test_packing_slips_for_the_ticked_orders_one_per_page_newest_first(
    manager_client, merchant, other_merchant
):
    first, second, unticked = place(merchant), place(merchant), place(merchant)
    receivable, foreign = ar_order(merchant), place(other_merchant)

    response = manager_client.post(
        SLIPS, {"order": [first.pk, second.pk, receivable.pk, foreign.pk], "query": ""}
    )

    assert response.status_code == 200
    assert printed(response) == [second.order_id, first.order_id]
    assert "Packing slip · " in response.content.decode()
    assert unticked.order_id not in response.content.decode()


def test_invoices_for_all_orders_matching_the_lists_filter(manager_client, merchant):
    tagged = [ar_order(merchant, email=f"t{n}@example.com") for n in range(3)]
    other = ar_order(merchant)
    for order in tagged:
        order_tag_change(order=order, name="wholesale", add=True)

    response = manager_client.post(
        "/stages/accounts-receivable/print/invoices/",
        {"select_all": "1", "query": "tag=wholesale", "order": [other.pk]},
    )

    assert printed(response) == [order.order_id for order in reversed(tagged)]
    assert "Invoice " in response.content.decode()


def test_more_orders_than_a_print_batch_takes_are_refused_with_a_clear_message(
    manager_client, merchant, monkeypatch
):
    monkeypatch.setattr(printing, "MAX_SLIPS", 2)
    orders = [place(merchant) for _ in range(3)]

    response = manager_client.post(SLIPS, {"select_all": "1", "query": "q=ann"}, follow=True)

    body = response.content.decode()
    assert response.redirect_chain[-1][0] == "/stages/shipping/?q=ann"
    assert "Nothing printed. At most 2 orders at a time" in body
    assert printed(response) == []
    assert manager_client.post(SLIPS, {"order": [o.pk for o in orders[:2]]}).status_code == 200


def test_printing_nothing_says_so(manager_client, merchant):
    response = manager_client.post(SLIPS, {"query": ""}, follow=True)

    assert "Select at least one order to print." in response.content.decode()


def test_screens_without_printing_have_no_print_route(manager_client, merchant):
    held = order_in_stage(merchant, Stage.HOLD)

    response = manager_client.post("/stages/hold/print/packing-slips/", {"order": [held.pk]})

    assert response.status_code == 404
    assert manager_client.post("/stages/shipping/print/labels/").status_code == 404


def test_a_shipping_clerk_prints_shipping_slips_but_not_receivable_invoices(client, merchant):
    order, receivable = place(merchant), ar_order(merchant)
    login(client, member(merchant, Role.SHIPPING_CLERK))

    assert printed(client.post(SLIPS, {"order": [order.pk]})) == [order.order_id]
    response = client.post(
        "/stages/accounts-receivable/print/invoices/", {"order": [receivable.pk]}
    )
    assert response.status_code == 403
