"""The order page: what it shows, which buttons, tenancy and its query count."""

from decimal import Decimal

import pytest
from django.utils import timezone

from orders.fsm import transitions_for_user
from orders.models import Order, Role, Tag
from orders.services.deletion import order_delete
from orders.services.notes import order_note_append
from orders.services.placement import LineDraft, OrderDraft, PaymentDraft, order_place
from orders.states import PaymentMethod
from tests.factories import DECLINE_CARD, member, place

from .conftest import ar_order, login, one_time

pytestmark = pytest.mark.django_db


def order_with(merchant, *, lines: int, notes: int) -> Order:
    draft = OrderDraft(
        email="bo@example.com",
        first_name="Bo",
        last_name="Chan",
        lines=[
            LineDraft(description=f"Part {n}", sku=f"P-{n}", unit_price=Decimal("2.50"))
            for n in range(lines)
        ],
        payment=PaymentDraft(method=PaymentMethod.CHECK),
        billing={"address1": "9 Elm Rd", "city": "Shelbyville", "country": "US"},
        shipping={"address1": "9 Elm Rd", "city": "Shelbyville", "country": "US"},
    )
    order = order_place(merchant=merchant, draft=draft)
    for n in range(notes):
        order_note_append(order=order, text=f"Called the customer ({n})")
    return order


def test_order_page_shows_lines_totals_events_and_fraud_reasons(manager_client, merchant):
    order = order_with(merchant, lines=2, notes=1)
    Order.objects.filter(pk=order.pk).update(
        fraud_score=35,
        fraud_reasons=[
            {"rule": "countries_differ", "points": 20, "reason": "Billing and shipping differ."},
            {"rule": "velocity", "points": 15, "reason": "4 orders from this email today."},
        ],
    )

    response = manager_client.get(f"/orders/{order.order_id}/")

    assert response.status_code == 200
    content = response.content.decode()
    assert order.order_id in content
    assert "Accounts Receivable" in content
    assert "fraud <strong>35/100</strong>" in content
    assert "Billing and shipping differ." in content
    assert "4 orders from this email today." in content
    assert "Part 0" in content
    assert "P-1" in content
    assert "bo@example.com" in content
    assert "9 Elm Rd" in content
    assert "Called the customer (0)" in content
    assert 'data-event-type="order_placed"' in content
    assert 'data-event-type="order_note_added"' in content
    assert "Placed via Back-end entry → Accounts Receivable" in content


def test_timeline_is_newest_first(manager_client, merchant):
    order = order_with(merchant, lines=1, notes=1)

    content = manager_client.get(f"/orders/{order.order_id}/").content.decode()

    assert content.index('data-event-type="order_note_added"') < content.index(
        'data-event-type="order_placed"'
    )


def test_custom_fields_show_labelled_and_filled_ones_only(manager_client, merchant):
    merchant.custom_fields = {"2": {"label": "Gift message", "values": []}}
    merchant.save()
    order = place(merchant, custom_fields={5: "Wholesale"})
    Tag.objects.create(merchant=merchant, name="vip").orders.add(order)

    content = manager_client.get(f"/orders/{order.order_id}/").content.decode()

    assert "<dt>Gift message</dt><dd>—</dd>" in content
    assert "<dt>Custom field 5</dt><dd>Wholesale</dd>" in content
    assert "Custom field 3" not in content
    assert "vip" in content


def test_order_page_query_count_does_not_grow_with_lines_and_events(
    manager_client, merchant, django_assert_max_num_queries
):
    small = order_with(merchant, lines=3, notes=3)
    large = order_with(merchant, lines=30, notes=30)
    manager_client.get(f"/orders/{small.order_id}/")  # warm the session and caches

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        manager_client.get(f"/orders/{small.order_id}/")
    with django_assert_max_num_queries(len(small_queries)):
        response = manager_client.get(f"/orders/{large.order_id}/")

    assert response.content.decode().count('data-event-type="order_note_added"') == 30


def test_manager_sees_process_payment_on_an_accounts_receivable_order(manager_client, merchant):
    order = ar_order(merchant)

    content = manager_client.get(f"/orders/{order.order_id}/").content.decode()

    assert f'action="/orders/{order.order_id}/transition/process_payment/"' in content
    assert ">Process payment</button>" in content
    assert f'action="/orders/{order.order_id}/transition/reject/"' in content
    assert 'name="expected_stage" value="accounts_receivable"' in content


def test_shipping_clerk_does_not_see_process_payment(client, merchant, clerk):
    order = ar_order(merchant)
    login(client, clerk)

    content = client.get(f"/orders/{order.order_id}/").content.decode()

    assert "process_payment" not in content
    assert "/transition/reject/" not in content
    assert "/transition/hold/" in content  # a clerk may hold


def test_buttons_are_exactly_the_users_transitions(manager_client, manager, merchant):
    order = place(merchant)  # shipping

    content = manager_client.get(f"/orders/{order.order_id}/").content.decode()

    import re

    names = set(re.findall(rf"/orders/{order.order_id}/transition/(\w+)/", content))
    assert {"hold", "mark_shipped", "refund_and_reject"} <= names
    assert names == {spec.name for spec in transitions_for_user(order, manager)}


