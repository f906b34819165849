"""The transition table of the life cycle, exhaustively, and what each transition does."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.exceptions import (
    InvalidInput,
    PaymentFailed,
    TransitionNotAvailable,
    TransitionNotPermitted,
)
from orders.fraud import fraud_assess
from orders.models import (
    BlockListEntry,
    GatewayLedgerEntry,
    Merchant,
    Order,
    OrderEvent,
    PaymentTransaction,
    Shipment,
)
from orders.payments import CardDetails
from orders.services.holds import hold_release_due
from orders.services.placement import CardMode, order_place
from orders.services.refunds import order_refund
from orders.services.transitions import (
    order_transition,
    order_transitions_for_user,
    transition_names,
)
from orders.states import PaymentMethod, PaymentStatus, Stage
from tests.factories import (
    APPROVE_CARD,
    CAPTURE_FAILS_CARD,
    DECLINE_CARD,
    ItemFactory,
    member,
    place,
)
from tests.orders.builders import (
    approved_charges,
    card_draft,
    order_in_stage,
    risky_draft,
    walk,
)

S = Stage
# lifecycle.md "Transitions", written out independently of the model.
ALLOWED = {
    "send_quote": {S.QUOTE_REQUEST},
    "accept_quote": {S.QUOTE_SENT},
    "expire_quote": {S.QUOTE_REQUEST, S.QUOTE_SENT},
    "release_preorder": {S.PRE_ORDER},
    "process_payment": {S.ACCOUNTS_RECEIVABLE},
    "charge_other_card": {S.ACCOUNTS_RECEIVABLE},
    "record_payment": {S.ACCOUNTS_RECEIVABLE},
    "submit_echeck": {S.ACCOUNTS_RECEIVABLE},
    "confirm_clearance": {S.PENDING_CLEARANCE},
    "fail_clearance": {S.PENDING_CLEARANCE},
    "approve": {S.FRAUD_REVIEW},
    "reject_as_fraud": {S.FRAUD_REVIEW},
    "hold": {S.SHIPPING, S.FRAUD_REVIEW, S.ACCOUNTS_RECEIVABLE},
    "release_hold": {S.HOLD},
    "mark_shipped": {S.SHIPPING},
    "move_back_to_shipping": {S.COMPLETED},
    "refund_and_reject": {S.SHIPPING, S.COMPLETED},
    "reject": {
        S.ACCOUNTS_RECEIVABLE,
        S.QUOTE_REQUEST,
        S.QUOTE_SENT,
        S.PRE_ORDER,
        S.PENDING_CLEARANCE,
    },
    "unreject": {S.REJECTED},
}
# Where each allowed transition takes the orders that order_in_stage builds.
TARGET = {
    "send_quote": S.QUOTE_SENT,
    "accept_quote": S.ACCOUNTS_RECEIVABLE,  # a quote has no card: it waits for payment
    "expire_quote": S.REJECTED,
    "release_preorder": S.SHIPPING,
    "process_payment": S.SHIPPING,
    "charge_other_card": S.SHIPPING,
    "record_payment": S.SHIPPING,
    "submit_echeck": S.PENDING_CLEARANCE,
    "confirm_clearance": S.SHIPPING,
    "fail_clearance": S.ACCOUNTS_RECEIVABLE,
    "approve": S.SHIPPING,
    "reject_as_fraud": S.REJECTED,
    "hold": S.HOLD,
    "release_hold": S.SHIPPING,
    "mark_shipped": S.COMPLETED,
    "move_back_to_shipping": S.SHIPPING,
    "refund_and_reject": S.REJECTED,
    "reject": S.REJECTED,
    "unreject": S.ACCOUNTS_RECEIVABLE,
}
VALID_INPUTS = {
    "charge_other_card": {"card": CardDetails("4242 4242 4242 4242", 12, 2031), "save_card": True},
    "record_payment": {"reference": "CHK-1001"},
    "submit_echeck": {"bank_account": "021000021-123456789"},
    "hold": {"reason": "Customer asked to wait"},
    "mark_shipped": {"carrier": "UPS", "tracking_numbers": ["1Z999AA10123456784"]},
    "refund_and_reject": {"reason": "customer_request"},
    "reject": {"reason": "customer_request"},
}
SYSTEM_ONLY = {
    "accept_quote": S.QUOTE_SENT,
    "expire_quote": S.QUOTE_REQUEST,
    "confirm_clearance": S.PENDING_CLEARANCE,
    "fail_clearance": S.PENDING_CLEARANCE,
}
COMBINATIONS = [
    pytest.param(stage, name, id=f"{stage}-{name}") for stage in Stage.values for name in ALLOWED
]


def snapshot(order: Order) -> dict:
    fresh = Order.objects.get(pk=order.pk)
    return {
        "stage": fresh.stage,
        "updated_at": fresh.updated_at,
        "payment_status": fresh.payment_status,
        "refunded_total": fresh.refunded_total,
        "events": OrderEvent.objects.filter(order=order).count(),
        "transactions": PaymentTransaction.objects.filter(order=order).count(),
        "ledger": GatewayLedgerEntry.objects.count(),
        "shipments": Shipment.objects.filter(order=order).count(),
        "block_list": BlockListEntry.objects.count(),
    }


def transitioned_events(order: Order):
    return OrderEvent.objects.filter(order=order, type="order_transitioned").order_by("id")


def test_the_model_declares_exactly_the_specified_transitions():
    assert set(transition_names()) == set(ALLOWED)


@pytest.mark.parametrize(("stage", "name"), COMBINATIONS)
def test_transition_from_every_stage(merchant, stage, name):
    order = order_in_stage(merchant, stage)
    assert order.stage == stage
    before = snapshot(order)
    before_events = transitioned_events(order).count()

    if stage in ALLOWED[name]:
        result = order_transition(
            order=order, name=name, by=None, via="test suite", **VALID_INPUTS.get(name, {})
        )
        order.refresh_from_db()
        assert order.stage == TARGET[name] == result.target
        events = list(transitioned_events(order))
        assert len(events) == before_events + 1
        event = events[-1]
        assert event.payload["transition"] == name
        assert event.payload["source"] == stage
        assert event.payload["target"] == TARGET[name]
        assert event.actor is None
        assert event.actor_label == "test suite"
    else:
        with pytest.raises(TransitionNotAvailable) as refused:
            order_transition(
                order=order, name=name, by=None, via="test suite", **VALID_INPUTS.get(name, {})
            )
        assert order.order_id in str(refused.value)
        assert snapshot(order) == before


PEOPLES_COMBINATIONS = [
    pytest.param(stage, name, id=f"{stage}-{name}")
    for name, sources in ALLOWED.items()
    if name not in SYSTEM_ONLY
    for stage in sorted(sources)
]


@pytest.mark.parametrize(("stage", "name"), PEOPLES_COMBINATIONS)
def test_a_permitted_person_runs_every_staff_transition_as_the_actor(merchant, stage, name):
    owner = member(merchant, "owner")
    order = order_in_stage(merchant, stage)

    order_transition(
        order=order, name=name, by=owner, via="order page", **VALID_INPUTS.get(name, {})
    )

    event = transitioned_events(order).last()
    assert (event.actor, event.actor_label) == (owner, "order page")
    assert (event.payload["source"], event.payload["target"]) == (stage, TARGET[name])
    assert Order.objects.get(pk=order.pk).stage == TARGET[name]


def test_a_person_acting_is_the_event_actor(merchant, manager):
    order = order_in_stage(merchant, Stage.SHIPPING)

    order_transition(order=order, name="hold", by=manager, via="order page", reason="Wait")

    event = transitioned_events(order).last()
    assert event.actor == manager
    assert event.actor_label == "order page"
    assert event.payload["source"] == Stage.SHIPPING
    assert event.payload["target"] == Stage.HOLD


def test_an_unknown_transition_is_refused(merchant):
    order = order_in_stage(merchant, Stage.SHIPPING)
    before = snapshot(order)

    with pytest.raises(TransitionNotAvailable):
        order_transition(order=order, name="delete_everything", by=None)

    assert snapshot(order) == before


def test_a_deleted_order_cannot_change_stage_and_offers_no_buttons(merchant, manager):
    order = order_in_stage(merchant, Stage.SHIPPING)
    Order.objects.filter(pk=order.pk).update(deleted_at=timezone.now())
    order.refresh_from_db()
    before = snapshot(order)

    with pytest.raises(TransitionNotAvailable):
        order_transition(order=order, name="hold", by=None, reason="x")

    assert snapshot(order) == before
    assert order_transitions_for_user(order=order, user=manager) == []


def test_an_order_that_no_longer_exists_is_refused(merchant):
    with pytest.raises(TransitionNotAvailable, match="no such order"):
        order_transition(order=987654, name="hold", by=None, reason="x")


# ---- process payment ----------------------------------------------------------------------


def test_process_payment_approved_moves_to_shipping_and_charges_once(merchant):
    order = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)
    assert approved_charges() == 0

    order = walk(order, "process_payment")

    assert order.stage == Stage.SHIPPING
    assert order.payment_status == PaymentStatus.PROCESSED
    assert order.paid_at is not None
    assert approved_charges() == 1
    assert order.transactions.get().kind == PaymentTransaction.Kind.CHARGE


def test_process_payment_for_nothing_to_ship_completes_the_order(merchant):
    digital = ItemFactory(merchant=merchant, shippable=False)
    order = place(merchant, item=digital, card_mode=CardMode.NO_CHARGE)
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE

    order = walk(order, "process_payment")

    assert order.stage == Stage.COMPLETED
    assert order.payment_status == PaymentStatus.PROCESSED


def test_process_payment_at_the_fraud_threshold_goes_to_fraud_review(merchant):
    merchant.fraud_review_action = Merchant.FraudReviewAction.HOLD_WITHOUT_CHARGE
    merchant.save()
    BlockListEntry.objects.create(merchant=merchant, kind="email", value="bob@example.com")
    order = order_place(merchant=merchant, draft=card_draft(email="bob@example.com"))
    assert order.fraud_score >= merchant.fraud_review_threshold
    assert (order.stage, approved_charges()) == (Stage.ACCOUNTS_RECEIVABLE, 0)

    order = walk(order, "process_payment")

    assert order.stage == Stage.FRAUD_REVIEW
    assert order.payment_status == PaymentStatus.PROCESSED
    assert approved_charges() == 1


def test_process_payment_declined_stays_in_accounts_receivable(merchant):
    order = place(merchant, card=DECLINE_CARD, card_mode=CardMode.NO_CHARGE)

    result = order_transition(order=order, name="process_payment", by=None, via="test")

    order.refresh_from_db()
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert order.payment_status == PaymentStatus.DECLINED
    assert "stays in" in result.message
    event = transitioned_events(order).get()
    assert event.payload["source"] == event.payload["target"] == Stage.ACCOUNTS_RECEIVABLE
    assert event.payload["payment"] == "declined"
    assert order.transactions.get().result == "declined"
    assert approved_charges() == 0


def test_process_payment_of_an_offline_order_is_refused(merchant):
    order = place(merchant, method=PaymentMethod.CHECK, card=None)
    before = snapshot(order)

    with pytest.raises(TransitionNotAvailable, match="no card on file"):
        order_transition(order=order, name="process_payment", by=None)

    assert snapshot(order) == before
    assert "process_payment" not in [t.name for t in order.get_available_stage_transitions()]


# ---- quotes -------------------------------------------------------------------------------


def test_an_accepted_quote_paid_by_an_approved_card_is_routed_to_shipping(merchant):
    order = order_in_stage(merchant, Stage.QUOTE_SENT)

    order = walk(order, "accept_quote", card=CardDetails(APPROVE_CARD, 12, 2030, cvv="123"))

    assert order.stage == Stage.SHIPPING
    assert order.payment_method == PaymentMethod.CREDIT_CARD
    assert order.payment_status == PaymentStatus.PROCESSED
    assert order.card_last4 == "1111"
    assert approved_charges() == 1
    assert transitioned_events(order).last().payload["payment"] == "approved"


def test_an_accepted_quote_with_a_declined_card_goes_to_accounts_receivable(merchant):
    order = order_in_stage(merchant, Stage.QUOTE_SENT)

    order = walk(order, "accept_quote", card=CardDetails(DECLINE_CARD, 12, 2030))

    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert order.payment_status == PaymentStatus.DECLINED
    assert order.gateway_token, "the card is kept so that payment can be retried"


def test_an_accepted_quote_paid_offline_waits_in_accounts_receivable(merchant):
    order = order_in_stage(merchant, Stage.QUOTE_SENT)

    order = walk(order, "accept_quote", method=PaymentMethod.CHECK)

    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert order.payment_method == PaymentMethod.CHECK
    assert not GatewayLedgerEntry.objects.exists()


@pytest.mark.parametrize(
    "inputs",
    [{"card": CardDetails("4111111111111112", 12, 2030)}, {"method": PaymentMethod.CASH}],
    ids=["invalid-card", "not-an-offline-method"],
)
def test_an_accepted_quote_with_bad_payment_details_is_refused(merchant, inputs):
    order = order_in_stage(merchant, Stage.QUOTE_SENT)
    before = snapshot(order)

    with pytest.raises(InvalidInput):
        order_transition(order=order, name="accept_quote", by=None, **inputs)

    assert snapshot(order) == before
    assert Order.objects.get(pk=order.pk).payment_method == PaymentMethod.QUOTE_REQUEST


# ---- e-checks -----------------------------------------------------------------------------


def test_a_returned_echeck_can_be_submitted_again(merchant):
    order = walk(order_in_stage(merchant, Stage.PENDING_CLEARANCE), "fail_clearance")
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE

    order = walk(order, "submit_echeck")

    assert order.stage == Stage.PENDING_CLEARANCE
    assert order.payment_status == PaymentStatus.PENDING
    debits = GatewayLedgerEntry.objects.filter(operation="echeck")
    assert debits.count() == 2


def test_a_card_order_needs_a_bank_account_to_be_paid_by_echeck(merchant):
    order = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)
    before = snapshot(order)

    with pytest.raises(InvalidInput, match="bank account"):
        order_transition(order=order, name="submit_echeck", by=None)
    assert snapshot(order) == before

    order = walk(order, "submit_echeck", bank_account="021000021-1")
    assert order.payment_method == PaymentMethod.ECHECK
    assert GatewayLedgerEntry.objects.get().token == "021000021-1"


# ---- pre-orders ---------------------------------------------------------------------------


def test_release_preorder_charges_and_ships(merchant):
    order = order_in_stage(merchant, Stage.PRE_ORDER)
    assert approved_charges() == 0

    order = walk(order, "release_preorder")

    assert order.stage == Stage.SHIPPING
    assert order.payment_status == PaymentStatus.PROCESSED
    assert approved_charges() == 1


def test_release_preorder_declined_goes_to_accounts_receivable(merchant):
    item = ItemFactory(merchant=merchant, pre_order=True)
    order = place(merchant, item=item, card=DECLINE_CARD)
    assert order.stage == Stage.PRE_ORDER

    order = walk(order, "release_preorder")

    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert order.payment_status == PaymentStatus.DECLINED


# ---- record payment -----------------------------------------------------------------------


@pytest.mark.parametrize("reference", ["", "   "])
def test_record_payment_needs_a_reference(merchant, reference):
    order = place(merchant, method=PaymentMethod.CHECK, card=None)
    before = snapshot(order)

    with pytest.raises(InvalidInput):
        order_transition(order=order, name="record_payment", by=None, reference=reference)

    assert snapshot(order) == before


def test_record_payment_keeps_the_reference_and_a_transaction(merchant):
    order = place(merchant, method=PaymentMethod.WIRE, card=None)

    order = walk(order, "record_payment", reference="WIRE-77")

    assert order.stage == Stage.SHIPPING
    assert order.payment_status == PaymentStatus.PROCESSED
    assert order.payment_reference == "WIRE-77"
    assert order.transactions.get().kind == PaymentTransaction.Kind.RECORDED
    assert approved_charges() == 0


# ---- hold ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [Stage.SHIPPING, Stage.FRAUD_REVIEW, Stage.ACCOUNTS_RECEIVABLE])
def test_release_hold_returns_to_the_stage_it_was_held_from(merchant, stage):
    order = order_in_stage(merchant, stage)
    until = timezone.localdate() + datetime.timedelta(days=3)

    order = walk(order, "hold", reason="Call the customer", until=until)
    assert order.stage == Stage.HOLD
    assert order.held_from_stage == stage
    assert order.hold_reason == "Call the customer"
    assert order.hold_until == until

    order = walk(order, "release_hold")
    assert order.stage == stage
    assert order.hold_reason == ""
    assert order.hold_until is None
    event = transitioned_events(order).last()
    assert (event.payload["source"], event.payload["target"]) == (Stage.HOLD, stage)


def test_beat_releases_holds_whose_date_has_come(merchant):
    due = walk(
        order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE),
        "hold",
        reason="Until Monday",
        until=timezone.localdate() + datetime.timedelta(days=1),
    )
    later = walk(
        order_in_stage(merchant, Stage.SHIPPING),
        "hold",
        reason="Next week",
        until=timezone.localdate() + datetime.timedelta(days=7),
    )
    open_ended = walk(order_in_stage(merchant, Stage.SHIPPING), "hold", reason="Until told")
    Order.objects.filter(pk=due.pk).update(hold_until=timezone.localdate())

    assert hold_release_due() == 1

    stages = dict(Order.objects.values_list("pk", "stage"))
    assert stages[due.pk] == Stage.ACCOUNTS_RECEIVABLE
    assert stages[later.pk] == stages[open_ended.pk] == Stage.HOLD
    assert transitioned_events(due).last().actor_label == "beat"


@pytest.mark.parametrize("inputs", [{"reason": ""}, {"reason": "x", "until": "2000-01-01"}])
def test_hold_needs_a_reason_and_a_future_release_date(merchant, inputs):
    order = order_in_stage(merchant, Stage.SHIPPING)
    before = snapshot(order)

    with pytest.raises(InvalidInput):
        order_transition(order=order, name="hold", by=None, **inputs)

    assert snapshot(order) == before


# ---- mark shipped and capture -------------------------------------------------------------


def test_mark_shipped_with_five_tracking_numbers_creates_a_shipment(merchant):
    order = order_in_stage(merchant, Stage.SHIPPING)
    numbers = [f"1Z{n}" for n in range(5)]

    order = walk(order, "mark_shipped", carrier="UPS", tracking_numbers=numbers, notify=False)

    assert order.stage == Stage.COMPLETED
    assert order.shipped_at is not None
    shipment = order.shipments.get()
    assert (shipment.carrier, shipment.tracking_numbers) == ("UPS", numbers)


def test_mark_shipped_with_six_tracking_numbers_is_refused(merchant):
    order = order_in_stage(merchant, Stage.SHIPPING)
    before = snapshot(order)

    with pytest.raises(InvalidInput):
        order_transition(
            order=order,
            name="mark_shipped",
            by=None,
            carrier="UPS",
            tracking_numbers=[f"1Z{n}" for n in range(6)],
        )

    assert snapshot(order) == before


def test_mark_shipped_captures_an_authorized_payment(merchant):
    merchant.capture_at_shipment = True
    merchant.save()
    order = place(merchant)
    assert (order.stage, order.payment_status) == (Stage.SHIPPING, PaymentStatus.AUTHORIZED)

    order = walk(order, "mark_shipped", carrier="UPS", tracking_numbers=["1Z1"])

    assert order.stage == Stage.COMPLETED
    assert order.payment_status == PaymentStatus.PROCESSED
    capture = order.transactions.get(kind=PaymentTransaction.Kind.CAPTURE)
    assert (capture.result, capture.amount) == ("approved", order.total)


def test_a_failed_capture_keeps_the_order_in_shipping_with_a_visible_error(merchant):
    merchant.capture_at_shipment = True
    merchant.save()
    order = place(merchant, card=CAPTURE_FAILS_CARD)
    assert (order.stage, order.payment_status) == (Stage.SHIPPING, PaymentStatus.AUTHORIZED)

    with pytest.raises(PaymentFailed) as failed:
        order_transition(order=order, name="mark_shipped", by=None, carrier="UPS")

    assert "capture" in str(failed.value)
    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert order.payment_status == PaymentStatus.CAPTURE_FAILED
    capture = order.transactions.get(kind=PaymentTransaction.Kind.CAPTURE)
    assert capture.result == "declined"
    assert not order.shipments.exists()
    assert not transitioned_events(order).exists()
    assert order.events.filter(type="order_payment", payload__kind="capture").exists()


# ---- refund, reject, un-reject ------------------------------------------------------------


def test_refund_and_reject_refunds_the_remaining_amount_through_the_gateway(merchant):
    order = order_in_stage(merchant, Stage.COMPLETED)
    order_refund(order=order, amount=Decimal("10.00"), reason="customer_request", notify=False)

    order = walk(order, "refund_and_reject", reason="customer_request", notify=False)

    assert order.stage == Stage.REJECTED
    assert order.refunded_total == order.total == Decimal("25.00")
    assert order.payment_status == PaymentStatus.REFUNDED
    refunds = GatewayLedgerEntry.objects.filter(operation="refund", result="approved")
    assert sorted(entry.amount for entry in refunds) == [Decimal("10.00"), Decimal("15.00")]
    event = transitioned_events(order).last()
    assert event.payload["refunded"] == "15.00"


@pytest.mark.parametrize("card", [APPROVE_CARD, CAPTURE_FAILS_CARD])
def test_refund_and_reject_voids_an_authorization(merchant, card):
    merchant.capture_at_shipment = True
    merchant.save()
    order = place(merchant, card=card)
    if card == CAPTURE_FAILS_CARD:
        with pytest.raises(PaymentFailed):
            order_transition(order=order, name="mark_shipped", by=None, carrier="UPS")

    order = walk(order, "refund_and_reject", reason="customer_request")

    assert order.stage == Stage.REJECTED
    assert order.payment_status == PaymentStatus.VOIDED
    assert GatewayLedgerEntry.objects.filter(operation="void").count() == 1


def test_reject_needs_one_of_the_merchants_reason_codes(merchant):
    order = order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE)
    before = snapshot(order)

    for reason in ["", "because"]:
        with pytest.raises(InvalidInput):
            order_transition(order=order, name="reject", by=None, reason=reason)

    assert snapshot(order) == before


def test_reject_as_fraud_refunds_and_blocks_the_customer(merchant, manager):
    order = order_place(merchant=merchant, draft=risky_draft(ip_address="203.0.113.9"))
    assert order.stage == Stage.FRAUD_REVIEW

    order_transition(order=order, name="reject_as_fraud", by=manager, block=True)

    order.refresh_from_db()
    assert order.stage == Stage.REJECTED
    assert order.rejected_by == manager
    assert order.payment_status == PaymentStatus.REFUNDED
    blocked = set(BlockListEntry.objects.values_list("kind", "value"))
    assert ("email", "risky@mailinator.com") in blocked
    assert ("ip", "203.0.113.9") in blocked
    assert ("card", order.card_fingerprint) in blocked
    assert {kind for kind, _ in blocked} == {"email", "ip", "card", "address"}

    # The next order from the same email, with another card and address, scores the rule.
    follow_up = order_place(
        merchant=merchant,
        draft=card_draft(
            email="Risky@mailinator.com", card="4242424242424242", address1="9 Elm St"
        ),
    )
    rules = [hit["rule"] for hit in follow_up.fraud_reasons]
    assert rules.count("block_list") == 1
    assert follow_up.stage == Stage.FRAUD_REVIEW


def test_reject_as_fraud_without_block_adds_nothing_to_the_block_list(merchant):
    order = order_in_stage(merchant, Stage.FRAUD_REVIEW)

    walk(order, "reject_as_fraud")

    assert not BlockListEntry.objects.exists()
    signals_rules = fraud_assess(merchant=merchant, signals=_signals_of(order)).hits
    assert "block_list" not in [hit["rule"] for hit in signals_rules]


def _signals_of(order: Order):
    from orders.fraud import FraudSignals

    return FraudSignals(email=order.email, total=order.total)


def test_unreject_returns_to_accounts_receivable(merchant):
    order = order_in_stage(merchant, Stage.REJECTED)
    assert order.reject_reason == "other"

    order = walk(order, "unreject")

    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    assert order.reject_reason == ""
    assert order.rejected_at is None


# ---- people and system-only transitions ---------------------------------------------------


@pytest.mark.parametrize(("name", "stage"), list(SYSTEM_ONLY.items()))
def test_system_only_transitions_are_never_offered_to_or_run_by_people(merchant, name, stage):
    owner = member(merchant, "owner")
    order = order_in_stage(merchant, stage)
    before = snapshot(order)

    offered = {t.name for t in order_transitions_for_user(order=order, user=owner)}
    assert name not in offered
    with pytest.raises(TransitionNotPermitted):
        order_transition(order=order, name=name, by=owner)

    assert snapshot(order) == before


@pytest.mark.parametrize("stage", Stage.values)
def test_the_owner_is_offered_every_allowed_transition_except_system_ones(merchant, stage):
    owner = member(merchant, "owner")
    order = order_in_stage(merchant, stage)

    offered = {t.name for t in order_transitions_for_user(order=order, user=owner)}

    expected = {name for name, sources in ALLOWED.items() if stage in sources}
    assert offered == expected - set(SYSTEM_ONLY)
