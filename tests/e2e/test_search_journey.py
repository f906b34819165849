"""Browser: type part of a customer's email in the top bar's find box and land on the list
with that order (and only it)."""

import pytest
from playwright.sync_api import expect

from tests.factories import member, place

pytestmark = pytest.mark.django_db(transaction=True)


def test_partial_email_in_the_find_box_lands_on_the_list_with_the_order(page, sign_in, merchant):
    member(merchant, "manager", username="finder")
    wanted = place(merchant, email="daniel.nguyen349@gmail.com")
    place(merchant, email="someone.else@example.com")

    sign_in("finder", "pw")
    page.goto("/")
    page.get_by_label("Find order by ID or email").fill("nguyen349")
    page.keyboard.press("Enter")

    page.wait_for_url("**/orders/?q=nguyen349")
    rows = page.locator("#order-table tbody tr[data-order-id]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-order-id", wanted.order_id)


def test_whole_email_in_the_find_box_reaches_the_customer_page(page, sign_in, merchant):
    member(merchant, "manager", username="finder")
    wanted = place(merchant, email="daniel.nguyen349@gmail.com")
    place(merchant, email="someone.else@example.com")

    sign_in("finder", "pw")
    page.goto("/")
    page.get_by_label("Find order by ID or email").fill("Daniel.Nguyen349@gmail.com")
    page.keyboard.press("Enter")

    page.wait_for_url("**/orders/?q=*")
    rows = page.locator("#order-table tbody tr[data-order-id]")
    expect(rows).to_have_count(1)
    page.get_by_role("link", name="Customer page").click()

    page.wait_for_url("**/customers/?email=*")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text(wanted.order_id)
    page.go_back()
    page.locator("#order-table").get_by_role("link", name="daniel.nguyen349@gmail.com").click()
    page.wait_for_url("**/customers/?email=daniel.nguyen349%40gmail.com")
