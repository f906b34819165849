"""Editing a line of an order in Accounts Receivable: the preview shows the new total and the
balance before anything is saved, and the order page shows the new balance after."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order, Role
from orders.states import PaymentMethod, Stage
from tests.factories import MerchantFactory, member, place

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop():
    merchant = MerchantFactory(code="DEMO", name="Demo Store")
    user = member(merchant, Role.ORDER_MANAGER, username="e2e-manager")
    user.set_password("demo")
    user.save()
    return merchant


def test_edit_a_line_on_an_accounts_receivable_order_and_see_the_new_balance(page, sign_in, shop):
    order = place(shop, method=PaymentMethod.PURCHASE_ORDER, card=None, quantity=1)
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    sign_in("e2e-manager")
    page.goto(f"/orders/{order.order_id}/")
    expect(page.locator("[data-balance-owed]")).to_have_text("25.00")

    page.get_by_role("link", name="Edit lines").click()
    expect(page.get_by_role("heading", name=f"Edit lines of {order.order_id}")).to_be_visible()
    page.get_by_label("Quantity of Widget").fill("3")
    page.get_by_role("button", name="Preview").click()

    preview = page.locator("#edit-preview")
    expect(preview.locator('[data-after="total"]')).to_have_text("65.00")
    expect(preview.locator('[data-after="difference"]')).to_have_text("40.00")
    expect(preview.locator('[data-after="balance"]')).to_have_text("65.00")
    expect(preview.locator("[data-settlement]")).to_contain_text("balance owed becomes 65.00")
    assert Order.objects.get(pk=order.pk).total == Decimal("25.00"), "a preview saves nothing"

    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/orders/{order.order_id}/")
    expect(page.locator(".messages .message.success")).to_contain_text(
        f"{order.order_id}: lines edited; total 65.00. Balance owed 65.00."
    )
    expect(page.locator("[data-balance-owed]")).to_have_text("65.00")
    expect(page.locator('[data-event-type="order_edited"]')).to_contain_text(
        "Widget quantity 1 → 3"
    )
    order.refresh_from_db()
    assert (order.total, order.stage) == (Decimal("65.00"), Stage.ACCOUNTS_RECEIVABLE)
