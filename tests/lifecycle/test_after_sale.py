"""Completed orders on the order page: refunds, replacement shipments and email resends."""

from decimal import Decimal

import pytest
from django.core import mail

from orders.models import Order, Role
from orders.services.notifications import order_email_send
from orders.states import OrderSource, PaymentStatus, Stage
from tests.factories import member
from tests.orders.builders import order_in_stage

from .conftest import login, one_time

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def completed_order(merchant, quantity: int = 3) -> Order:
    from tests.factories import place
    from tests.orders.builders import walk

    order = place(merchant, quantity=quantity, price=Decimal("10.00"))
    return walk(order, "mark_shipped", carrier="UPS", notify=False)


def test_partial_refund_of_one_line_quantity(
    manager_client, merchant, django_capture_on_commit_callbacks
):
    order = completed_order(merchant)
    line = order.lines.get()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = manager_client.post(
            f"/orders/{order.order_id}/refund/", {**one_time(), f"line_{line.pk}": "1"}, follow=True
        )

    order.refresh_from_db()
    line.refresh_from_db()
    assert order.refunded_total == Decimal("10.00")
    assert order.payment_status == PaymentStatus.PARTIALLY_REFUNDED
    assert line.refunded_quantity == 1
    event = order.events.get(type="order_refunded")
    assert event.payload["lines"] == {str(line.pk): 1}
    assert event.actor.username == "demo-manager"
    assert len(callbacks) == 1  # the refund notice
    assert messages_of(response) == [f"{order.order_id}: Refunded 10.00 to Visa ending 1111."]


def test_full_external_refund_without_notification(
    manager_client, merchant, django_capture_on_commit_callbacks
):
    order = completed_order(merchant)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        manager_client.post(
            f"/orders/{order.order_id}/refund/",
            {
                **one_time(),
                "full": "on",
                "external": "on",
                "do_not_notify": "on",
                "reason": "other",
            },
        )

    order.refresh_from_db()
    assert order.refunded_total == order.total
    assert order.payment_status == PaymentStatus.REFUNDED
    assert order.transactions.filter(kind="external_refund").exists()
    assert order.events.get(type="order_refunded").payload["external"] is True
    assert callbacks == []


def test_refund_beyond_what_is_left_is_refused_and_changes_nothing(manager_client, merchant):
    order = completed_order(merchant)

    response = manager_client.post(
        f"/orders/{order.order_id}/refund/", {**one_time(), "amount": "999.00"}, follow=True
    )

    order.refresh_from_db()
    assert order.refunded_total == 0
    assert not order.events.filter(type="order_refunded").exists()
    assert "left to refund" in messages_of(response)[0]


def test_shipping_clerk_may_not_refund(client, merchant):
    order = completed_order(merchant)
    login(client, member(merchant, Role.SHIPPING_CLERK))

    response = client.post(f"/orders/{order.order_id}/refund/", {**one_time(), "full": "on"})

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.refunded_total == 0


def test_unpaid_order_cannot_be_refunded(manager_client, merchant):
    order = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)

    response = manager_client.post(
        f"/orders/{order.order_id}/refund/", {**one_time(), "full": "on"}, follow=True
    )

    order.refresh_from_db()
    assert order.refunded_total == 0
    assert "no payment to refund" in messages_of(response)[0]


def test_refund_of_another_merchants_order_is_404(client, merchant, other_merchant):
    order = completed_order(merchant)
    login(client, member(other_merchant, Role.OWNER))

    assert (
        client.post(f"/orders/{order.order_id}/refund/", {**one_time(), "full": "on"}).status_code
        == 404
    )


def test_free_replacement_creates_a_new_order_noted_on_both(manager_client, merchant):
    order = completed_order(merchant)
    line = order.lines.get()

    response = manager_client.post(
        f"/orders/{order.order_id}/replacement/",
        {f"line_{line.pk}": "2", "free": "on", "reason": "Arrived broken"},
        follow=True,
    )

    replacement = Order.objects.get(original_order=order)
    assert replacement.source == OrderSource.REPLACEMENT
    assert replacement.stage == Stage.SHIPPING
    assert replacement.payment_status == PaymentStatus.SKIPPED
    assert replacement.total == Decimal("0.00")
    assert replacement.lines.get().quantity == 2
    assert order.notes.get().text == (
        f"Replacement order {replacement.order_id} created, free: Arrived broken"
    )
    assert replacement.notes.get().text.startswith(f"Replacement for order {order.order_id}")
    event = order.events.get(type="order_replacement_created")
    assert event.payload["replacement_order_id"] == replacement.order_id
    assert messages_of(response) == [
        f"{order.order_id}: replacement order {replacement.order_id} created."
    ]


