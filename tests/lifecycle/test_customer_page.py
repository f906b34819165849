"""The customer page: one customer's whole history with the merchant, by email."""

from decimal import Decimal

import pytest

from orders.models import BlockListEntry, Order, Role
from orders.selectors.linked import order_linked_list
from orders.services.notes import order_note_append
from orders.services.refunds import order_refund
from tests.factories import member, place
from tests.orders.auto_orders import subscribe
from tests.orders.disputes import open_case, open_chargeback


def customer_url(email: str) -> str:
    return f"/customers/?email={email}"


def test_the_page_gathers_orders_money_and_everything_linked(manager_client, merchant, manager):
    first = place(merchant, email="ann@example.com", price=Decimal("40.00"))
    second = place(merchant, email="Ann@Example.com", price=Decimal("10.00"))
    place(merchant, email="bob@example.com")
    order_refund(order=first, by=manager, amount=Decimal("5.00"))
    subscribe(merchant, email="ann@example.com")
    case = open_case(second, manager, subject="Late parcel")
    chargeback = open_chargeback(first, case_number="CB-77")
    order_note_append(order=first, text="Prefers morning delivery", by=manager)
    BlockListEntry.objects.create(merchant=merchant, kind="email", value="ANN@example.com")

    page = manager_client.get(customer_url("ann@EXAMPLE.com")).content.decode()

    for order_id in (first.order_id, second.order_id):
        assert order_id in page
    assert "bob@example.com" not in page
    anns = Order.objects.filter(email__iexact="ann@example.com")
    assert anns.count() == 3, "two placed here and the auto order's first"
    paid = sum(order.total for order in anns if order.paid_at)
    assert f"{paid - Decimal('5.00'):,.2f}" in page, "lifetime value: paid less refunds"
    assert "Late parcel" in page
    assert case.get_status_display() in page
    assert "CB-77" in page
    assert chargeback.get_status_display() in page
    assert "AO-" in page
    assert "Prefers morning delivery" in page
    assert "Blocked email" in page
    first.refresh_from_db()
    assert f"ending {first.card_last4}" in page
    assert first.gateway_token not in page, "a saved card shows its brand and last four only"


def test_an_unknown_customer_or_another_merchants_is_not_found(
    manager_client, merchant, other_merchant
):
    place(other_merchant, email="zed@example.com")

    assert manager_client.get(customer_url("zed@example.com")).status_code == 404
    assert manager_client.get(customer_url("")).status_code == 404
    assert manager_client.get(customer_url("%00" * 3)).status_code in (400, 404)


def test_the_page_reads_in_the_same_number_of_queries_for_3_or_12_orders(
    manager_client, merchant, django_assert_max_num_queries
):
    for _ in range(3):
        place(merchant, email="few@example.com")
    for _ in range(12):
        place(merchant, email="many@example.com")

    with django_assert_max_num_queries(25) as few:
        manager_client.get(customer_url("few@example.com"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        manager_client.get(customer_url("many@example.com"))


def test_the_order_page_and_the_case_page_link_to_the_customer(manager_client, merchant, manager):
    order = place(merchant, email="ann@example.com")
    case = open_case(order, manager)
    link = 'href="/customers/?email=ann%40example.com"'

    assert link in manager_client.get(f"/orders/{order.order_id}/").content.decode()
    assert link in manager_client.get(f"/cases/{case.pk}/").content.decode()


def test_a_shipping_clerk_reads_the_customer_page_without_its_money(client, merchant):
    place(merchant, email="ann@example.com")
    client.force_login(member(merchant, Role.SHIPPING_CLERK))

    response = client.get(customer_url("ann@example.com"))

    assert response.status_code == 200
    assert "Lifetime value" not in response.content.decode()
    client.force_login(member(merchant, Role.BOOKKEEPER))
    assert "Lifetime value" in client.get(customer_url("ann@example.com")).content.decode()


@pytest.mark.usefixtures("needs_postgres")
def test_linked_orders_and_the_customer_are_found_by_index(merchant):
    """The linked orders are asked by the expression the (merchant, lower(email)) index keeps.
    (Which index the planner picks on a table of two rows is a tie, so the plan is read at
    scale by bench/search.py, not here.)"""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    order = place(merchant, email="Ann@Example.com")
    place(merchant, email="ann@example.com")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'order_email_lower_idx'")
        (definition,) = cursor.fetchone()

    with CaptureQueriesContext(connection) as queries:
        linked = order_linked_list(order=Order.objects.get(pk=order.pk))

    assert [item.matches[0] for item in linked] == ["email"]
    assert "(merchant_id, lower((email)::text))" in definition
    assert any('LOWER("orders_order"."email") = ' in query["sql"] for query in queries)
