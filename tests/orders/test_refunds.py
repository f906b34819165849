"""Refunds: full, by line, by amount, outside the gateway, and who may refund how much."""

from decimal import Decimal

import pytest

from orders.exceptions import InvalidInput, TransitionNotPermitted
from orders.models import GatewayLedgerEntry, Order, OrderEvent, PaymentTransaction
from orders.services.refunds import order_refund
from orders.services.transitions import order_transition
from orders.states import PaymentMethod, PaymentStatus, Stage
from tests.factories import ItemFactory, member, place

D = Decimal


@pytest.fixture
def item(merchant):
    return ItemFactory(merchant=merchant, price=D("20.00"), cost=D("8.00"))


@pytest.fixture
def paid(merchant, item):
    """Three widgets at 20.00 (cost 8.00 each) and 5.00 shipping, charged: 65.00."""
    order = place(merchant, item=item, quantity=3)
    assert (order.total, order.cost_of_goods, order.actual_profit) == (
        D("65.00"),
        D("24.00"),
        D("41.00"),
    )
    return order


def gateway_refunds() -> list[Decimal]:
    return sorted(
        GatewayLedgerEntry.objects.filter(operation="refund").values_list("amount", flat=True)
    )


def facts(order: Order) -> tuple:
    fresh = Order.objects.get(pk=order.pk)
    return (
        fresh.stage,
        fresh.payment_status,
        fresh.refunded_total,
        fresh.actual_profit,
        fresh.updated_at,
        [line.refunded_quantity for line in fresh.lines.all()],
        OrderEvent.objects.filter(order=order).count(),
        PaymentTransaction.objects.filter(order=order).count(),
        GatewayLedgerEntry.objects.count(),
    )


def test_a_full_refund_returns_everything_through_the_gateway(paid):
    refunded = order_refund(order=paid, full=True, reason="customer_request", notify=False)

    paid.refresh_from_db()
    assert (refunded.amount, refunded.moved_money) == (D("65.00"), True)
    assert paid.refunded_total == D("65.00")
    assert paid.payment_status == PaymentStatus.REFUNDED
    assert paid.refunded_at is not None
    assert paid.lines.get().refunded_quantity == 3
    assert paid.actual_profit == D("-24.00")
    assert paid.stage == Stage.SHIPPING, "a refund does not change the stage"
    assert gateway_refunds() == [D("65.00")]
    event = paid.events.get(type="order_refunded")
    assert event.payload["amount"] == "65.00"
    assert event.payload["external"] is False


def test_a_partial_refund_by_line(paid):
    line = paid.lines.get()

    order_refund(order=paid, line_quantities={line.pk: 2}, notify=False)

    paid.refresh_from_db()
    line.refresh_from_db()
    assert line.refunded_quantity == 2
    assert paid.refunded_total == D("40.00")
    assert paid.payment_status == PaymentStatus.PARTIALLY_REFUNDED
    assert paid.actual_profit == D("1.00")
    assert gateway_refunds() == [D("40.00")]


def test_a_line_cannot_be_refunded_beyond_its_quantity(paid):
    line = paid.lines.get()
    order_refund(order=paid, line_quantities={line.pk: 2}, notify=False)
    before = facts(paid)

    with pytest.raises(InvalidInput, match="at most 1"):
        order_refund(order=paid, line_quantities={line.pk: 2}, notify=False)

    assert facts(paid) == before


def test_a_line_of_another_order_is_refused(merchant, paid):
    other = place(merchant, email="zed@example.com")
    before = facts(paid)

    with pytest.raises(InvalidInput):
        order_refund(order=paid, line_quantities={other.lines.get().pk: 1}, notify=False)

    assert facts(paid) == before


def test_a_partial_refund_by_amount(paid):
    order_refund(order=paid, amount=D("10.005"), notify=False)

    paid.refresh_from_db()
    assert paid.refunded_total == D("10.01")
    assert paid.payment_status == PaymentStatus.PARTIALLY_REFUNDED
    assert paid.lines.get().refunded_quantity == 0
    assert paid.actual_profit == D("30.99")
    assert gateway_refunds() == [D("10.01")]


