"""A case from the order page to the customer's reply through the emailed link, and back.

The reply email is sent by a Celery task after commit; the `eager_tasks` fixture runs tasks
in-process for this test (the live server runs in this process, so the test outbox sees the
email), which keeps the journey independent of a running worker.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from orders.models import Case
from tests.factories import member, place

pytestmark = pytest.mark.django_db(transaction=True)


def test_case_reply_round_trip_through_the_customer_link(
    browser, page, sign_in, live_server, settings, mailoutbox, eager_tasks, merchant
):
    settings.SITE_URL = live_server.url
    manager = member(merchant, "manager")
    get_user_model().objects.filter(pk=manager.pk).update(email="manager@example.com")
    order = place(merchant, email="ann@example.com")

    sign_in(manager.username, "pw")
    page.goto(f"/orders/{order.order_id}/")
    page.get_by_text("Open case…").click()
    page.get_by_label("Subject").fill("Parcel delayed")
    page.get_by_role("button", name="Open case", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Parcel delayed")

    page.get_by_label("Message").fill("Your parcel leaves the warehouse tomorrow.")
    page.get_by_role("button", name="Send reply to customer").click()
    expect(page.locator("#case-status")).to_have_text("Waiting for customer")
    page.get_by_label("Message").fill("Internal: expedite at our cost")
    page.get_by_role("button", name="Add internal note").click()
    expect(page.locator('.case-message[data-kind="internal"]')).to_be_visible()

    email = next(m for m in mailoutbox if m.to == ["ann@example.com"])
    link = re.search(r"http://\S+/c/\S+/", email.body).group(0)

    customer = browser.new_context()
    customer_page = customer.new_page()
    customer_page.goto(link)
    expect(customer_page.get_by_text("Your parcel leaves the warehouse tomorrow.")).to_be_visible()
    expect(customer_page.get_by_text("expedite at our cost")).to_have_count(0)
    customer_page.get_by_label("Message").fill("Thanks, I will wait for it.")
    customer_page.get_by_role("button", name="Send reply").click()
    expect(customer_page.get_by_text("your reply was sent")).to_be_visible()
    customer.close()

    assert mailoutbox[-1].to == ["manager@example.com"]
    page.goto("/")
    expect(page.locator('[data-count="cases-unread"]')).to_have_text("1 unread")
    page.get_by_role("link", name=re.compile("Case Management")).click()
    # Seeing the case clears its "unread": the page posts it once shown (the GET writes nothing).
    with page.expect_response(lambda response: response.url.endswith("/read/")) as answered:
        page.get_by_role("link", name=f"#{Case.objects.get().pk}").click()
    assert answered.value.status == 204
    expect(page.locator("#case-status")).to_have_text("Reply received")
    expect(page.get_by_text("Thanks, I will wait for it.")).to_be_visible()
    page.goto("/")
    expect(page.locator('[data-count="cases-unread"]')).to_have_text("0 unread")
