"""Browser: the stage screens at a 1,280-pixel window. Each one's default columns fit without a
sideways scroll bar; a column choice on Hold applies at once and is still there after a
reload; the orders ticked on Shipping print as packing slips, one per page."""

import pytest
from playwright.sync_api import expect

from lifecycle.models import ColumnChoice
from orders.services.fields import order_tag_change
from orders.states import STAGE_SCREENS, Stage
from tests.factories import member, place
from tests.lifecycle.lists import set_fields
from tests.orders.builders import order_in_stage

pytestmark = pytest.mark.django_db(transaction=True)

WIDE = 1280
# What a busy merchant's rows hold: long names, emails, reasons and places.
LONG = {
    "first_name": "Maximiliana",
    "last_name": "Featherstonehaugh-Worthington",
    "email": "maximiliana.featherstonehaugh-worthington@example-wholesale.com",
    "shipping_city": "Llanfairpwllgwyngyll",
    "shipping_region": "Isle of Anglesey",
    "shipping_method": "Two-day express with signature",
    "hold_reason": "Customer asked us to wait until the new address is confirmed by phone",
}


def test_default_columns_of_every_stage_screen_fit_a_1280_pixel_window(page, sign_in, merchant):
    member(merchant, "manager", username="wide-manager")
    for stage in Stage.values:
        order = order_in_stage(merchant, stage)
        fields = {k: v for k, v in LONG.items() if k != "hold_reason" or stage == Stage.HOLD}
        set_fields(order, **fields)
        order_tag_change(order=order, name="wholesale-priority", add=True)
    page.set_viewport_size({"width": WIDE, "height": 900})

    sign_in("wide-manager", "pw")
    too_wide = []
    for screen in STAGE_SCREENS:
        page.goto(f"/stages/{screen.slug}/")
        expect(page.locator("#order-table tbody tr[data-order-id]").first).to_be_visible()
        widths = page.evaluate(
            """() => {
              const wrap = document.querySelector('#results .table-wrap');
              const table = document.getElementById('order-table');
              return [table.scrollWidth, wrap.clientWidth];
            }"""
        )
        if widths[0] > widths[1]:
            too_wide.append(f"{screen.slug}: table {widths[0]} px in a {widths[1]} px box")
    assert too_wide == []


def test_columns_chosen_on_hold_apply_at_once_and_stay_after_a_reload(page, sign_in, merchant):
    user = member(merchant, "manager", username="hold-manager")
    held = order_in_stage(merchant, Stage.HOLD)
    set_fields(held, company="Acme Wholesale")

    sign_in("hold-manager", "pw")
    page.goto("/stages/hold/")
    headers = page.locator("#order-table thead th")
    expect(headers.nth(2)).to_have_text("Hold reason")

    page.get_by_text("Columns ▾").click()
    page.get_by_label("Company", exact=True).check()  # saves and swaps the rows in at once
    expect(page.locator("#order-table")).to_contain_text("Acme Wholesale")
    page.get_by_label("Hold reason", exact=True).uncheck()
    expect(page.locator("#order-table thead")).not_to_contain_text("Hold reason")

    page.reload()
    expect(page.locator("#order-table")).to_contain_text("Acme Wholesale")
    expect(page.locator("#order-table thead")).not_to_contain_text("Hold reason")
    expect(page.locator("#order-table thead")).to_contain_text("Held since")
    saved = ColumnChoice.objects.get(user=user, screen="hold").columns
    assert "company" in saved
    assert "hold_reason" not in saved

    page.get_by_text("Columns ▾").click()
    page.get_by_role("button", name="Default columns").click()
    expect(headers.nth(2)).to_have_text("Hold reason")
    expect(page.locator("#order-table")).not_to_contain_text("Acme Wholesale")
    assert not ColumnChoice.objects.filter(user=user).exists()


def test_packing_slips_print_for_the_orders_ticked_on_shipping(page, sign_in, merchant):
    member(merchant, "manager", username="print-manager")
    first, second, left = (place(merchant, email=f"p{n}@example.com") for n in range(3))

    sign_in("print-manager", "pw")
    page.goto("/stages/shipping/")
    for order in (first, second):
        page.locator(f'tr[data-order-id="{order.order_id}"] input[name="order"]').check()
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Print packing slips").click()
    slips = opened.value
    slips.wait_for_load_state()

    pages = slips.locator("section.page.packing-slip")
    expect(pages).to_have_count(2)
    assert pages.evaluate_all("els => els.map(e => e.dataset.orderId)") == [
        second.order_id,
        first.order_id,
    ]
    assert slips.evaluate(
        "() => getComputedStyle(document.querySelector('section.page')).breakAfter"
    ) in ("page", "always")
    expect(slips.locator("body")).not_to_contain_text(left.order_id)