def test_partial_refunds_add_up_to_a_full_one(paid):
    order_refund(order=paid, amount=D("60.00"), notify=False)
    order_refund(order=paid, amount=D("5.00"), notify=False)

    paid.refresh_from_db()
    assert paid.refunded_total == D("65.00")
    assert paid.payment_status == PaymentStatus.REFUNDED


def test_an_external_refund_does_not_call_the_gateway(paid):
    order_refund(order=paid, amount=D("15.00"), external=True, notify=False)

    paid.refresh_from_db()
    assert paid.refunded_total == D("15.00")
    assert paid.payment_status == PaymentStatus.PARTIALLY_REFUNDED
    assert gateway_refunds() == []
    assert paid.transactions.filter(kind=PaymentTransaction.Kind.EXTERNAL_REFUND).count() == 1
    assert paid.events.get(type="order_refunded").payload["external"] is True


@pytest.mark.parametrize("amount", [D("65.01"), D("100"), D("0"), D("-5")])
def test_a_refund_beyond_what_was_paid_or_not_positive_is_refused(paid, amount):
    before = facts(paid)

    with pytest.raises(InvalidInput):
        order_refund(order=paid, amount=amount, notify=False)

    assert facts(paid) == before


def test_nothing_is_left_to_refund_after_a_full_refund(paid):
    order_refund(order=paid, full=True, notify=False)
    before = facts(paid)

    with pytest.raises(InvalidInput):
        order_refund(order=paid, amount=D("1.00"), notify=False)

    assert facts(paid) == before


@pytest.mark.parametrize(
    ("method", "card_mode"),
    [(PaymentMethod.CHECK, "charge_now"), (PaymentMethod.CREDIT_CARD, "no_charge")],
)
def test_an_unpaid_order_has_nothing_to_refund(merchant, method, card_mode):
    order = place(merchant, method=method, card_mode=card_mode)
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE
    before = facts(order)

    with pytest.raises(InvalidInput, match="no payment"):
        order_refund(order=order, full=True, external=True, notify=False)

    assert facts(order) == before


def test_an_authorized_payment_is_voided_not_refunded(merchant):
    merchant.capture_at_shipment = True
    merchant.save()
    order = place(merchant)
    before = facts(order)

    with pytest.raises(InvalidInput):
        order_refund(order=order, full=True, notify=False)

    assert facts(order) == before


def test_a_settled_echeck_is_refunded_through_the_gateway(client, merchant):
    from django.core.management import call_command

    order = place(merchant, method=PaymentMethod.ECHECK, card=None)
    call_command("simulate_clearance", order.order_id)

    order_refund(order=order, full=True, notify=False)

    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.REFUNDED
    assert gateway_refunds() == [order.total]


def test_a_wallet_payment_is_refunded_outside_the_gateway(merchant):
    order = place(merchant, method=PaymentMethod.PAYPAL, card=None)
    assert order.payment_status == PaymentStatus.PROCESSED

    order_refund(order=order, full=True, notify=False)

    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.REFUNDED
    assert gateway_refunds() == []
    assert order.transactions.filter(kind=PaymentTransaction.Kind.EXTERNAL_REFUND).exists()


def test_a_cash_order_can_be_refunded_and_rejected(merchant):
    order = place(merchant, method=PaymentMethod.CASH, card=None)

    order_transition(order=order, name="refund_and_reject", by=None, reason="other", notify=False)

    order.refresh_from_db()
    assert order.stage == Stage.REJECTED
    assert order.refunded_total == order.total
    assert gateway_refunds() == []


def test_a_manager_may_refund_any_amount(merchant, manager, paid):
    order_refund(order=paid, full=True, by=manager, notify=False)

    paid.refresh_from_db()
    assert paid.payment_status == PaymentStatus.REFUNDED
    assert paid.events.get(type="order_refunded").actor == manager


