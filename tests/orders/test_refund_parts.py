"""Refunds of an order captured in parts: one gateway refund per capture, newest first, none
more than what is left of its capture; and refunds while only the shipped parts are captured.

Each test compares the gateway's books with the order: what the gateway captured and refunded
against this order's payments, the order's captured parts and its refunded_total."""

from decimal import Decimal

import pytest

from orders.exceptions import InvalidInput, LimitExceeded, PaymentFailed
from orders.models import GatewayLedgerEntry, Order, OrderEvent, OrderEventType, Role
from orders.models import PaymentTransaction as Payment
from orders.payments import TestGateway
from orders.payments.outcome import RefundOutcome
from orders.services.refunds import order_refund
from orders.services.ship_part import order_ship_part
from orders.services.transitions import order_transition
from orders.states import PaymentStatus, Stage
from tests.factories import member, place

from .test_ship_part import authorizing, line_ids, three_lines

pytestmark = pytest.mark.django_db

D = Decimal
# Three lines (kettle 30.00, three mugs at 10.00, two teas at 5.00) and 75.00 in all; each
# shipped part captures its share of the total: 30/70 of 75.00 is 32.14, the last the rest.
KETTLE_PART = MUGS_PART = D("32.14")
TEA_PART = D("10.72")


def shipping_order(merchant) -> Order:
    authorizing(merchant)
    order = place(merchant, lines=three_lines())
    assert (order.stage, order.total) == (Stage.SHIPPING, D("75.00"))
    return order


def ship(order: Order, *names: str) -> Order:
    kettle, mugs, tea = line_ids(order)
    quantities = {"kettle": (kettle, 1), "mugs": (mugs, 3), "tea": (tea, 2)}
    order_ship_part(
        order=order, lines=dict(quantities[n] for n in names), carrier="UPS", notify=False
    )
    order.refresh_from_db()
    return order


def captures(order: Order) -> list[Payment]:
    return list(order.transactions.filter(kind=Payment.Kind.CAPTURE, result="approved"))


def books(order: Order) -> dict[str, list[tuple[D, D]]]:
    """The gateway's own books for this order: each capture with what it refunded of it."""
    gateway = TestGateway()
    return {
        capture.gateway_reference: (capture.amount, gateway.refunded(capture.gateway_reference))
        for capture in captures(order)
    }


def refunded_at_gateway(order: Order) -> D:
    references = [capture.gateway_reference for capture in captures(order)]
    return sum(
        GatewayLedgerEntry.objects.filter(
            operation="refund", result="approved", token__in=references
        ).values_list("amount", flat=True),
        D("0.00"),
    )


def refund_rows(order: Order) -> list[tuple[D, str, str]]:
    """Each refund the order recorded: amount, result and the capture it names."""
    return [
        (row.amount, row.result, row.refund_of.gateway_reference)
        for row in order.transactions.filter(kind=Payment.Kind.REFUND).select_related("refund_of")
    ]


def facts(order: Order) -> tuple:
    fresh = Order.objects.get(pk=order.pk)
    return (
        fresh.stage,
        fresh.payment_status,
        fresh.refunded_total,
        [line.refunded_quantity for line in fresh.lines.all()],
        OrderEvent.objects.filter(order=order).count(),
        Payment.objects.filter(order=order).count(),
        GatewayLedgerEntry.objects.count(),
    )


def test_the_test_gateway_refuses_a_refund_larger_than_what_is_left_of_its_capture(merchant):
    order = ship(shipping_order(merchant), "kettle")
    reference = captures(order)[0].gateway_reference
    gateway = TestGateway()

    too_much = gateway.refund(reference=reference, amount=D("32.15"), idempotency_key="t:1")
    first = gateway.refund(reference=reference, amount=D("30.00"), idempotency_key="t:2")
    beyond = gateway.refund(reference=reference, amount=D("2.15"), idempotency_key="t:3")
    rest = gateway.refund(reference=reference, amount=D("2.14"), idempotency_key="t:4")

    assert [r.result for r in (too_much, first, beyond, rest)] == [
        "declined",
        "approved",
        "declined",
        "approved",
    ]
    assert too_much.message == "More than is left of the payment to refund."
    assert gateway.refunded(reference) == KETTLE_PART


