from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import Order
from tests.e2e.conftest import confirm_step
from tests.factories import MerchantFactory, member
from tests.orders.auto_orders import subscribe

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_pauses_resumes_and_rebills_an_auto_order_then_finds_the_order(page, sign_in):
    merchant = MerchantFactory(code="DEMO", name="Demo Store")
    member(merchant, "manager", username="demo-manager")
    today = timezone.localdate()
    auto_order = subscribe(merchant, schedule="weekly", on=today - timedelta(days=3))
    until = today + timedelta(days=20)

    sign_in("demo-manager", "pw")
    page.goto("/auto-orders/")
    page.get_by_role("link", name=auto_order.code, exact=True).click()
    expect(page.locator("[data-status]")).to_have_text("Active")

    page.locator("summary", has_text="Pause until").click()
    page.get_by_label("Pause until").fill(until.isoformat())
    page.get_by_role("button", name="Pause until", exact=True).click()
    expect(page.get_by_text(f"{auto_order.code}: paused until {until:%Y-%m-%d}.")).to_be_visible()

    page.get_by_role("link", name="Future").click()
    first_date = page.locator("[data-future] tbody tr").first.locator("td").first
    expect(first_date).to_have_text((today + timedelta(days=25)).isoformat())
    expect(page.locator("[data-future] tbody tr")).to_have_count(10)

    page.get_by_role("button", name="Resume").click()
    expect(page.get_by_text(f"{auto_order.code}: resumed")).to_be_visible()
    expect(page.locator("[data-status]")).to_have_text("Active")

    page.get_by_role("button", name="Rebill now").click()
    confirm_step(page, f"Rebill {auto_order.code} now: place its next order and charge")
    expect(page.get_by_text(f"{auto_order.code}: rebilled as")).to_be_visible()
    rebill = Order.objects.get(source="rebill")
    expect(page.get_by_text(f"rebilled as {rebill.order_id}. Charged")).to_be_visible()
    expect(page.get_by_role("link", name=rebill.order_id, exact=True)).to_be_visible()
    assert "tab=history" in page.url

    page.goto("/stages/shipping/")
    page.get_by_role("link", name=rebill.order_id, exact=True).click()
    expect(page.locator(".badge.stage")).to_have_text("Shipping")
    expect(page.get_by_role("link", name=auto_order.code)).to_be_visible()
