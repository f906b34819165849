"""POSTing the order page's buttons: through order_transition, with messages."""

import datetime

import pytest
from django.utils import timezone

from orders.models import Order, OrderEvent, Role
from orders.states import PaymentMethod, Stage
from tests.factories import member, place

from .conftest import ar_order, login, one_time

pytestmark = pytest.mark.django_db


def transition_url(order: Order, name: str) -> str:
    return f"/orders/{order.order_id}/transition/{name}/"


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_manager_processes_payment_and_the_order_moves_to_shipping(manager_client, merchant):
    order = ar_order(merchant)

    response = manager_client.post(
        transition_url(order, "process_payment"),
        {**one_time(), "expected_stage": Stage.ACCOUNTS_RECEIVABLE},
        follow=True,
    )

    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    event = order.events.get(type="order_transitioned")
    assert event.payload["transition"] == "process_payment"
    assert event.actor.username == "demo-manager"
    assert response.redirect_chain[-1][0] == f"/orders/{order.order_id}/"
    assert messages_of(response) == [
        f"{order.order_id}: Process payment: Charged 25.00 to Visa ending 1111. Now in Shipping."
    ]
    content = response.content.decode()
    assert "Process payment: Accounts Receivable → Shipping" in content


def test_shipping_clerk_cannot_process_payment(client, merchant, clerk):
    order = ar_order(merchant)
    login(client, clerk)

    response = client.post(
        transition_url(order, "process_payment"),
        {**one_time(), "expected_stage": Stage.ACCOUNTS_RECEIVABLE},
    )

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert not order.events.filter(type="order_transitioned").exists()


def test_stale_expected_stage_says_the_order_changed_and_changes_nothing(manager_client, merchant):
    order = ar_order(merchant)
    events_before = order.events.count()

    response = manager_client.post(
        transition_url(order, "process_payment"),
        {**one_time(), "expected_stage": Stage.FRAUD_REVIEW},
        follow=True,
    )

    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert order.events.count() == events_before
    assert messages_of(response) == ["This order changed while you were looking at it."]


def test_transition_not_available_from_the_stage_is_refused_with_a_message(
    manager_client, merchant
):
    order = place(merchant)  # shipping

    response = manager_client.post(
        transition_url(order, "approve"),
        {**one_time(), "expected_stage": Stage.SHIPPING},
        follow=True,
    )

    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert "is not possible" in messages_of(response)[0]


def test_unknown_transition_name_is_404(manager_client, merchant):
    order = place(merchant)

    assert manager_client.post(transition_url(order, "save")).status_code == 404
    assert manager_client.post(transition_url(order, "teleport")).status_code == 404


def test_system_transition_is_refused_to_staff(manager_client, merchant):
    order = place(merchant, method=PaymentMethod.ECHECK, card=None)
    assert order.stage == Stage.PENDING_CLEARANCE

    response = manager_client.post(
        transition_url(order, "confirm_clearance"), {**one_time(), "expected_stage": order.stage}
    )

    assert response.status_code == 403
    order.refresh_from_db()
    assert order.stage == Stage.PENDING_CLEARANCE


def test_transition_url_refuses_get(manager_client, merchant):
    order = ar_order(merchant)

    assert manager_client.get(transition_url(order, "process_payment")).status_code == 405


def test_member_of_another_merchant_gets_404_on_the_transition_url(
    client, merchant, other_merchant
):
    order = ar_order(merchant)
    login(client, member(other_merchant, Role.OWNER))

    response = client.post(
        transition_url(order, "process_payment"), {**one_time(), "expected_stage": order.stage}
    )

    assert response.status_code == 404
    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE


def test_hold_with_reason_and_release_date(manager_client, merchant):
    order = place(merchant)
    release_on = timezone.localdate() + datetime.timedelta(days=7)

    response = manager_client.post(
        transition_url(order, "hold"),
        {
            **one_time(),
            "expected_stage": Stage.SHIPPING,
            "hold-reason": "Address check",
            "hold-until": release_on.isoformat(),
        },
        follow=True,
    )

    order.refresh_from_db()
    assert order.stage == Stage.HOLD
    assert order.hold_reason == "Address check"
    assert order.hold_until == release_on
    assert order.held_from_stage == Stage.SHIPPING
    assert messages_of(response) == [f"{order.order_id}: Hold done; now in Hold."]
    assert "Hold: Shipping → Hold — reason Address check" in response.content.decode()


