"""Browser journeys on the order page: ship with tracking, refund a line, reject as fraud."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from orders.models import Order, Role
from orders.services.placement import order_place
from orders.states import PaymentMethod, Stage
from tests.e2e.conftest import confirm_step
from tests.factories import MerchantFactory, member, place
from tests.orders.builders import risky_draft, walk

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop():
    merchant = MerchantFactory(code="DEMO", name="Demo Store")
    user = member(merchant, Role.ORDER_MANAGER, username="e2e-manager")
    user.set_password("demo")
    user.save()
    return merchant


def test_manager_marks_an_order_shipped_with_two_tracking_numbers(page, sign_in, shop):
    order = place(shop)
    sign_in("e2e-manager")

    page.goto(f"/orders/{order.order_id}/")
    page.get_by_text("Mark shipped…").click()
    form = page.locator(f'form[action="/orders/{order.order_id}/transition/mark_shipped/"]')
    form.get_by_label("Carrier").fill("UPS")
    form.get_by_label("Tracking number 1").fill("1Z999AA10123456784")
    form.get_by_label("Tracking number 2").fill("1Z999AA10123456785")
    form.get_by_label("Do not notify the customer").check()
    form.get_by_role("button", name="Mark shipped").click()

    expect(
        page.get_by_text(f"{order.order_id}: Mark shipped done; now in Completed")
    ).to_be_visible()
    expect(page.locator(".badge.stage")).to_have_text("Completed Orders")
    expect(page.locator("#shipments-heading + ul")).to_contain_text(
        "1Z999AA10123456784, 1Z999AA10123456785"
    )
    shipment = Order.objects.get(pk=order.pk).shipments.get()
    assert shipment.tracking_numbers == ["1Z999AA10123456784", "1Z999AA10123456785"]


def test_manager_refunds_one_line_of_a_completed_order_partially(page, sign_in, shop):
    order = walk(place(shop, quantity=3, price=Decimal("10.00")), "mark_shipped", carrier="UPS")
    sign_in("e2e-manager")

    page.goto(f"/orders/{order.order_id}/")
    page.get_by_text("Refund…").click()
    form = page.locator('[data-form="refund"] form')
    form.get_by_label("Widget (at most 3)").fill("1")
    form.get_by_label("Do not notify the customer").check()
    form.get_by_role("button", name="Refund").click()
    confirm_step(page, f"Refund 10.00 to ann@example.com's Visa ending 1111 for {order.order_id}?")

    expect(
        page.get_by_text(f"{order.order_id}: Refunded 10.00 to Visa ending 1111.")
    ).to_be_visible()
    expect(page.locator(".timeline li").first).to_contain_text("Refunded 10.00")
    order.refresh_from_db()
    assert order.refunded_total == Decimal("10.00")
    assert order.lines.get().refunded_quantity == 1
    assert order.stage == Stage.COMPLETED


def test_reject_as_fraud_with_block_list_flags_the_next_order_from_that_email(page, sign_in, shop):
    suspect = order_place(merchant=shop, draft=risky_draft(address1="9 Elm Rd"))
    assert suspect.stage == Stage.FRAUD_REVIEW
    sign_in("e2e-manager")

    page.goto(f"/orders/{suspect.order_id}/")
    page.get_by_text("Reject as fraud…").click()
    form = page.locator(f'form[action="/orders/{suspect.order_id}/transition/reject_as_fraud/"]')
    form.get_by_label("Also block the email").check()
    form.get_by_role("button", name="Reject as fraud").click()
    confirm_step(page, f"Reject as fraud {suspect.order_id}: refund {suspect.total:,.2f} to")
    expect(page.locator(".badge.stage")).to_have_text("Rejected")

    following = place(shop, method=PaymentMethod.CHECK, card=None, email="risky@mailinator.com")
    page.goto(f"/orders/{following.order_id}/")

    reasons = page.locator(".fraud .reasons")
    expect(reasons).to_contain_text("The email risky@mailinator.com is blocked.")
    expect(page.locator("[data-panel=linked]")).to_contain_text(suspect.order_id)
