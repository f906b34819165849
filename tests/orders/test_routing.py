"""Placement routing, row by row (lifecycle.md "Entering the life cycle")."""

from decimal import Decimal

import pytest

from orders.exceptions import OrderRefused, TransitionNotPermitted
from orders.fraud import shipping_address_key
from orders.models import (
    BlockListEntry,
    GatewayLedgerEntry,
    Merchant,
    Order,
    OrderEvent,
    PaymentTransaction,
)
from orders.services.placement import CardMode, order_place
from orders.states import PaymentMethod, PaymentStatus, Stage
from tests.factories import (
    DECLINE_CARD,
    INSUFFICIENT_FUNDS_CARD,
    PROCESSING_ERROR_CARD,
    REAL_LOOKING_CARD,
    ItemFactory,
    member,
    place,
)
from tests.orders.builders import approved_charges, card_draft, risky_draft


def nothing_stored() -> bool:
    return not (
        Order.objects.exists()
        or OrderEvent.objects.exists()
        or PaymentTransaction.objects.exists()
        or GatewayLedgerEntry.objects.exists()
    )


def test_a_quote_request_waits_for_a_quote(merchant):
    order = place(merchant, method=PaymentMethod.QUOTE_REQUEST, card=None)

    assert order.stage == Stage.QUOTE_REQUEST
    assert order.payment_status == PaymentStatus.UNPROCESSED
    assert not GatewayLedgerEntry.objects.exists()
    placed = order.events.get(type="order_placed")
    assert placed.payload["stage"] == Stage.QUOTE_REQUEST


def test_an_order_with_a_pre_order_item_is_not_charged(merchant):
    item = ItemFactory(merchant=merchant, pre_order=True)

    order = place(merchant, item=item)

    assert order.stage == Stage.PRE_ORDER
    assert order.payment_status == PaymentStatus.UNPROCESSED
    assert order.lines.get().pre_order
    assert not GatewayLedgerEntry.objects.exists()
    assert not order.transactions.exists()
    assert order.gateway_token, "the card is kept for the charge at release"


def test_a_fraud_decline_is_refused_and_nothing_is_stored(merchant):
    BlockListEntry.objects.create(merchant=merchant, kind="email", value="ann@example.com")
    BlockListEntry.objects.create(
        merchant=merchant, kind="address", value=shipping_address_key("1 Main St", "12345", "US")
    )

    with pytest.raises(OrderRefused) as refused:
        place(merchant)

    assert "ann@example.com is blocked" in str(refused.value)
    assert nothing_stored()


def test_an_approved_card_under_the_threshold_goes_to_shipping(merchant):
    order = place(merchant)

    assert order.stage == Stage.SHIPPING
    assert order.payment_status == PaymentStatus.PROCESSED
    assert order.order_id == "DEMO-0000001"
    assert order.paid_at is not None
    assert order.fraud_score < merchant.fraud_review_threshold
    charge = order.transactions.get()
    assert (charge.kind, charge.result, charge.amount) == ("charge", "approved", Decimal("25.00"))
    ledger = GatewayLedgerEntry.objects.get()
    assert (ledger.operation, ledger.reference) == ("charge", charge.gateway_reference)
    assert order.card_last4 == "1111"


def test_an_approved_card_with_nothing_to_ship_completes(merchant):
    order = place(merchant, item=ItemFactory(merchant=merchant, shippable=False))

    assert order.stage == Stage.COMPLETED
    assert not order.requires_shipping
    assert order.payment_status == PaymentStatus.PROCESSED


def test_an_approved_card_at_the_threshold_goes_to_fraud_review(merchant):
    order = order_place(merchant=merchant, draft=risky_draft())

    assert order.fraud_score == merchant.fraud_review_threshold
    assert order.stage == Stage.FRAUD_REVIEW
    assert order.payment_status == PaymentStatus.PROCESSED
    assert approved_charges() == 1


def test_over_the_threshold_a_merchant_may_choose_not_to_charge(merchant):
    merchant.fraud_review_action = Merchant.FraudReviewAction.HOLD_WITHOUT_CHARGE
    merchant.save()
    BlockListEntry.objects.create(merchant=merchant, kind="email", value="ann@example.com")

    order = place(merchant)

    assert order.fraud_score >= merchant.fraud_review_threshold
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert order.payment_status == PaymentStatus.UNPROCESSED
    assert not GatewayLedgerEntry.objects.exists()
    assert order.gateway_token