def test_paid_replacement_goes_to_accounts_receivable_with_the_card_on_file(
    manager_client, merchant
):
    order = completed_order(merchant)
    line = order.lines.get()

    manager_client.post(f"/orders/{order.order_id}/replacement/", {f"line_{line.pk}": "1"})

    replacement = Order.objects.get(original_order=order)
    assert replacement.stage == Stage.ACCOUNTS_RECEIVABLE
    assert replacement.total == Decimal("10.00")
    assert replacement.gateway_token == order.gateway_token


def test_customer_service_may_not_send_a_free_replacement(client, merchant):
    order = completed_order(merchant)
    line = order.lines.get()
    login(client, member(merchant, Role.CUSTOMER_SERVICE))

    response = client.post(
        f"/orders/{order.order_id}/replacement/", {f"line_{line.pk}": "1", "free": "on"}
    )

    assert response.status_code == 403
    assert not Order.objects.filter(original_order=order).exists()


def test_replacement_of_an_unshipped_receivable_order_is_refused(manager_client, merchant):
    order = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)
    line = order.lines.get()

    response = manager_client.post(
        f"/orders/{order.order_id}/replacement/", {f"line_{line.pk}": "1"}, follow=True
    )

    assert not Order.objects.filter(original_order=order).exists()
    assert "Only shipped or shipping orders" in messages_of(response)[0]


def test_resend_shipment_confirmation_queues_the_email_and_records_it(
    manager_client, merchant, django_capture_on_commit_callbacks, eager_tasks
):
    order = completed_order(merchant)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = manager_client.post(
            f"/orders/{order.order_id}/email/shipment_confirmation/", follow=True
        )

    assert len(callbacks) == 1
    # "Queued" is recorded once the task is queued, after the commit.
    assert not order.events.filter(type="order_email_queued").exists()
    callbacks[0]()
    assert order.events.get(type="order_email_queued").payload["template"] == (
        "shipment_confirmation"
    )
    assert messages_of(response) == [
        f"{order.order_id}: the shipment confirmation email will be sent again."
    ]
    # What the task did: send text with an HTML alternative, and record it.
    sent = mail.outbox[-1]
    assert sent.to == ["ann@example.com"]
    assert "UPS" in sent.body
    assert sent.alternatives[0][1] == "text/html"
    assert order.events.filter(type="order_email_sent").exists()


def test_resend_shipment_confirmation_of_an_unshipped_order_is_refused(manager_client, merchant):
    order = order_in_stage(merchant, Stage.SHIPPING)

    response = manager_client.post(
        f"/orders/{order.order_id}/email/shipment_confirmation/", follow=True
    )

    assert not order.events.filter(type="order_email_queued").exists()
    assert "has not shipped" in messages_of(response)[0]


def test_resend_receipt_is_refused_to_a_shipping_clerk(client, merchant):
    order = completed_order(merchant)
    login(client, member(merchant, Role.SHIPPING_CLERK))

    assert client.post(f"/orders/{order.order_id}/email/receipt/").status_code == 403
    assert not order.events.filter(type="order_email_queued").exists()


def test_unknown_email_template_is_404(manager_client, merchant):
    order = completed_order(merchant)

    assert manager_client.post(f"/orders/{order.order_id}/email/spam/").status_code == 404


def test_recording_a_payment_sends_the_receipt_unless_skipped(
    manager_client, merchant, django_capture_on_commit_callbacks
):
    from orders.states import PaymentMethod
    from tests.factories import place

    sent = place(merchant, method=PaymentMethod.CHECK, card=None)
    skipped = place(merchant, method=PaymentMethod.CHECK, card=None)
    url = "/orders/{}/transition/record_payment/"

    with django_capture_on_commit_callbacks(execute=False) as with_receipt:
        manager_client.post(
            url.format(sent.order_id),
            {**one_time(), "record_payment-reference": "CHK 1001", "expected_stage": sent.stage},
        )
    with django_capture_on_commit_callbacks(execute=False) as without_receipt:
        manager_client.post(
            url.format(skipped.order_id),
            {
                **one_time(),
                "record_payment-reference": "CHK 1002",
                "record_payment-do_not_notify": "on",
                "expected_stage": skipped.stage,
            },
        )

    assert len(with_receipt) == 1
    assert without_receipt == []
    skipped.refresh_from_db()
    assert skipped.stage == Stage.SHIPPING
    event = skipped.events.get(type="order_transitioned")
    assert event.payload["notify"] is False


def test_resend_receipt_of_a_receivable_order_shows_the_amount_due(
    manager_client, merchant, django_capture_on_commit_callbacks
):
    order = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        manager_client.post(f"/orders/{order.order_id}/email/receipt/")
    order_email_send(order_pk=order.pk, template="receipt")

    assert len(callbacks) == 1
    assert f"Amount due: {order.total} USD" in mail.outbox[-1].body
