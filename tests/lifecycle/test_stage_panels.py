"""Stage-specific panels of the order page, its print views and its query count."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from orders.models import Order, Role
from orders.services.transitions import order_transition
from orders.states import PaymentMethod, Stage
from tests.factories import CAPTURE_FAILS_CARD, ItemFactory, member, place
from tests.orders.builders import order_in_stage, walk

from .conftest import ar_order, login

pytestmark = pytest.mark.django_db


def page(client, order) -> str:
    response = client.get(f"/orders/{order.order_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_capture_failure_is_shown_prominently(manager_client, merchant):
    merchant.capture_at_shipment = True
    merchant.save()
    order = place(merchant, card=CAPTURE_FAILS_CARD)
    with pytest.raises(Exception, match="capture"):
        order_transition(order=order, name="mark_shipped", carrier="UPS")

    content = page(manager_client, order)

    assert 'class="message error capture-failed" role="alert"' in content
    assert "Capture failed." in content


def test_receivable_card_order_shows_its_retry_schedule(manager_client, merchant):
    merchant.ar_retry_days = [2, 5]
    merchant.save()
    order = ar_order(merchant)

    content = page(manager_client, order)

    next_try = timezone.localdate(order.placed_at) + datetime.timedelta(days=2)
    assert '<strong data-retry="done">0 of 2</strong>' in content
    assert f'<strong data-retry="next">{next_try:%Y-%m-%d}</strong>' in content


def test_pending_clearance_shows_provider_and_expected_date(manager_client, merchant):
    order = place(merchant, method=PaymentMethod.ECHECK, card=None)

    content = page(manager_client, order)

    expected = order.stage_entered_at + datetime.timedelta(days=5)
    assert "Pending clearance" in content
    assert "(E-check)" in content
    assert f"expected to clear by <strong>{expected:%Y-%m-%d}</strong>" in content


def test_fraud_review_lists_linked_orders_of_this_merchant_only(
    manager_client, merchant, other_merchant
):
    from orders.services.placement import order_place
    from tests.orders.builders import risky_draft

    earlier = place(merchant, email="risky@mailinator.com")
    same_card = place(merchant, email="someone@example.com")
    elsewhere = place(other_merchant, email="risky@mailinator.com")
    order = order_place(merchant=merchant, draft=risky_draft())
    assert order.stage == Stage.FRAUD_REVIEW

    content = page(manager_client, order)

    assert "Linked orders" in content
    assert earlier.order_id in content
    assert same_card.order_id in content  # same test card, same fingerprint
    assert elsewhere.order_id not in content
    assert "email, card, shipping address" in content


def test_hold_and_rejected_orders_show_who_why_and_when(manager_client, merchant, manager):
    held = order_in_stage(merchant, Stage.SHIPPING)
    until = timezone.localdate() + datetime.timedelta(days=3)
    held = walk(held, "hold", reason="Address check", until=until)
    rejected = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)
    order_transition(order=rejected, name="reject", by=manager, reason="duplicate")

    held_page = page(manager_client, held)
    rejected_page = page(manager_client, rejected)

    assert "Held from Shipping since" in held_page
    assert f"release on {until:%Y-%m-%d}" in held_page
    assert "Rejected (duplicate) by demo-manager on" in rejected_page


def test_pre_order_page_shows_the_item_and_its_expected_date(manager_client, merchant):
    item = ItemFactory(
        merchant=merchant, sku="LAMP-2", pre_order=True, expected_date=datetime.date(2031, 3, 1)
    )
    order = place(merchant, item=item)

    content = page(manager_client, order)

    assert "LAMP-2" in content
    assert "expected 2031-03-01" in content


def test_order_page_query_count_does_not_grow_with_lines_events_or_links(
    manager_client, merchant, django_assert_max_num_queries
):
    from orders.services.notes import order_note_append

    small = place(merchant, email="q1@example.com")
    with django_assert_max_num_queries(40) as small_queries:
        page(manager_client, small)
    big = place(merchant, email="q2@example.com", quantity=3)
    for n in range(8):
        order_note_append(order=big, text=f"note {n}")
        place(merchant, email="q2@example.com")
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        page(manager_client, big)


def test_print_views_of_an_order(manager_client, merchant):
    order = place(merchant, price=Decimal("12.50"))

    invoice = manager_client.get(f"/orders/{order.order_id}/print/invoice/").content.decode()
    printed = manager_client.get(f"/orders/{order.order_id}/print/order/").content.decode()
    slip = manager_client.get(f"/orders/{order.order_id}/print/packing-slip/").content.decode()

    assert f"Invoice {order.order_id}" in invoice
    assert "12.50" in invoice
    assert f"Order {order.order_id}" in printed
    assert f"Packing slip · {order.order_id}" in slip
    assert "12.50" not in slip  # no prices on a packing slip
    assert manager_client.get(f"/orders/{order.order_id}/print/receipt/").status_code == 404


def test_packing_slips_for_selected_orders_one_per_page(manager_client, merchant, other_merchant):
    first, second = place(merchant), place(merchant)
    foreign = place(other_merchant)
    ids = f"{first.order_id},{second.order_id},{foreign.order_id}"

    content = manager_client.get(f"/orders/print/packing-slips/?ids={ids}").content.decode()

    assert content.count('class="page packing-slip"') == 2
    assert 'href="/static/css/print.css"' in content
    assert "page-break-after: always" in Path(finders.find("css/print.css")).read_text()
    assert f"Not found: {foreign.order_id}" in content


def test_print_of_another_merchants_order_is_404(client, merchant, other_merchant):
    order = place(merchant)
    login(client, member(other_merchant, Role.OWNER))

    assert client.get(f"/orders/{order.order_id}/print/invoice/").status_code == 404


def test_previous_and_next_follow_the_list_the_user_came_from(manager_client, merchant):
    older, middle, newer = (place(merchant) for _ in range(3))
    order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)  # not in the Shipping list

    response = manager_client.get(
        f"/orders/{middle.order_id}/", HTTP_REFERER="http://testserver/stages/shipping/"
    )

    context = response.context
    assert context["neighbours"].previous == newer.order_id
    assert context["neighbours"].next == older.order_id
    assert f'href="/orders/{newer.order_id}/?from=%2Fstages%2Fshipping%2F"' in (
        response.content.decode()
    )
    first = manager_client.get(f"/orders/{newer.order_id}/?from=/stages/shipping/")
    assert first.context["neighbours"].previous is None
    assert first.context["neighbours"].next == middle.order_id


def test_a_from_parameter_outside_the_lists_is_ignored(manager_client, merchant):
    order = place(merchant)

    response = manager_client.get(f"/orders/{order.order_id}/?from=https://evil.example/")

    assert response.context["neighbours"] is None
    assert Order.objects.count() == 1


def test_invoices_for_selected_receivable_orders_one_per_page(manager_client, merchant):
    first = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)
    second = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)

    content = manager_client.get(
        f"/orders/print/invoices/?ids={first.order_id}&ids={second.order_id}"
    ).content.decode()

    assert content.count('class="page invoice"') == 2
    assert "amount due" in content
