"""Browser: the owner adds a carrier under Settings → Carriers, marks an order shipped with it
from the order page, and the tracking number links to the carrier's tracking page."""

import pytest
from playwright.sync_api import expect

from orders.models import Order, Role
from orders.states import Stage
from tests.factories import member, place

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_owner_adds_a_carrier_and_its_tracking_numbers_link(page, sign_in, merchant):
    member(merchant, Role.OWNER, username="boss")
    order = place(merchant)  # charged now, in Shipping

    sign_in("boss", "pw")
    page.get_by_role("navigation", name="Order life cycle").get_by_role(
        "link", name="Carriers"
    ).click()
    page.wait_for_url("**/settings/carriers/")
    page.get_by_label("Name").fill("Fast Courier")
    page.get_by_label("Tracking page address").fill("https://fastcourier.example/t/{tracking}")
    page.get_by_role("button", name="Add carrier").click()
    expect(page.get_by_role("status").first).to_contain_text("Carrier Fast Courier added.")

    page.goto(f"/orders/{order.order_id}/")
    page.get_by_text("Mark shipped…").click()
    form = page.locator('form:has([name="mark_shipped-carrier"])')
    form.get_by_label("Carrier").fill("fast courier")
    form.get_by_label("Tracking number 1").fill("FC 123/45")
    form.get_by_role("button", name="Mark shipped").click()
    # The order was charged at placement: shipping captures nothing, so nothing is asked.

    link = page.get_by_role("link", name="FC 123/45")
    expect(link).to_have_attribute("href", "https://fastcourier.example/t/FC%20123%2F45")
    assert Order.objects.get(pk=order.pk).stage == Stage.COMPLETED
