"""The order page's Shipments panel and "Ship part" form, and packing slips per shipment."""

import re
from decimal import Decimal

import pytest

from orders.models import Order, OrderEventType, Role
from orders.services.placement import LineDraft
from orders.services.ship_part import order_ship_part
from orders.states import Stage
from tests.factories import member, place

from .conftest import login, one_time

pytestmark = pytest.mark.django_db


def three_line_order(merchant):
    return place(
        merchant,
        lines=[
            LineDraft(description="Kettle", sku="KET", quantity=1, unit_price=Decimal("30.00")),
            LineDraft(description="Mug", sku="MUG", quantity=3, unit_price=Decimal("10.00")),
            LineDraft(description="Tea", sku="TEA", quantity=2, unit_price=Decimal("5.00")),
        ],
    )


def ship_part_post(client, order, quantities, **fields):
    lines = list(order.lines.all())
    data = {f"line_{line.pk}": str(q) for line, q in zip(lines, quantities, strict=True)}
    return client.post(
        f"/orders/{order.order_id}/ship-part/",
        {"carrier": "UPS", "tracking_1": "1ZPART", **data, **fields, **one_time()},
        follow=True,
    )


def page_messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_the_ship_part_form_defaults_each_line_to_what_is_left(manager_client, merchant):
    order = three_line_order(merchant)
    mugs = order.lines.get(sku="MUG")
    order_ship_part(order=order, lines={mugs.pk: 1}, carrier="UPS", notify=False)

    page = manager_client.get(f"/orders/{order.order_id}/").content.decode()

    assert "Ship part…" in page
    assert re.search(rf'name="line_{mugs.pk}"[^>]*value="2"', page)
    assert "#2 MUG: 1 of 3" in page  # the shipment's lines, numbered as on the page


def test_shipping_two_of_three_lines_from_the_page_then_the_third(manager_client, merchant):
    order = three_line_order(merchant)

    response = ship_part_post(manager_client, order, [1, 3, 0])

    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert "2 still to ship" in page_messages(response)
    assert order.events.filter(type=OrderEventType.SHIPPED_PART).count() == 1

    response = ship_part_post(manager_client, order, [0, 0, 2], tracking_1="1ZLAST")

    order.refresh_from_db()
    assert order.stage == Stage.COMPLETED
    assert "Completed" in page_messages(response)
    assert "Ship part…" not in response.content.decode()


def test_shipping_more_than_is_left_says_so_and_changes_nothing(manager_client, merchant):
    order = three_line_order(merchant)

    response = ship_part_post(manager_client, order, [1, 4, 0])

    assert "less than or equal to 3" in page_messages(response)
    assert not order.shipments.exists()
    response = ship_part_post(manager_client, order, [0, 0, 0])
    assert "Choose at least one line" in page_messages(response)
    assert not order.shipments.exists()


def test_a_line_of_another_order_is_refused(manager_client, merchant):
    order, other = three_line_order(merchant), place(merchant)

    response = manager_client.post(
        f"/orders/{order.order_id}/ship-part/",
        {"carrier": "UPS", f"line_{other.lines.get().pk}": "1", **one_time()},
        follow=True,
    )

    assert "Choose at least one line" in page_messages(response)
    assert not order.shipments.exists()
    assert not other.shipments.exists()


def test_a_shipping_clerk_ships_a_part_and_customer_service_may_not(client, merchant):
    order = three_line_order(merchant)
    login(client, member(merchant, Role.CUSTOMER_SERVICE))
    assert "Ship part…" not in client.get(f"/orders/{order.order_id}/").content.decode()
    assert ship_part_post(client, order, [1, 0, 0]).status_code == 403

    login(client, member(merchant, Role.SHIPPING_CLERK))
    assert "Ship part…" in client.get(f"/orders/{order.order_id}/").content.decode()
    ship_part_post(client, order, [1, 0, 0])
    assert order.shipments.count() == 1


def test_another_merchants_order_is_not_found(manager_client, other_merchant):
    foreign = three_line_order(other_merchant)

    response = ship_part_post(manager_client, foreign, [1, 0, 0])

    assert response.status_code == 404
    assert not foreign.shipments.exists()


def test_the_form_is_only_on_shipping_orders(manager_client, merchant):
    order = three_line_order(merchant)
    order_ship_part(
        order=order,
        lines={line.pk: line.quantity for line in order.lines.all()},
        carrier="UPS",
        notify=False,
    )
    assert Order.objects.get(pk=order.pk).stage == Stage.COMPLETED

    assert "Ship part…" not in manager_client.get(f"/orders/{order.order_id}/").content.decode()


def slip_rows(response) -> list[tuple[str, str]]:
    html = response.content.decode()
    return re.findall(
        r"<tr><td>(\d+)</td><td>[^<]*</td><td>([^<]*)</td><td class=\"num\">(\d+)</td></tr>", html
    )


def test_a_shipments_packing_slip_lists_only_its_lines(manager_client, merchant, other_merchant):
    order = three_line_order(merchant)
    kettle, mugs, _ = order.lines.all()
    first = order_ship_part(
        order=order, lines={kettle.pk: 1, mugs.pk: 2}, carrier="UPS", notify=False
    ).shipment

    response = manager_client.get(f"/orders/{order.order_id}/shipments/{first.pk}/packing-slip/")

    assert response.status_code == 200
    assert slip_rows(response) == [("1", "Kettle", "1"), ("2", "Mug", "2")]
    foreign = three_line_order(other_merchant)
    assert (
        manager_client.get(
            f"/orders/{foreign.order_id}/shipments/{first.pk}/packing-slip/"
        ).status_code
        == 404
    )


def test_the_shipping_lists_packing_slips_print_what_is_left_to_ship(manager_client, merchant):
    order, untouched = three_line_order(merchant), three_line_order(merchant)
    kettle, mugs, _ = order.lines.all()
    order_ship_part(order=order, lines={kettle.pk: 1, mugs.pk: 2}, carrier="UPS", notify=False)

    response = manager_client.post(
        "/stages/shipping/print/packing-slips/", {"order": [order.pk], "query": ""}
    )
    assert slip_rows(response) == [("2", "Mug", "1"), ("3", "Tea", "2")]

    response = manager_client.get(f"/orders/{untouched.order_id}/print/packing-slip/")
    assert slip_rows(response) == [("1", "Kettle", "1"), ("2", "Mug", "3"), ("3", "Tea", "2")]