def test_a_refund_larger_than_the_last_capture_is_split_over_two_captures_newest_first(
    merchant,
):
    order = ship(shipping_order(merchant), "kettle")
    order = ship(order, "mugs")
    kettle_capture, mugs_capture = captures(order)
    assert (kettle_capture.amount, mugs_capture.amount) == (KETTLE_PART, MUGS_PART)

    outcome = order_refund(order=order, amount=D("40.00"), notify=False)

    order.refresh_from_db()
    assert refund_rows(order) == [
        (D("32.14"), "approved", mugs_capture.gateway_reference),
        (D("7.86"), "approved", kettle_capture.gateway_reference),
    ]
    assert books(order) == {
        kettle_capture.gateway_reference: (D("32.14"), D("7.86")),
        mugs_capture.gateway_reference: (D("32.14"), D("32.14")),
    }
    assert order.refunded_total == D("40.00") == refunded_at_gateway(order)
    # Still shipping the tea: the rest of the authorization waits for it.
    assert (order.stage, order.payment_status) == (Stage.SHIPPING, PaymentStatus.AUTHORIZED)
    assert isinstance(outcome, RefundOutcome)
    assert (outcome.amount, outcome.parts, outcome.level) == (D("40.00"), 2, "success")
    assert outcome.summary == (
        "Refunded 40.00 to Visa ending 1111, in 2 refunds, one per payment it returns from."
    )
    event = order.events.get(type=OrderEventType.REFUNDED)
    assert event.payload["amount"] == "40.00"
    assert "not_refunded" not in event.payload


def test_a_full_refund_after_three_captures_refunds_each_capture_in_full(merchant):
    order = ship(shipping_order(merchant), "kettle")
    order = ship(order, "mugs")
    order = ship(order, "tea")
    assert order.stage == Stage.COMPLETED
    assert [c.amount for c in captures(order)] == [KETTLE_PART, MUGS_PART, TEA_PART]
    assert sum(c.amount for c in captures(order)) == order.total

    outcome = order_refund(order=order, full=True, notify=False)

    order.refresh_from_db()
    newest_first = [c.gateway_reference for c in reversed(captures(order))]
    assert refund_rows(order) == [
        (D("10.72"), "approved", newest_first[0]),
        (D("32.14"), "approved", newest_first[1]),
        (D("32.14"), "approved", newest_first[2]),
    ]
    assert all(captured == refunded for captured, refunded in books(order).values())
    assert order.refunded_total == order.total == refunded_at_gateway(order) == D("75.00")
    assert order.payment_status == PaymentStatus.REFUNDED
    assert [line.refunded_quantity for line in order.lines.all()] == [1, 3, 2]
    assert (outcome.amount, outcome.parts) == (D("75.00"), 3)
    # Nothing is left to refund, at the gateway or on the order.
    with pytest.raises(InvalidInput):
        order_refund(order=order, amount=D("0.01"), notify=False)


def test_refunds_after_a_full_refund_continue_from_what_earlier_refunds_left(merchant):
    order = ship(shipping_order(merchant), "kettle")
    order = ship(order, "mugs")
    order = ship(order, "tea")

    order_refund(order=order, amount=D("12.00"), notify=False)
    order_refund(order=order, amount=D("40.00"), notify=False)

    order.refresh_from_db()
    kettle_capture, mugs_capture, tea_capture = captures(order)
    # 12.00: 10.72 from the tea's capture, 1.28 from the mugs'; then 40.00: the 30.86 left
    # of the mugs' capture and 9.14 of the kettle's.
    assert books(order) == {
        kettle_capture.gateway_reference: (D("32.14"), D("9.14")),
        mugs_capture.gateway_reference: (D("32.14"), D("32.14")),
        tea_capture.gateway_reference: (D("10.72"), D("10.72")),
    }
    assert order.refunded_total == D("52.00") == refunded_at_gateway(order)
    assert order.payment_status == PaymentStatus.PARTIALLY_REFUNDED


def test_a_refund_while_shipping_after_one_part_capture_then_the_rest_ships(merchant):
    order = ship(shipping_order(merchant), "kettle")
    assert order.payment_status == PaymentStatus.AUTHORIZED
    kettle = line_ids(order)[0]

    order_refund(order=order, line_quantities={kettle: 1}, notify=False)

    order.refresh_from_db()
    (kettle_capture,) = captures(order)
    assert refund_rows(order) == [(D("30.00"), "approved", kettle_capture.gateway_reference)]
    assert books(order) == {kettle_capture.gateway_reference: (D("32.14"), D("30.00"))}
    assert order.refunded_total == D("30.00") == refunded_at_gateway(order)
    assert (order.stage, order.payment_status) == (Stage.SHIPPING, PaymentStatus.AUTHORIZED)
    assert [line.refunded_quantity for line in order.lines.all()] == [1, 0, 0]

    order = ship(order, "mugs", "tea")

    # The rest captured as it shipped: the gateway captured the whole total and refunded 30.00.
    assert order.stage == Stage.COMPLETED
    assert sum(c.amount for c in captures(order)) == order.total == D("75.00")
    assert order.refunded_total == D("30.00") == refunded_at_gateway(order)
    assert order.payment_status == PaymentStatus.PARTIALLY_REFUNDED


