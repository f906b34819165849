"""A day with money in the browser: a declined charge reads as a warning with its reason, the
order is paid with another card, and a refund asks before it returns money."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order, Role
from orders.services.placement import CardMode
from orders.states import Stage
from tests.e2e.conftest import confirm_step
from tests.factories import DECLINE_CARD, MerchantFactory, member, place

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop():
    merchant = MerchantFactory(code="DEMO", name="Demo Store")
    user = member(merchant, Role.ORDER_MANAGER, username="e2e-manager")
    user.set_password("demo")
    user.save()
    return merchant


def test_a_decline_warns_another_card_pays_and_a_refund_asks_first(page, sign_in, shop):
    order = place(shop, card=DECLINE_CARD, card_mode=CardMode.NO_CHARGE)
    sign_in("e2e-manager")
    page.goto(f"/orders/{order.order_id}/")

    # Process payment asks first, then says plainly that the card was declined.
    page.get_by_role("button", name="Process payment", exact=True).click()
    confirm_step(page, "Process payment: charge 25.00 to ann@example.com's Visa ending 0002")
    warning = page.locator(".messages .message.warning")
    expect(warning).to_contain_text("Card declined: the charge of 25.00 to Visa ending 0002")
    expect(warning).to_contain_text("No money moved. It stays in Accounts Receivable.")
    expect(page.locator(".messages .message.success")).to_have_count(0)
    expect(page.locator("[data-payment-outcome]")).to_contain_text("Card declined")

    # Another card, typed once and kept as the customer's card on file.
    page.locator("summary", has_text="Charge another card").click()
    form = page.locator(f'form[action="/orders/{order.order_id}/transition/charge_other_card/"]')
    form.get_by_label("Card number").fill("5555 5555 5555 4444")
    form.get_by_label("Expiry (MM/YY)").fill("11/30")
    form.get_by_label("CVV").fill("123")
    form.get_by_label("Save it as the customer's card on file").check()
    form.get_by_role("button", name="Charge another card").click()
    confirm_step(page, f"Charge 25.00 to the card just entered for {order.order_id}?")
    expect(page.locator(".messages .message.success")).to_contain_text(
        "Charged 25.00 to Mastercard ending 4444. Now in Shipping."
    )
    expect(page.locator(".badge.stage")).to_have_text("Shipping")

    # A refund names the amount and the card, and returns nothing until confirmed.
    page.get_by_text("Refund…").click()
    refund = page.locator('[data-form="refund"] form')
    refund.get_by_label("Widget (at most 1)").fill("1")
    refund.get_by_label("Do not notify the customer").check()
    refund.get_by_role("button", name="Refund").click()
    expect(page.locator("[data-confirm-question]")).to_have_text(
        f"Refund 20.00 to ann@example.com's Mastercard ending 4444 for {order.order_id}?"
    )
    assert Order.objects.get(pk=order.pk).refunded_total == Decimal("0.00")
    confirm_step(page, "Refund 20.00")
    expect(page.locator(".messages .message.success")).to_contain_text(
        f"{order.order_id}: Refunded 20.00 to Mastercard ending 4444."
    )
    order.refresh_from_db()
    assert (order.stage, order.refunded_total) == (Stage.SHIPPING, Decimal("20.00"))
