"""Actions that move money or cannot be undone ask first, naming the amount and the number of
orders: the unconfirmed post changes nothing and shows the question; the confirmed post acts.

Which transitions ask is their own fact (TransitionSpec.needs_confirmation); the question is
orders.selectors.confirmations'."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import AutoOrder, Order
from orders.states import PaymentStatus, Stage
from tests.factories import place
from tests.orders.auto_orders import subscribe
from tests.orders.builders import order_in_stage
from tools.models import Job

from .conftest import ar_order, login, one_time

pytestmark = pytest.mark.django_db


def asked(response) -> str:
    """The question of a confirmation step (fails when the response is not one)."""
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-confirm-step" in page
    assert 'name="confirmed" value="1"' in page
    return page


def test_bulk_process_payment_asks_with_count_and_total_then_starts_the_job(
    manager_client, merchant
):
    orders = [ar_order(merchant, email=f"c{n}@example.com") for n in range(2)]
    data = {"operation": "process_payment", "order": [o.pk for o in orders], "query": "q=c"}

    page = asked(manager_client.post("/stages/accounts-receivable/bulk/", data))

    assert not Job.objects.exists()
    assert "Process payment on 2 orders totalling 50.00?" in page
    assert page.count('name="order"') == 2  # the selection travels to the confirmed post
    response = manager_client.post("/stages/accounts-receivable/bulk/", {**data, "confirmed": "1"})
    job = Job.objects.get()
    assert response["Location"] == f"/tools/jobs/{job.pk}/"


def test_a_bulk_action_that_moves_no_money_starts_at_once(manager_client, merchant):
    order = place(merchant)
    manager_client.post(
        "/stages/shipping/bulk/",
        {"operation": "hold", "hold-reason": "Stock", "order": [order.pk]},
    )
    assert Job.objects.count() == 1


def test_bulk_delete_and_cancel_auto_orders_ask_first(manager_client, merchant):
    order = place(merchant)
    subscribe(merchant, schedule="weekly", on=timezone.localdate())

    deleting = asked(
        manager_client.post(
            "/orders/bulk/",
            {"operation": "delete", "delete-reason": "duplicate", "order": [order.pk]},
        )
    )
    cancelling = asked(
        manager_client.post(
            "/orders/bulk/",
            {
                "operation": "cancel_auto_orders",
                "cancel_auto_orders-reason": "moved",
                "order": [order.pk],
            },
        )
    )

    assert not Job.objects.exists()
    assert "Delete (restorable with Undelete) on 1 order totalling 25.00?" in deleting
    assert "Cancel the auto orders created by these orders on 1 order totalling" in cancelling


def test_process_payment_on_the_order_page_asks_naming_the_amount_and_card(
    manager_client, merchant
):
    order = ar_order(merchant)
    url = f"/orders/{order.order_id}/transition/process_payment/"
    token = one_time(confirmed=False)
    data = {**token, "expected_stage": Stage.ACCOUNTS_RECEIVABLE}

    page = asked(manager_client.post(url, data))

    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert not order.transactions.exists()
    assert (
        f"Process payment: charge 25.00 to ann@example.com&#x27;s Visa ending 1111 for "
        f"{order.order_id}?"
    ) in page
    assert f'value="{token["form_token"]}"' in page
    manager_client.post(url, {**data, "confirmed": "1"})
    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING


def test_a_transition_that_moves_no_money_runs_at_once(manager_client, merchant):
    order = place(merchant)
    manager_client.post(
        f"/orders/{order.order_id}/transition/hold/",
        {
            **one_time(confirmed=False),
            "hold-reason": "Address",
            "expected_stage": Stage.SHIPPING,
        },
    )
    order.refresh_from_db()
    assert order.stage == Stage.HOLD


def test_a_refund_asks_naming_amount_and_card_then_refunds(manager_client, merchant):
    order = place(merchant)
    url = f"/orders/{order.order_id}/refund/"
    data = {**one_time(confirmed=False), "amount": "10.00", "do_not_notify": "on"}

    page = asked(manager_client.post(url, data))

    order.refresh_from_db()
    assert order.refunded_total == Decimal("0.00")
    assert (
        f"Refund 10.00 to ann@example.com&#x27;s Visa ending 1111 for {order.order_id}?"
    ) in page
    manager_client.post(url, {**data, "confirmed": "1"})
    order.refresh_from_db()
    assert order.refunded_total == Decimal("10.00")


def test_refund_and_reject_asks_naming_the_refund(manager_client, merchant):
    order = place(merchant)
    url = f"/orders/{order.order_id}/transition/refund_and_reject/"
    data = {
        **one_time(confirmed=False),
        "refund_and_reject-reason": (merchant.reject_reason_codes or [""])[0],
        "expected_stage": Stage.SHIPPING,
    }

    page = asked(manager_client.post(url, data))

    order.refresh_from_db()
    assert (order.stage, order.refunded_total) == (Stage.SHIPPING, Decimal("0.00"))
    assert (
        f"Refund in full and reject {order.order_id}: refund 25.00 to "
        "ann@example.com&#x27;s Visa ending 1111?"
    ) in page
    manager_client.post(url, {**data, "confirmed": "1"})
    order.refresh_from_db()
    assert (order.stage, order.payment_status) == (Stage.REJECTED, PaymentStatus.REFUNDED)


def test_reject_as_fraud_no_longer_refunds_silently(manager_client, merchant):
    order = order_in_stage(merchant, Stage.FRAUD_REVIEW)
    assert order.payment_status == PaymentStatus.PROCESSED
    url = f"/orders/{order.order_id}/transition/reject_as_fraud/"
    data = {**one_time(confirmed=False), "expected_stage": Stage.FRAUD_REVIEW}

    page = asked(manager_client.post(url, data))

    order.refresh_from_db()
    assert order.stage == Stage.FRAUD_REVIEW
    assert f"Reject as fraud {order.order_id}: refund {order.total:,.2f} to" in page
    response = manager_client.post(url, {**data, "confirmed": "1"}, follow=True)
    order.refresh_from_db()
    assert (order.stage, order.payment_status) == (Stage.REJECTED, PaymentStatus.REFUNDED)
    [message] = [str(m) for m in response.context["messages"]]
    assert f"Refunded {order.total:,.2f} to Visa ending" in message


def test_rebill_now_asks_naming_the_amount_then_bills(client, merchant, manager):
    auto_order = subscribe(merchant, schedule="weekly", on=timezone.localdate() - timedelta(days=2))
    login(client, manager)
    url = f"/auto-orders/{auto_order.code}/rebill-now/"
    data = one_time(confirmed=False)

    page = asked(client.post(url, data))

    assert not Order.objects.filter(source="rebill").exists()
    assert f"Rebill {auto_order.code} now: place its next order and charge 25.00 to" in page
    client.post(url, {**data, "confirmed": "1"})
    assert Order.objects.filter(source="rebill").count() == 1


def test_cancelling_an_auto_order_asks_first(client, merchant, manager):
    auto_order = subscribe(merchant, schedule="weekly", on=timezone.localdate())
    login(client, manager)
    url = f"/auto-orders/{auto_order.code}/cancel/"

    page = asked(client.post(url, {"reason": "moved away"}))

    auto_order.refresh_from_db()
    assert auto_order.status == AutoOrder.Status.ACTIVE
    assert f"Cancel {auto_order.code} for {auto_order.email}? Its rebills of 25.00 stop" in page
    client.post(url, {"reason": "moved away", "confirmed": "1"})
    auto_order.refresh_from_db()
    assert auto_order.status == AutoOrder.Status.CANCELLED_BY_MERCHANT


def test_cancel_on_the_confirmation_step_goes_back_and_changes_nothing(manager_client, merchant):
    order = place(merchant)
    page = asked(
        manager_client.post(f"/orders/{order.order_id}/delete/", {"delete-reason": "Duplicate"})
    )
    assert f'href="/orders/{order.order_id}/"' in page
    order.refresh_from_db()
    assert order.deleted_at is None


def test_a_transition_not_possible_now_is_refused_at_once_without_a_question(
    manager_client, merchant
):
    order = place(merchant)  # in Shipping: there is no payment to process

    response = manager_client.post(
        f"/orders/{order.order_id}/transition/process_payment/",
        {**one_time(confirmed=False), "expected_stage": Stage.SHIPPING},
        follow=True,
    )

    assert "data-confirm-step" not in response.content.decode()
    [message] = [str(m) for m in response.context["messages"]]
    assert "is not possible" in message


def test_submitting_an_e_check_asks_about_a_bank_debit(manager_client, merchant):
    order = ar_order(merchant)

    page = asked(
        manager_client.post(
            f"/orders/{order.order_id}/transition/submit_echeck/",
            {
                **one_time(confirmed=False),
                "submit_echeck-bank_account": "021000021-1234",
                "expected_stage": Stage.ACCOUNTS_RECEIVABLE,
            },
        )
    )

    assert f"Submit e-check: debit 25.00 from a bank account for {order.order_id}?" in page
    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
