import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from backoffice.celery import app as celery_app
from orders.models import Order
from orders.states import PaymentMethod, Stage
from tests.factories import (
    APPROVE_CARD,
    DECLINE_CARD,
    ItemFactory,
    MerchantFactory,
    member,
    place,
)

pytestmark = pytest.mark.django_db(transaction=True)


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focus is on `selector`: the keyboard is the only way around."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def replace(page, text: str) -> None:
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


@pytest.mark.parametrize(
    ("card", "stage", "returning"),
    [(APPROVE_CARD, "Shipping", True), (DECLINE_CARD, "Accounts Receivable", False)],
)
def test_keyboard_only_phone_order_with_edited_price_and_shipping(
    page, sign_in, card, stage, returning
):
    merchant = MerchantFactory(code="DEMO")
    manager = member(merchant, "manager")
    ItemFactory(merchant=merchant, sku="MUG", price=Decimal("20.00"))
    if returning:
        earlier = place(merchant, email="phone@example.com")  # Ann Lee, 1 Main St, Springfield
    sign_in(manager.username, "pw")
    page.goto("/orders/new/")
    expect(page.locator("#customer-search")).to_be_focused()

    if returning:
        page.keyboard.type("Lee")
        expect(page.locator(".customer-pick")).to_have_count(1)
        page.keyboard.press("Enter")  # to the first match
        page.keyboard.press("Enter")  # pick it: the customer's fields are filled
        expect(page.locator("[name=email]")).to_have_value("phone@example.com")
        expect(page.locator("[name=billing_city]")).to_have_value("Springfield")
        # The picked customer's saved card, and only theirs, is fetched for the card list.
        cards = page.locator("#id_saved_card option")
        expect(cards).to_have_count(1)
        expect(cards).to_have_attribute("value", earlier.order_id)
    else:
        tab_to(page, "[name=email]")
        page.keyboard.type("phone@example.com")
        page.keyboard.press("Tab")
        page.keyboard.type("Pat")
        page.keyboard.press("Tab")
        page.keyboard.type("Caller")
        tab_to(page, "[name=billing_address1]")
        page.keyboard.type("9 Elm St")
        tab_to(page, "[name=billing_city]")
        page.keyboard.type("Springfield")
        tab_to(page, "[name=billing_postal_code]")
        page.keyboard.type("12345")

    tab_to(page, "[name='lines-0-sku']")
    page.keyboard.type("MUG")
    page.keyboard.press("Tab")  # leaving the SKU fills description and catalogue price
    tab_to(page, "[name='lines-0-quantity']")
    replace(page, "2")
    page.keyboard.press("Tab")
    expect(page.locator("[name='lines-0-unit_price']")).to_have_value("20.00")
    replace(page, "18.50")
    page.keyboard.press("Enter")  # Enter adds a line and moves to its SKU
    expect(page.locator("[name='lines-1-sku']")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.type("Gift wrap")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("3.25")

    tab_to(page, "[name=shipping_total]")
    replace(page, "9.99")
    page.keyboard.press("Tab")
    # 2 × 18.50 + 3.25 + 9.99, by the server
    expect(page.locator("#line-total-0")).to_have_text("37.00")
    expect(page.locator("[data-total=total]")).to_have_text("50.24")

    tab_to(page, "[name=card_number]")
    page.keyboard.type(card)
    page.keyboard.press("Tab")
    page.keyboard.type("12/30")
    page.keyboard.press("Tab")
    page.keyboard.type("123")
    page.keyboard.press("Control+Enter")

    expect(page.locator(".badge.stage")).to_have_text(stage)
    order = Order.objects.filter(email="phone@example.com").order_by("-pk").first()
    assert order.total == Decimal("50.24")
    assert [(line.quantity, line.unit_price) for line in order.lines.all()] == [
        (2, Decimal("18.50")),
        (1, Decimal("3.25")),
    ]
    assert order.shipping_total == Decimal("9.99")


@pytest.fixture
def eager_celery():
    # The live server runs in this process: eager tasks send the quote email into the locmem
    # outbox that the test reads (with a Redis broker and no worker it would wait in the queue).
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_customer_accepts_a_sent_quote_by_card_and_it_lands_in_shipping(
    page, browser, live_server, sign_in, mailoutbox, eager_celery
):
    merchant = MerchantFactory(code="DEMO")
    manager = member(merchant, "manager")
    quote = place(merchant, method=PaymentMethod.QUOTE_REQUEST, card=None, email="q@example.com")
    sign_in(manager.username, "pw")

    page.goto(f"/orders/{quote.order_id}/")
    page.get_by_role("link", name="Edit quote").click()
    # htmx binds the live totals once the page has loaded; typing before that (a loaded
    # machine parses the form well before it runs the deferred scripts) would go unnoticed.
    page.wait_for_url("**/quote/")
    page.wait_for_load_state("load")
    page.locator("[name='lines-0-unit_price']").fill("75.00")
    page.locator("[name=shipping_total]").fill("10.00")
    expect(page.locator("[data-total=total]")).to_have_text("85.00")
    page.get_by_role("button", name="Save and send quote").click()
    expect(page.locator(".badge.stage")).to_have_text("Quote Sent")

    (email,) = mailoutbox
    path = re.search(r"https?://[^/\s]+(/q/\S+/)", email.body).group(1)
    customer = browser.new_context(base_url=live_server.url).new_page()
    customer.goto(path)
    expect(customer.locator("[data-total=total]")).to_contain_text("85.00")
    customer.get_by_label("Card number").fill(APPROVE_CARD)
    customer.get_by_label("Expiry (MM/YY)").fill("12/30")
    customer.get_by_label("CVV").fill("123")
    customer.get_by_role("button", name="Accept quote").click()
    expect(customer.get_by_role("status")).to_contain_text("Quote accepted and paid")
    customer.context.close()

    quote.refresh_from_db()
    assert quote.stage == Stage.SHIPPING
    assert quote.total == Decimal("85.00")
    page.goto("/stages/shipping/")
    expect(page.get_by_role("link", name=quote.order_id, exact=True)).to_be_visible()