def test_hold_without_reason_is_refused(manager_client, merchant):
    order = place(merchant)

    response = manager_client.post(
        transition_url(order, "hold"), {**one_time(), "expected_stage": Stage.SHIPPING}, follow=True
    )

    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert "Give a reason for the hold." in messages_of(response)[0]


def test_hold_with_a_past_release_date_is_refused_by_the_service(manager_client, merchant):
    order = place(merchant)

    response = manager_client.post(
        transition_url(order, "hold"),
        {
            **one_time(),
            "expected_stage": "shipping",
            "hold-reason": "x",
            "hold-until": "2001-01-01",
        },
        follow=True,
    )

    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert messages_of(response) == ["The release date must be in the future."]


def test_record_payment_requires_a_reference(manager_client, merchant):
    order = place(merchant, method=PaymentMethod.CHECK, card=None)

    response = manager_client.post(
        transition_url(order, "record_payment"),
        {**one_time(), "expected_stage": Stage.ACCOUNTS_RECEIVABLE, "record_payment-reference": ""},
        follow=True,
    )

    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert "A payment reference is required." in messages_of(response)[0]


def test_record_payment_with_a_reference_moves_to_shipping(manager_client, merchant):
    order = place(merchant, method=PaymentMethod.CHECK, card=None)

    manager_client.post(
        transition_url(order, "record_payment"),
        {
            **one_time(),
            "expected_stage": Stage.ACCOUNTS_RECEIVABLE,
            "record_payment-reference": "CHK 1042",
        },
    )

    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert order.payment_reference == "CHK 1042"


def test_reject_takes_a_reason_code_from_the_merchant(manager_client, merchant):
    order = ar_order(merchant)

    manager_client.post(
        transition_url(order, "reject"),
        {**one_time(), "expected_stage": Stage.ACCOUNTS_RECEIVABLE, "reject-reason": "not-a-code"},
    )
    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE

    manager_client.post(
        transition_url(order, "reject"),
        {**one_time(), "expected_stage": Stage.ACCOUNTS_RECEIVABLE, "reject-reason": "duplicate"},
    )
    order.refresh_from_db()
    assert order.stage == Stage.REJECTED
    assert order.reject_reason == "duplicate"


def test_mark_shipped_with_tracking_numbers_and_no_notification(
    manager_client, merchant, mailoutbox
):
    order = place(merchant)

    manager_client.post(
        transition_url(order, "mark_shipped"),
        {
            **one_time(),
            "expected_stage": Stage.SHIPPING,
            "mark_shipped-carrier": "UPS",
            "mark_shipped-tracking_1": "1Z001",
            "mark_shipped-tracking_3": "1Z003",
            "mark_shipped-do_not_notify": "on",
        },
    )

    order.refresh_from_db()
    assert order.stage == Stage.COMPLETED
    assert order.shipments.get().tracking_numbers == ["1Z001", "1Z003"]
    assert mailoutbox == []


def test_process_payment_that_is_declined_keeps_the_order_and_warns(manager_client, merchant):
    from tests.factories import DECLINE_CARD

    order = place(merchant, card=DECLINE_CARD)

    response = manager_client.post(
        transition_url(order, "process_payment"),
        {**one_time(), "expected_stage": Stage.ACCOUNTS_RECEIVABLE},
        follow=True,
    )

    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    [message] = list(response.context["messages"])
    assert message.level_tag == "warning"
    assert "stays in Accounts Receivable" in str(message)
    assert OrderEvent.objects.filter(order=order, type="order_transitioned").count() == 1


def test_transition_requires_csrf(merchant, manager):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, manager)
    order = ar_order(merchant)

    response = client.post(
        transition_url(order, "process_payment"), {**one_time(), "expected_stage": "x"}
    )

    assert response.status_code == 403
