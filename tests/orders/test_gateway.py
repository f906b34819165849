"""The test gateway: card behaviour, idempotency keys, and charges that survive retries."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from orders.models import GatewayLedgerEntry, Order, PaymentTransaction
from orders.payments import CardDetails, TestGateway
from orders.services.placement import CardMode
from orders.services.transitions import order_transition
from orders.states import PaymentStatus, Stage
from tests.factories import (
    APPROVE_CARD,
    DECLINE_CARD,
    INSUFFICIENT_FUNDS_CARD,
    PROCESSING_ERROR_CARD,
    place,
)
from tests.orders.builders import approved_charges

AMOUNT = Decimal("42.50")


def token_for(number: str, **card) -> str:
    return TestGateway().tokenize(CardDetails(number, 12, 2030, **card)).token


def test_the_same_idempotency_key_never_charges_twice(db):
    gateway = TestGateway()
    token = token_for(APPROVE_CARD)

    first = gateway.charge(token=token, amount=AMOUNT, idempotency_key="order-1:charge:1")
    second = gateway.charge(token=token, amount=AMOUNT, idempotency_key="order-1:charge:1")

    assert first.approved
    assert second.approved
    assert first.reference == second.reference
    entry = GatewayLedgerEntry.objects.get()
    assert (entry.operation, entry.amount, entry.reference) == ("charge", AMOUNT, first.reference)


def test_a_new_idempotency_key_is_a_new_charge(db):
    gateway = TestGateway()
    token = token_for(APPROVE_CARD)

    first = gateway.charge(token=token, amount=AMOUNT, idempotency_key="k1")
    second = gateway.charge(token=token, amount=AMOUNT, idempotency_key="k2")

    assert first.reference != second.reference
    assert approved_charges() == 2


def test_a_money_moving_call_without_a_key_is_refused(db):
    with pytest.raises(ValueError, match="idempotency key"):
        TestGateway().charge(token=token_for(APPROVE_CARD), amount=AMOUNT, idempotency_key="")
    assert not GatewayLedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("number", "result", "message"),
    [
        (APPROVE_CARD, "approved", "Approved."),
        ("4242 4242 4242 4242", "approved", "Approved."),
        (DECLINE_CARD, "declined", "Card declined."),
        (INSUFFICIENT_FUNDS_CARD, "declined", "Insufficient funds."),
        (PROCESSING_ERROR_CARD, "error", "Processing error at the card network."),
    ],
)
def test_the_card_number_decides_the_answer(db, number, result, message):
    answer = TestGateway().charge(token=token_for(number), amount=AMOUNT, idempotency_key="k")

    assert (answer.result, answer.message) == (result, message)


@pytest.mark.parametrize(
    ("card", "avs", "cvv"),
    [({}, "Y", "M"), ({"cvv": "000"}, "Y", "N"), ({"postal_code": "00000"}, "N", "M")],
    ids=["match", "cvv-mismatch", "avs-mismatch"],
)
def test_avs_and_cvv_mismatches_can_be_simulated(db, card, avs, cvv):
    answer = TestGateway().charge(
        token=token_for(APPROVE_CARD, **card), amount=AMOUNT, idempotency_key="k"
    )

    assert answer.approved
    assert (answer.avs_result, answer.cvv_result) == (avs, cvv)


def test_an_invalid_card_number_cannot_be_tokenized():
    with pytest.raises(ValueError, match="not valid"):
        TestGateway().tokenize(CardDetails("4111111111111112", 12, 2030))


def test_the_order_keeps_only_the_last_four_digits(merchant):
    order = place(merchant)

    stored = " ".join(
        str(value) for value in Order.objects.filter(pk=order.pk).values().get().values()
    )
    assert APPROVE_CARD not in stored
    assert order.card_last4 == "1111"
    assert order.card_brand == "visa"
    assert APPROVE_CARD not in order.gateway_token


def test_a_refund_needs_a_payment_at_the_gateway(db):
    answer = TestGateway().refund(reference="tgw_cha_nothing", amount=AMOUNT, idempotency_key="r")

    assert answer.result == "error"


class WorkerKilled(Exception):
    pass


def charge_then_crash(order: Order) -> dict:
    """Run process_payment, then die before commit; returns the gateway's record of the charge."""
    charged = {}
    try:
        with transaction.atomic():
            order_transition(order=order, name="process_payment", by=None)
            charged.update(GatewayLedgerEntry.objects.values().get())
            raise WorkerKilled
    except WorkerKilled:
        pass
    return charged


def test_process_payment_retried_after_a_crash_charges_once(merchant):
    order = place(merchant, card_mode=CardMode.NO_CHARGE)

    # The charge reaches the gateway, then the process dies before our transaction commits.
    charged = charge_then_crash(order)
    # The gateway's books are the provider's: they keep the charge that our rollback lost.
    GatewayLedgerEntry.objects.create(**charged)
    assert Order.objects.get(pk=order.pk).stage == Stage.ACCOUNTS_RECEIVABLE
    assert not PaymentTransaction.objects.exists()

    order_transition(order=order, name="process_payment", by=None)

    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert order.payment_status == PaymentStatus.PROCESSED
    assert approved_charges() == 1
    charge = order.transactions.get()
    assert charge.gateway_reference == charged["reference"]
    assert charge.idempotency_key == charged["idempotency_key"]


def test_a_retry_after_a_decline_is_a_new_attempt(merchant):
    order = place(merchant, card=DECLINE_CARD)
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE

    order_transition(order=order, name="process_payment", by=None)
    order_transition(order=order, name="process_payment", by=None)

    keys = list(order.transactions.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys)) == 3
    assert GatewayLedgerEntry.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_same_key_at_the_same_moment_charges_once(needs_postgres):
    token = token_for(APPROVE_CARD)
    barrier = threading.Barrier(8)
    references, errors = [], []

    def charge() -> None:
        try:
            barrier.wait()
            answer = TestGateway().charge(token=token, amount=AMOUNT, idempotency_key="same")
            references.append(answer.reference)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=charge) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(references) == 8
    assert len(set(references)) == 1
    assert GatewayLedgerEntry.objects.count() == 1


def test_an_order_on_a_saved_card_keeps_the_card_fingerprint_and_is_charged(merchant):
    from orders.services.placement import LineDraft, OrderDraft, PaymentDraft, order_place

    first = place(merchant)
    draft = OrderDraft(
        email=first.email,
        lines=[LineDraft(description="Refill", unit_price=Decimal("9.00"))],
        payment=PaymentDraft(method="credit_card", card_token=first.gateway_token),
    )

    second = order_place(merchant=merchant, draft=draft)

    assert second.card_fingerprint == first.card_fingerprint
    assert second.card_last4 == "1111"
    assert second.payment_status == "processed"
    assert second.transactions.get().result == "approved"
