"""Return one line and refund it: staff open a return of one line on a completed order,
authorize it, record it received and refund it, and see the order's refunded amount."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order, Return, Role
from orders.payments import CardDetails
from orders.services.placement import LineDraft, OrderDraft, PaymentDraft, order_place
from orders.states import PaymentMethod
from tests.e2e.conftest import confirm_step
from tests.factories import APPROVE_CARD, MerchantFactory, member
from tests.orders.builders import walk

pytestmark = pytest.mark.django_db(transaction=True)
ADDRESS = {"address1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}


@pytest.fixture
def shop():
    merchant = MerchantFactory(code="DEMO", name="Demo Store")
    user = member(merchant, Role.ORDER_MANAGER, username="e2e-manager")
    user.set_password("demo")
    user.save()
    return merchant


def completed_order(merchant) -> Order:
    """A mug at 12.00 and a tee at 20.00, 5.00 shipping, charged and shipped: 37.00."""
    draft = OrderDraft(
        email="ann@example.com",
        first_name="Ann",
        last_name="Lee",
        lines=[
            LineDraft(sku="MUG", description="Mug", unit_price=Decimal("12.00")),
            LineDraft(sku="TEE", description="Tee", unit_price=Decimal("20.00")),
        ],
        payment=PaymentDraft(
            method=PaymentMethod.CREDIT_CARD, card=CardDetails(APPROVE_CARD, 12, 2030, cvv="123")
        ),
        billing=ADDRESS,
        shipping=ADDRESS,
        shipping_total=Decimal("5.00"),
    )
    return walk(order_place(merchant=merchant, draft=draft), "mark_shipped", carrier="UPS")


def test_return_one_line_and_refund_it(page, sign_in, shop):
    order = completed_order(shop)
    assert order.total == Decimal("37.00")
    sign_in("e2e-manager")
    page.goto(f"/orders/{order.order_id}/")

    # Open a return of the tee alone, from the order page.
    page.locator('[data-form="return-open"] summary').click()
    opening = page.locator('[data-form="return-open"] form')
    opening.get_by_label("TEE (at most 1)").fill("1")
    opening.get_by_label("Reason").select_option("defective")
    opening.get_by_label("Details").fill("Seam split")
    opening.get_by_role("button", name="Open return").click()
    request = Return.objects.get()
    expect(page.locator(".messages .message.success")).to_contain_text(
        f"Return request {request.pk} opened."
    )
    page.get_by_role("link", name=f"Return request {request.pk}").click()

    # Authorize: it gets its RMA number.
    page.get_by_role("button", name="Authorize return").click()
    rma = f"RMA-{order.order_id}-1"
    expect(page.locator(".messages .message.success")).to_contain_text(f"{rma} authorized")
    expect(page.locator("h1")).to_contain_text(rma)

    # Received, opened.
    receiving = page.locator('form[data-form="return-receive"]')
    receiving.get_by_label("TEE (at most 1)").fill("1")
    receiving.get_by_label("Condition").select_option("opened")
    receiving.get_by_role("button", name="Record received").click()
    expect(page.locator(".messages .message.success")).to_contain_text(f"{rma} received (opened)")

    # Refund it with a 10% restocking fee: 20.00 − 2.00 = 18.00, asked before it is paid.
    refunding = page.locator('form[data-form="return-refund"]')
    refunding.get_by_label("or restocking fee (% of the goods)").fill("10")
    refunding.get_by_role("button", name="Refund return…").click()
    assert Order.objects.get(pk=order.pk).refunded_total == Decimal("0.00")
    confirm_step(page, "Refund 18.00")
    expect(page.locator(".messages .message.success")).to_contain_text(f"{rma}: Refunded 18.00")
    expect(page.locator("h1 .badge")).to_have_text("Refunded")

    # The order shows what was refunded, and the return's status.
    page.get_by_role("link", name=order.order_id).first.click()
    expect(
        page.locator("dt", has_text="Refunded").locator("xpath=following-sibling::dd[1]")
    ).to_have_text("18.00")
    expect(page.locator('[data-return] [data-status="refunded"]')).to_have_text("Refunded")
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.refunded_total == Decimal("18.00")
    assert [line.refunded_quantity for line in fresh.lines.all()] == [0, 1]