def test_inputs_forms_are_inline_for_transitions_that_need_them(manager_client, merchant):
    merchant.reject_reason_codes = ["duplicate", "customer_request"]
    merchant.save()
    order = place(merchant, method=PaymentMethod.CHECK, card=None)

    content = manager_client.get(f"/orders/{order.order_id}/").content.decode()

    assert 'name="record_payment-reference"' in content
    assert 'name="hold-reason"' in content
    assert 'name="hold-until"' in content
    assert '<option value="duplicate">' in content


def test_member_of_another_merchant_gets_404(client, merchant, other_merchant):
    order = place(merchant)
    login(client, member(other_merchant, Role.OWNER))

    assert client.get(f"/orders/{order.order_id}/").status_code == 404


def test_a_deleted_order_s_page_says_when_by_whom_and_why_and_links_to_undelete(
    manager_client, merchant, manager
):
    order = place(merchant)
    order_delete(order=order, reason="Entered twice", by=manager)
    deleted_at = Order.objects.get(pk=order.pk).deleted_at

    response = manager_client.get(f"/orders/{order.order_id}/")

    assert response.status_code == 410
    page = response.content.decode()
    assert f"deleted on <strong>{timezone.localtime(deleted_at):%Y-%m-%d %H:%M}</strong>" in page
    assert f"by <strong>{manager.username}</strong>: “Entered twice”" in page
    undelete = f'href="/tools/undelete/?order_id={order.order_id}"'
    assert undelete in page
    listed = manager_client.get(f"/tools/undelete/?order_id={order.order_id}").content.decode()
    assert f'data-order="{order.order_id}"' in listed


def test_a_role_that_may_not_undelete_is_told_the_order_was_deleted_without_the_link(
    client, merchant, manager
):
    order = place(merchant)
    order_delete(order=order, reason="Entered twice", by=manager)
    login(client, member(merchant, Role.SHIPPING_CLERK))

    page = client.get(f"/orders/{order.order_id}/").content.decode()

    assert "This order was deleted" in page
    assert "/tools/undelete/" not in page


def test_another_merchant_s_deleted_order_is_a_plain_404(client, merchant, other_merchant, manager):
    order = place(merchant)
    order_delete(order=order, reason="Entered twice", by=manager)
    login(client, member(other_merchant, Role.OWNER))

    response = client.get(f"/orders/{order.order_id}/")

    assert response.status_code == 404
    assert "deleted" not in response.content.decode()
    assert "Entered twice" not in response.content.decode()


def test_declined_order_shows_its_payment_transaction(manager_client, merchant):
    order = place(merchant, card=DECLINE_CARD)

    content = manager_client.get(f"/orders/{order.order_id}/").content.decode()

    assert "Declined" in content
    assert 'data-event-type="order_payment"' in content


def test_add_note_appends_a_note_and_an_event(manager_client, merchant):
    order = place(merchant)

    response = manager_client.post(
        f"/orders/{order.order_id}/notes/", {"text": "Customer asked for gift wrap"}, follow=True
    )

    assert order.notes.get().text == "Customer asked for gift wrap"
    assert order.events.filter(type="order_note_added").count() == 1
    assert "note added" in response.content.decode()


def test_empty_note_is_refused_with_a_message(manager_client, merchant):
    order = place(merchant)

    response = manager_client.post(f"/orders/{order.order_id}/notes/", {"text": " "}, follow=True)

    assert not order.notes.exists()
    assert "The note is empty." in response.content.decode()


def test_note_form_is_absent_and_post_refused_without_edit_permission(client, merchant, clerk):
    order = place(merchant)
    login(client, clerk)

    assert "/notes/" not in client.get(f"/orders/{order.order_id}/").content.decode()
    response = client.post(f"/orders/{order.order_id}/notes/", {"text": "hi"})

    assert response.status_code == 403
    assert not order.notes.exists()


def test_an_offline_receivable_order_offers_recording_not_charging(manager_client, merchant):
    order = place(merchant, method=PaymentMethod.CHECK, card=None)

    content = manager_client.get(f"/orders/{order.order_id}/").content.decode()

    assert f'action="/orders/{order.order_id}/transition/record_payment/"' in content
    assert "/transition/process_payment/" not in content
    assert 'name="submit_echeck-bank_account"' in content


def test_submitting_an_echeck_from_the_order_page_debits_the_given_account(
    manager_client, merchant
):
    order = place(merchant, method=PaymentMethod.CHECK, card=None)

    manager_client.post(
        f"/orders/{order.order_id}/transition/submit_echeck/",
        {
            **one_time(),
            "expected_stage": "accounts_receivable",
            "submit_echeck-bank_account": "021000021 1234",
        },
    )

    order.refresh_from_db()
    assert order.stage == "pending_clearance"
    assert order.payment_method == PaymentMethod.ECHECK
    assert order.transactions.get().result == "pending"
