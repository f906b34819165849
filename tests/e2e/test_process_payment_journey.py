import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from orders.models import Merchant, Order
from orders.payments.test_gateway import DECLINE, INSUFFICIENT_FUNDS, PROCESSING_ERROR
from orders.states import PaymentMethod, Stage
from tests.e2e.conftest import confirm_step

pytestmark = pytest.mark.django_db(transaction=True)

# Runs after the page's own submit handler (added later), in a later turn than its own.
SENT_BUTTON_STATE_NOTE = """() => document.addEventListener("submit", (event) => {
  const button = event.submitter;
  setTimeout(() => sessionStorage.setItem("sent-button-disabled", String(button.disabled)), 0);
})"""


def _chargeable_receivable_order(merchant: Merchant) -> Order:
    failing = (DECLINE, INSUFFICIENT_FUNDS, PROCESSING_ERROR)
    candidates = Order.objects.filter(
        merchant=merchant,
        stage=Stage.ACCOUNTS_RECEIVABLE,
        deleted_at__isnull=True,
        payment_method=PaymentMethod.CREDIT_CARD,
    ).exclude(gateway_token="")
    return next(o for o in candidates if not o.gateway_token.endswith(failing))


def test_manager_processes_a_receivable_payment_and_finds_the_order_in_shipping(page, sign_in):
    call_command("seed_demo", "--orders", "40", "--seed", "7", verbosity=0)
    merchant = Merchant.objects.get(code="DEMO")
    order = _chargeable_receivable_order(merchant)
    receivable = Order.objects.live().filter(merchant=merchant, stage=Stage.ACCOUNTS_RECEIVABLE)
    shipping_before = Order.objects.live().filter(merchant=merchant, stage=Stage.SHIPPING).count()

    sign_in("demo-manager")

    # The home tiles show the live counts.
    expect(page.locator('[data-count="accounts-receivable"]')).to_have_text(str(receivable.count()))
    expect(page.locator('[data-count="shipping"]')).to_have_text(str(shipping_before))

    page.locator('[data-screen="accounts-receivable"] a').click()
    page.get_by_role("link", name=order.order_id, exact=True).click()
    expect(page.locator(".badge.stage")).to_have_text("Accounts Receivable")

    # While its form is being sent the button is disabled, so that it cannot send it again.
    # The page notes the button's state just after the submit (Playwright's own reads wait
    # for the navigation to end), and the note is read back on the page that answers.
    page.evaluate(SENT_BUTTON_STATE_NOTE)
    page.get_by_role("button", name="Process payment", exact=True).click()
    confirm_step(page, f"Process payment: charge {order.total:,.2f} to")

    expect(
        page.get_by_text(f"{order.order_id}: Process payment: Charged {order.total:,.2f} to")
    ).to_be_visible()
    expect(page.locator(".badge.stage")).to_have_text("Shipping")
    assert page.evaluate("sessionStorage.getItem('sent-button-disabled')") == "true"
    transitioned = page.locator('.timeline li[data-event-type="order_transitioned"]').first
    expect(transitioned).to_contain_text("Process payment: Accounts Receivable → Shipping")
    # By the person who clicked (the receipt's "sent" event, when a worker sends it at once,
    # may come after it in the timeline).
    expect(transitioned).to_contain_text("demo-manager")

    page.goto("/")
    expect(page.locator('[data-count="shipping"]')).to_have_text(str(shipping_before + 1))
    page.locator('[data-screen="shipping"] a').click()
    expect(page.get_by_role("link", name=order.order_id, exact=True)).to_be_visible()
    assert re.search(r"/stages/shipping/", page.url)