def test_customer_service_refunds_up_to_the_merchants_limit(merchant, paid):
    merchant.customer_service_refund_limit = D("30.00")
    merchant.save()
    service = member(merchant, "service")
    line = paid.lines.get()
    before = facts(paid)

    with pytest.raises(TransitionNotPermitted, match=r"30\.00"):
        order_refund(order=paid, amount=D("30.01"), by=service, notify=False)
    with pytest.raises(TransitionNotPermitted):
        order_refund(order=paid, line_quantities={line.pk: 2}, by=service, notify=False)
    with pytest.raises(TransitionNotPermitted):
        order_refund(order=paid, full=True, by=service, notify=False)
    assert facts(paid) == before

    order_refund(order=paid, amount=D("10.00"), by=service, notify=False)
    order_refund(order=paid, line_quantities={line.pk: 1}, by=service, notify=False)

    paid.refresh_from_db()
    assert paid.refunded_total == D("30.00")


@pytest.fixture
def large(merchant):
    """A charged order of 405.00, for refunds past customer service's limit of 150.00."""
    merchant.customer_service_refund_limit = D("150.00")
    merchant.save()
    return place(merchant, price=D("400.00"))


def test_customer_service_s_limit_caps_the_total_it_refunds_on_one_order(merchant, large):
    service = member(merchant, "service")

    order_refund(order=large, amount=D("100.00"), by=service, notify=False)
    with pytest.raises(TransitionNotPermitted) as refused:
        order_refund(order=large, amount=D("60.00"), by=service, notify=False)
    assert str(refused.value) == (
        "Customer service may refund at most 150.00 on this order; 50.00 left."
    )
    order_refund(order=large, amount=D("50.00"), by=service, notify=False)
    with pytest.raises(TransitionNotPermitted, match=r"150\.00 on this order; 0\.00 left\."):
        order_refund(order=large, amount=D("0.01"), by=service, notify=False)

    large.refresh_from_db()
    assert large.refunded_total == D("150.00")
    assert gateway_refunds() == [D("50.00"), D("100.00")]
    assert large.events.filter(type="order_refunded").count() == 2


def test_another_customer_service_login_shares_the_order_s_limit(merchant, large):
    first = member(merchant, "service", username="first-agent")
    second = member(merchant, "service", username="second-agent")
    order_refund(order=large, amount=D("150.00"), by=first, notify=False)

    with pytest.raises(TransitionNotPermitted, match=r"0\.00 left"):
        order_refund(order=large, amount=D("1.00"), by=second, notify=False)

    assert Order.objects.get(pk=large.pk).refunded_total == D("150.00")


def test_a_manager_is_not_capped_and_their_refunds_leave_customer_service_s_limit(
    merchant, manager, large
):
    service = member(merchant, "service")
    order_refund(order=large, amount=D("150.00"), by=service, notify=False)

    order_refund(order=large, amount=D("200.00"), by=manager, notify=False)

    large.refresh_from_db()
    assert large.refunded_total == D("350.00")
    with pytest.raises(TransitionNotPermitted, match=r"0\.00 left"):
        order_refund(order=large, amount=D("0.01"), by=service, notify=False)


@pytest.mark.parametrize("role", ["shipping", "bookkeeper"])
def test_roles_without_the_refund_permission_cannot_refund(merchant, paid, role):
    user = member(merchant, role)
    before = facts(paid)

    with pytest.raises(TransitionNotPermitted):
        order_refund(order=paid, amount=D("1.00"), by=user, notify=False)

    assert facts(paid) == before


def test_a_member_of_another_merchant_cannot_refund(other_merchant, paid):
    outsider = member(other_merchant, "owner")
    before = facts(paid)

    with pytest.raises(TransitionNotPermitted):
        order_refund(order=paid, full=True, by=outsider, notify=False)

    assert facts(paid) == before


@pytest.mark.parametrize(
    "inputs",
    [
        {"amount": "ten"},
        {"amount": "NaN"},
        {"line_quantities": {"x": 1}},
        {"line_quantities": {1: "a"}},
    ],
    ids=["amount-word", "amount-nan", "line-not-a-number", "quantity-not-a-number"],
)
def test_a_refund_with_input_that_is_not_a_number_is_refused(paid, inputs):
    before = facts(paid)

    with pytest.raises(InvalidInput):
        order_refund(order=paid, notify=False, **inputs)

    assert facts(paid) == before
