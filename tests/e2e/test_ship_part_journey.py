"""Browser journey: ship two of an order's three lines, then the third."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Merchant, Order, PaymentTransaction, Role
from orders.services.placement import LineDraft
from orders.states import PaymentStatus, Stage
from tests.e2e.accessibility import axe_violations
from tests.factories import MerchantFactory, member, place

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop():
    merchant = MerchantFactory(
        code="DEMO",
        name="Demo Store",
        capture_at_shipment=True,
        shipment_capture=Merchant.ShipmentCapture.EACH_SHIPMENT,
    )
    user = member(merchant, Role.SHIPPING_CLERK, username="e2e-clerk")
    user.set_password("demo")
    user.save()
    return merchant


def captured(order) -> list[Decimal]:
    return list(
        order.transactions.filter(kind=PaymentTransaction.Kind.CAPTURE, result="approved")
        .order_by("id")
        .values_list("amount", flat=True)
    )


def test_clerk_ships_two_of_three_lines_then_the_third(page, sign_in, shop):
    order = place(
        shop,
        lines=[
            LineDraft(description="Kettle", sku="KET", quantity=1, unit_price=Decimal("30.00")),
            LineDraft(description="Mug", sku="MUG", quantity=3, unit_price=Decimal("10.00")),
            LineDraft(description="Tea", sku="TEA", quantity=2, unit_price=Decimal("5.00")),
        ],
    )
    sign_in("e2e-clerk")

    page.goto(f"/orders/{order.order_id}/")
    page.get_by_text("Ship part…").click()
    form = page.locator('[data-form="ship-part"] form')
    expect(form.get_by_label("#2 MUG (left to ship: 3)")).to_have_value("3")
    form.get_by_label("#3 TEA (left to ship: 2)").fill("0")
    form.get_by_label("Carrier").fill("UPS")
    form.get_by_label("Tracking number 1").fill("1ZFIRST")
    form.get_by_label("Do not notify the customer").check()
    form.get_by_role("button", name="Record the shipment").click()

    expect(page.get_by_text(f"{order.order_id}: shipment recorded")).to_be_visible()
    expect(page.locator(".badge.stage")).to_have_text("Shipping")
    shipments = page.locator("#shipments-heading + ul")
    expect(shipments).to_contain_text("1ZFIRST")
    expect(shipments).to_contain_text("#1 KET: 1 of 1")
    expect(shipments).to_contain_text("#2 MUG: 3 of 3")
    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert captured(order) == [Decimal("64.29")]

    page.reload()  # without the flashed message, whose list markup is the base layout's own
    page.get_by_text("Ship part…").click()
    form = page.locator('[data-form="ship-part"] form')
    expect(form.get_by_label("#3 TEA (left to ship: 2)")).to_have_value("2")
    assert axe_violations(page) == []  # the open form and the shipments' lines
    form.get_by_label("Carrier").fill("USPS")
    form.get_by_label("Tracking number 1").fill("94SECOND")
    form.get_by_label("Do not notify the customer").check()
    form.get_by_role("button", name="Record the shipment").click()

    expect(
        page.get_by_text(f"{order.order_id}: Mark shipped done; now in Completed Orders.")
    ).to_be_visible()
    expect(page.locator(".badge.stage")).to_have_text("Completed Orders")
    expect(page.locator("#shipments-heading + ul")).to_contain_text("#3 TEA: 2 of 2")
    expect(page.get_by_text("Ship part…")).to_have_count(0)
    order = Order.objects.get(pk=order.pk)
    assert order.stage == Stage.COMPLETED
    assert order.payment_status == PaymentStatus.PROCESSED
    assert captured(order) == [Decimal("64.29"), Decimal("10.71")]
    assert sum(captured(order)) == order.total