@pytest.mark.parametrize(
    ("card", "message"),
    [
        (DECLINE_CARD, "Card declined."),
        (INSUFFICIENT_FUNDS_CARD, "Insufficient funds."),
        (PROCESSING_ERROR_CARD, "Processing error at the card network."),
    ],
)
def test_a_card_that_is_not_approved_goes_to_accounts_receivable(merchant, card, message):
    order = place(merchant, card=card)

    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert order.payment_status == PaymentStatus.DECLINED
    attempt = order.transactions.get()
    assert attempt.message == message
    assert attempt.result != "approved"
    assert approved_charges() == 0
    assert order.gateway_token, "the card is kept so that payment can be retried"


def test_no_real_time_charge_goes_to_accounts_receivable(merchant):
    order = place(merchant, card_mode=CardMode.NO_CHARGE)

    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert order.payment_status == PaymentStatus.UNPROCESSED
    assert not GatewayLedgerEntry.objects.exists()


@pytest.mark.parametrize(
    "method",
    [
        PaymentMethod.CHECK,
        PaymentMethod.MONEY_ORDER,
        PaymentMethod.PURCHASE_ORDER,
        PaymentMethod.WIRE,
        PaymentMethod.COD,
    ],
)
def test_an_offline_method_goes_to_accounts_receivable(merchant, method):
    order = place(merchant, method=method, card=None, purchase_order_number="PO-9")

    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert order.payment_status == PaymentStatus.UNPROCESSED
    assert order.payment_method == method
    assert not GatewayLedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("method", "funded_by_bank"),
    [(PaymentMethod.ECHECK, False), (PaymentMethod.PAYPAL, True), (PaymentMethod.AMAZON_PAY, True)],
)
def test_a_bank_payment_waits_for_clearance(merchant, method, funded_by_bank):
    order = place(merchant, method=method, card=None, wallet_funded_by_bank=funded_by_bank)

    assert order.stage == Stage.PENDING_CLEARANCE
    assert order.payment_status == PaymentStatus.PENDING
    debit = GatewayLedgerEntry.objects.get()
    assert (debit.operation, debit.result) == ("echeck", "pending")
    assert order.transactions.get().result == "pending"


def test_a_wallet_paid_from_its_balance_goes_to_shipping(merchant):
    order = place(merchant, method=PaymentMethod.PAYPAL, card=None)

    assert order.stage == Stage.SHIPPING
    assert order.payment_status == PaymentStatus.PROCESSED


def test_skip_payment_processing_goes_to_shipping_unpaid(merchant, manager):
    order = place(merchant, card_mode=CardMode.SKIP, by=manager)

    assert order.stage == Stage.SHIPPING
    assert order.payment_status == PaymentStatus.SKIPPED
    assert not GatewayLedgerEntry.objects.exists()
    assert order.events.get(type="order_placed").actor == manager


def test_skip_payment_processing_needs_the_permission(merchant):
    clerk = member(merchant, "shipping")

    with pytest.raises(TransitionNotPermitted):
        place(merchant, card_mode=CardMode.SKIP, by=clerk)

    assert nothing_stored()


def test_cash_taken_in_person_goes_to_shipping_paid(merchant):
    order = place(merchant, method=PaymentMethod.CASH, card=None)

    assert order.stage == Stage.SHIPPING
    assert order.payment_status == PaymentStatus.PROCESSED
    assert not GatewayLedgerEntry.objects.exists()


def test_a_test_card_on_a_live_gateway_is_flagged_and_not_charged(merchant):
    merchant.gateway = Merchant.Gateway.TEST_LIVE
    merchant.save()

    order = place(merchant)

    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert order.is_test
    assert order.payment_status == PaymentStatus.UNPROCESSED
    assert not GatewayLedgerEntry.objects.exists()


def test_a_real_card_on_a_live_gateway_is_charged(merchant):
    merchant.gateway = Merchant.Gateway.TEST_LIVE
    merchant.save()

    order = order_place(merchant=merchant, draft=card_draft(card=REAL_LOOKING_CARD))

    assert order.stage == Stage.SHIPPING
    assert not order.is_test
    assert approved_charges() == 1


def test_a_test_card_on_the_test_gateway_is_an_ordinary_order(merchant):
    order = place(merchant)

    assert not order.is_test
    assert approved_charges() == 1