@pytest.mark.parametrize(
    "inputs",
    [{"amount": D("32.15")}, {"full": True}, {"lines": {"kettle": 1, "tea": 1}}],
    ids=["amount", "full", "lines"],
)
def test_a_refund_of_more_than_was_captured_is_refused_and_changes_nothing(merchant, inputs):
    order = ship(shipping_order(merchant), "kettle")
    kettle, _, tea = line_ids(order)
    if "lines" in inputs:
        inputs = {"line_quantities": {kettle: 1, tea: 1}}
    before = facts(order)

    with pytest.raises(InvalidInput) as refused:
        order_refund(order=order, notify=False, **inputs)

    assert str(refused.value) == (
        f"At most 32.14 can be refunded on {order.order_id}: 32.14 of its 75.00 has been "
        "captured as its parts shipped, and the rest is only authorized (rejecting the order "
        "voids it)."
    )
    assert facts(order) == before


def test_an_order_authorized_and_not_yet_captured_still_has_nothing_to_refund(merchant):
    order = shipping_order(merchant)
    before = facts(order)

    with pytest.raises(InvalidInput, match="only authorized, not charged"):
        order_refund(order=order, amount=D("1.00"), notify=False)

    assert facts(order) == before


def test_customer_service_s_refund_limit_applies_while_partly_captured(merchant):
    merchant.customer_service_refund_limit = D("20.00")
    merchant.save()
    order = ship(shipping_order(merchant), "kettle")
    agent = member(merchant, Role.CUSTOMER_SERVICE)
    before = facts(order)

    with pytest.raises(LimitExceeded):
        order_refund(order=order, amount=D("25.00"), by=agent, notify=False)
    assert facts(order) == before

    order_refund(order=order, amount=D("20.00"), by=agent, notify=False)
    order.refresh_from_db()
    assert order.refunded_total == D("20.00") == refunded_at_gateway(order)


def test_a_decline_on_the_second_part_keeps_the_first_and_says_what_was_not_refunded(
    merchant, django_capture_on_commit_callbacks
):
    order = ship(shipping_order(merchant), "kettle")
    order = ship(order, "mugs")
    kettle_capture, mugs_capture = captures(order)
    # Someone refunded 30.00 of the kettle's capture in the gateway's own console: the
    # gateway has 2.14 left of it, the order's records still say 32.14.
    console = TestGateway().refund(
        reference=kettle_capture.gateway_reference, amount=D("30.00"), idempotency_key="console:1"
    )
    assert console.approved
    lines_before = [line.refunded_quantity for line in order.lines.all()]

    with django_capture_on_commit_callbacks(execute=True):
        outcome = order_refund(order=order, amount=D("40.00"), notify=False)

    order.refresh_from_db()
    assert refund_rows(order) == [
        (D("32.14"), "approved", mugs_capture.gateway_reference),
        (D("7.86"), "declined", kettle_capture.gateway_reference),
    ]
    # What the order says it refunded is what the gateway refunded through it.
    assert order.refunded_total == D("32.14")
    assert TestGateway().refunded(mugs_capture.gateway_reference) == D("32.14")
    assert TestGateway().refunded(kettle_capture.gateway_reference) == D("30.00")  # console's
    assert [line.refunded_quantity for line in order.lines.all()] == lines_before
    assert (outcome.amount, outcome.not_refunded, outcome.level) == (
        D("32.14"),
        D("7.86"),
        "warning",
    )
    assert outcome.summary == (
        "Refunded 32.14 of 40.00 to Visa ending 1111: the gateway refused the refund of 7.86 "
        "(More than is left of the payment to refund). 7.86 was not refunded."
    )
    event = order.events.get(type=OrderEventType.REFUNDED)
    assert (event.payload["amount"], event.payload["not_refunded"]) == ("32.14", "7.86")


def test_a_refund_whose_first_part_is_declined_is_refused_and_records_nothing(merchant):
    order = ship(shipping_order(merchant), "kettle")
    (kettle_capture,) = captures(order)
    TestGateway().refund(
        reference=kettle_capture.gateway_reference, amount=D("32.00"), idempotency_key="console:1"
    )
    before = facts(order)[:4]

    with pytest.raises(PaymentFailed, match="did not go through"):
        order_refund(order=order, amount=D("10.00"), notify=False)

    assert facts(order)[:4] == before


def test_refund_and_reject_after_a_refund_while_shipping_returns_only_what_is_left(merchant):
    order = ship(shipping_order(merchant), "kettle")
    order = ship(order, "mugs")
    order_refund(order=order, amount=D("40.00"), notify=False)

    order_transition(
        order=order, name="refund_and_reject", by=None, reason="customer_request", notify=False
    )

    order.refresh_from_db()
    assert (order.stage, order.payment_status) == (Stage.REJECTED, PaymentStatus.REFUNDED)
    assert order.refunded_total == D("64.28") == refunded_at_gateway(order)
    assert all(captured == refunded for captured, refunded in books(order).values())
    assert GatewayLedgerEntry.objects.filter(operation="void", result="approved").count() == 1
