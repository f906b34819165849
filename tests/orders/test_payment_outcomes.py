"""What a payment attempt came to: every gateway answer named, with its reason, in one place
(orders.payments.outcome.PaymentOutcome)."""

from decimal import Decimal

import pytest

from orders.exceptions import PaymentFailed
from orders.models import PaymentTransaction
from orders.payments import CardDetails, PaymentReason
from orders.payments.outcome import PaymentOutcome
from orders.selectors.payments import order_payment_outcome_get
from orders.services.placement import CardMode
from orders.services.refunds import order_refund
from orders.services.transitions import order_transition
from orders.states import PaymentStatus, Stage
from tests.factories import (
    APPROVE_CARD,
    CAPTURE_FAILS_CARD,
    DECLINE_CARD,
    INSUFFICIENT_FUNDS_CARD,
    PROCESSING_ERROR_CARD,
    member,
    place,
)

pytestmark = pytest.mark.django_db


def receivable(merchant, card: str = APPROVE_CARD):
    """An Accounts Receivable order with this card on file, not charged yet (25.00)."""
    return place(merchant, card=card, card_mode=CardMode.NO_CHARGE)


@pytest.mark.parametrize(
    ("card", "reason", "said"),
    [
        (DECLINE_CARD, PaymentReason.DECLINED, "Card declined"),
        (INSUFFICIENT_FUNDS_CARD, PaymentReason.INSUFFICIENT_FUNDS, "insufficient funds"),
        (PROCESSING_ERROR_CARD, PaymentReason.PROCESSING_ERROR, "Processing error"),
    ],
)
def test_a_refused_charge_names_its_reason_and_moves_no_money(merchant, card, reason, said):
    order = receivable(merchant, card)

    result = order_transition(order=order, name="process_payment", by=member(merchant))

    payment = result.payment
    assert (payment.reason, payment.moved_money, payment.level) == (reason, False, "warning")
    assert said in payment.summary
    assert f"the charge of 25.00 to Visa ending {card[-4:]} did not go through" in payment.summary
    assert payment.summary.endswith("No money moved.")
    assert result.level == "warning"
    assert said in result.message
    assert result.message.endswith("It stays in Accounts Receivable.")
    row = PaymentTransaction.objects.get(order=order)
    assert (row.reason, row.card_brand, row.card_last4) == (reason, "visa", card[-4:])


@pytest.mark.parametrize(
    ("card", "reason", "said"),
    [
        (
            CardDetails(APPROVE_CARD, 12, 2031, cvv="000"),
            "cvv_mismatch",
            "the card's security code (CVV) did not match",
        ),
        (
            CardDetails(APPROVE_CARD, 12, 2031, cvv="123", postal_code="00000"),
            "avs_mismatch",
            "the billing address (AVS) did not match the card",
        ),
    ],
)
def test_a_charge_approved_with_a_card_check_mismatch_is_a_warning_naming_it(
    merchant, card, reason, said
):
    order = receivable(merchant)

    result = order_transition(
        order=order, name="charge_other_card", by=member(merchant), card=card, save_card=False
    )

    payment = result.payment
    assert (payment.moved_money, payment.mismatches, payment.level) == (True, [reason], "warning")
    assert payment.summary == f"Charged 25.00 to Visa ending 1111, but {said}."
    assert result.level == "warning"


def test_an_approved_charge_is_a_success_naming_amount_and_card(merchant):
    order = receivable(merchant)

    result = order_transition(order=order, name="process_payment", by=member(merchant))

    assert result.payment.summary == "Charged 25.00 to Visa ending 1111."
    assert (result.payment.moved_money, result.level) == (True, "success")
    assert (
        result.message
        == f"{order.order_id}: Process payment: Charged 25.00 to Visa ending 1111. Now in Shipping."
    )


def test_an_expired_authorization_names_the_failed_capture(merchant):
    merchant.capture_at_shipment = True
    merchant.save()
    order = place(merchant, card=CAPTURE_FAILS_CARD)

    with pytest.raises(PaymentFailed) as refused:
        order_transition(order=order, name="mark_shipped", by=member(merchant), carrier="UPS")

    assert "Capture declined: the authorization has expired" in str(refused.value)
    assert "No money moved" in str(refused.value)
    outcome = order_payment_outcome_get(order=order)
    assert (outcome.kind, outcome.reason) == ("capture", PaymentReason.AUTHORIZATION_EXPIRED)


def test_a_refund_says_how_much_went_back_to_which_card(merchant):
    order = place(merchant)

    outcome = order_refund(order=order, amount=Decimal("10.00"), by=member(merchant))

    assert outcome.summary == "Refunded 10.00 to Visa ending 1111."
    assert outcome.level == "success"


def test_rows_recorded_before_reasons_read_as_declined_or_processing_error():
    declined = PaymentOutcome.of(
        PaymentTransaction(kind="charge", result="declined", amount=Decimal("5.00"))
    )
    failed = PaymentOutcome.of(
        PaymentTransaction(kind="charge", result="error", amount=Decimal("5.00"))
    )

    assert declined.summary.startswith("Card declined: the charge of 5.00 did not go through")
    assert failed.summary.startswith("Processing error at the gateway")


def test_charging_another_card_saves_it_only_when_asked_and_keeps_no_cvv(merchant):
    kept, once = receivable(merchant, DECLINE_CARD), receivable(merchant, DECLINE_CARD)
    card = CardDetails("5555 5555 5555 4444", 11, 2030, cvv="987")

    order_transition(order=kept, name="charge_other_card", card=card, save_card=True)
    order_transition(order=once, name="charge_other_card", card=card, save_card=False)

    kept.refresh_from_db()
    once.refresh_from_db()
    assert (kept.stage, kept.payment_status) == (Stage.SHIPPING, PaymentStatus.PROCESSED)
    assert (kept.card_brand, kept.card_last4) == ("mastercard", "4444")
    assert kept.gateway_token.endswith("_4444")
    # Not kept: the declined card stays the card on file; the payment names the card it used.
    assert (once.stage, once.card_last4) == (Stage.SHIPPING, "0002")
    assert order_payment_outcome_get(order=once).card == "Mastercard ending 4444"
    event = kept.events.get(type="order_transitioned")
    assert event.payload["card"] == "Mastercard ending 4444"
    assert event.payload["saved"] is True
    assert "987" not in str(event.payload)


def test_a_declined_other_card_is_not_kept_on_file(merchant):
    order = receivable(merchant)

    result = order_transition(
        order=order,
        name="charge_other_card",
        card=CardDetails(INSUFFICIENT_FUNDS_CARD, 12, 2031),
        save_card=True,
    )

    order.refresh_from_db()
    assert result.payment.reason == PaymentReason.INSUFFICIENT_FUNDS
    assert (order.stage, order.card_last4) == (Stage.ACCOUNTS_RECEIVABLE, "1111")
    assert order.payment_status == PaymentStatus.DECLINED
