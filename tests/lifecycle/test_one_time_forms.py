"""Money forms carry a one-time token: the same submission twice moves money once and answers
the first result again, even when both posts arrive at the same instant (PostgreSQL)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from orders.models import (
    Chargeback,
    FormSubmission,
    GatewayLedgerEntry,
    Order,
    OrderEvent,
    PaymentTransaction,
    Shipment,
)
from orders.states import PaymentMethod, Stage
from tests.factories import CAPTURE_FAILS_CARD, DECLINE_CARD, member, place
from tests.orders.auto_orders import subscribe
from tests.orders.builders import approved_charges, walk
from tests.orders.disputes import open_chargeback
from tests.orders.test_concurrency import run_threads

from .conftest import ar_order, one_time

MESSAGE = re.compile(r'<p class="message ([a-z ]+)" role="\w+">(.*?)</p>')
TOKEN = re.compile(r'name="form_token" value="([0-9a-f]+)"')


def answer(response) -> tuple[str, list[tuple[str, str]]]:
    """Where a followed post ended and the messages it showed there."""
    return response.request["PATH_INFO"], MESSAGE.findall(response.content.decode())


def refunds(order: Order) -> tuple[int, int]:
    return (
        GatewayLedgerEntry.objects.filter(operation="refund").count(),
        order.events.filter(type="order_refunded").count(),
    )


def transitions(order: Order) -> int:
    return order.events.filter(type="order_transitioned").count()


def completed(merchant) -> Order:
    order = place(merchant, quantity=3, price=Decimal("10.00"))
    return walk(order, "mark_shipped", carrier="UPS", notify=False)


@pytest.fixture
def manager_clients(merchant):
    """Two signed-in browsers of one manager, each with its own session and messages."""
    manager = member(merchant, "manager")
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(manager)
    return clients


# ---- the same instant ---------------------------------------------------------------------


def post_together(clients, url: str, data: dict) -> list:
    responses: list = [None, None]

    def submit(index: int) -> None:
        responses[index] = clients[index].post(url, data, follow=True)

    assert run_threads(2, submit) == []
    return responses


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("needs_postgres")
def test_two_identical_refund_posts_at_once_refund_once(merchant, manager_clients):
    order = completed(merchant)
    line = order.lines.get()
    data = {**one_time(), f"line_{line.pk}": "1", "do_not_notify": "on"}

    first, second = post_together(manager_clients, f"/orders/{order.order_id}/refund/", data)

    order.refresh_from_db()
    assert refunds(order) == (1, 1)
    assert order.refunded_total == Decimal("10.00")
    assert answer(first) == answer(second)
    assert answer(first)[1] == [
        ("success", f"{order.order_id}: Refunded 10.00 to Visa ending 1111.")
    ]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("needs_postgres")
def test_two_identical_process_payment_posts_at_once_charge_once(merchant, manager_clients):
    order = ar_order(merchant)
    data = {**one_time(), "expected_stage": Stage.ACCOUNTS_RECEIVABLE}

    first, second = post_together(
        manager_clients, f"/orders/{order.order_id}/transition/process_payment/", data
    )

    assert approved_charges() == 1
    assert transitions(order) == 1
    assert Order.objects.get(pk=order.pk).stage == Stage.SHIPPING
    assert answer(first) == answer(second)
    assert answer(first)[1] == [
        (
            "success",
            f"{order.order_id}: Process payment: Charged 25.00 to Visa ending 1111. "
            "Now in Shipping.",
        )
    ]


# ---- one after the other ------------------------------------------------------------------


def _refund(merchant):
    order = completed(merchant)
    line = order.lines.get()
    return f"/orders/{order.order_id}/refund/", {f"line_{line.pk}": "2"}, lambda: refunds(order)


def _process_payment(merchant):
    order = ar_order(merchant)
    url = f"/orders/{order.order_id}/transition/process_payment/"
    return url, {"expected_stage": order.stage}, lambda: (approved_charges(), transitions(order))


def _process_payment_declined(merchant):
    order = ar_order(merchant, card=DECLINE_CARD)
    url = f"/orders/{order.order_id}/transition/process_payment/"
    tries = GatewayLedgerEntry.objects.filter(operation="charge")
    return url, {"expected_stage": order.stage}, lambda: (tries.count(), transitions(order))


def _record_payment(merchant):
    order = place(merchant, method=PaymentMethod.CHECK, card=None)
    recorded = PaymentTransaction.objects.filter(order=order, kind="recorded")
    url = f"/orders/{order.order_id}/transition/record_payment/"
    data = {"expected_stage": order.stage, "record_payment-reference": "CHK 7"}
    return url, data, lambda: (recorded.count(), transitions(order))


def _capture(merchant, card=None):
    merchant.capture_at_shipment = True
    merchant.save()
    order = place(merchant, **({"card": card} if card else {}))
    captures = GatewayLedgerEntry.objects.filter(operation="capture")
    url = f"/orders/{order.order_id}/transition/mark_shipped/"
    data = {"expected_stage": order.stage, "mark_shipped-carrier": "UPS"}
    return url, data, lambda: (captures.count(), Shipment.objects.count(), transitions(order))


def _capture_that_fails(merchant):
    return _capture(merchant, card=CAPTURE_FAILS_CARD)


def _rebill_now(merchant):
    auto_order = subscribe(merchant, schedule="weekly", on=timezone.localdate() - timedelta(2))
    rebills = Order.objects.filter(source="rebill")
    return f"/auto-orders/{auto_order.code}/rebill-now/", {}, lambda: rebills.count()


def _chargeback_open(merchant):
    order = place(merchant)
    data = {
        "chargeback-case_number": "BANK-1",
        "chargeback-reason_code": "13.1",
        "chargeback-amount": "20.00",
        "chargeback-respond_by": "2030-01-31",
    }
    return f"/orders/{order.order_id}/chargebacks/new/", data, Chargeback.objects.count


def _chargeback_accept(merchant):
    chargeback = open_chargeback(place(merchant))
    changes = OrderEvent.objects.filter(type="order_chargeback_changed")
    return f"/chargebacks/{chargeback.pk}/transition/accept/", {}, changes.count


MONEY_FORMS = {
    "refund": _refund,
    "process payment": _process_payment,
    "process payment, declined": _process_payment_declined,
    "record payment": _record_payment,
    "capture": _capture,
    "capture that fails": _capture_that_fails,
    "rebill now": _rebill_now,
    "open chargeback": _chargeback_open,
    "chargeback action": _chargeback_accept,
}


@pytest.mark.django_db
@pytest.mark.parametrize("form", MONEY_FORMS)
def test_a_replayed_money_form_answers_the_first_result_and_moves_nothing(
    manager_client, merchant, form
):
    url, data, moved = MONEY_FORMS[form](merchant)
    before = moved()
    data = {**one_time(), **data}

    first = manager_client.post(url, data, follow=True)
    after_first = moved()
    again = manager_client.post(url, data, follow=True)

    assert after_first != before
    assert moved() == after_first
    assert answer(again) == answer(first)
    assert answer(first)[1]
    assert FormSubmission.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("token", "error"),
    [
        (None, "This form has no one-time token"),
        ("", "This form has no one-time token"),
        ("12345", "one-time token is not valid"),
        ("Z" * 32, "one-time token is not valid"),
    ],
)
def test_a_money_form_without_a_valid_token_is_refused_and_changes_nothing(
    manager_client, merchant, token, error
):
    order = completed(merchant)
    data = {"full": "on"} if token is None else {"full": "on", "form_token": token}

    response = manager_client.post(f"/orders/{order.order_id}/refund/", data, follow=True)

    order.refresh_from_db()
    assert order.refunded_total == 0
    assert refunds(order) == (0, 0)
    assert not FormSubmission.objects.exists()
    [(level, text)] = answer(response)[1]
    assert level == "error"
    assert error in text


@pytest.mark.django_db
def test_every_render_of_the_money_forms_carries_fresh_tokens(manager_client, merchant):
    order = completed(merchant)
    url = f"/orders/{order.order_id}/"

    first = TOKEN.findall(manager_client.get(url).content.decode())
    again = TOKEN.findall(manager_client.get(url).content.decode())

    # The refund form and the order's buttons, each with a token of its own.
    assert len(first) == len(set(first)) > 1
    assert len(again) == len(first)
    assert not set(first) & set(again)


@pytest.mark.django_db
def test_the_next_submission_of_a_freshly_rendered_form_moves_money_again(manager_client, merchant):
    order = completed(merchant)
    line = order.lines.get()
    url = f"/orders/{order.order_id}/refund/"

    manager_client.post(url, {**one_time(), f"line_{line.pk}": "1"})
    manager_client.post(url, {**one_time(), f"line_{line.pk}": "1"})

    order.refresh_from_db()
    assert refunds(order) == (2, 2)
    assert order.refunded_total == Decimal("20.00")


@pytest.mark.django_db
def test_a_token_belongs_to_its_merchant(client, merchant, other_merchant):
    ours, theirs = completed(merchant), completed(other_merchant)
    token = one_time()
    for order, owner in ((ours, merchant), (theirs, other_merchant)):
        client.force_login(member(owner, "manager", username=f"m-{owner.code}"))
        client.post(f"/orders/{order.order_id}/refund/", {**token, "full": "on"})

    assert [Order.objects.get(pk=o.pk).refunded_total for o in (ours, theirs)] == [
        ours.total,
        theirs.total,
    ]
