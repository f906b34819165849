"""Returns (RMA): each step, each invariant, and the money to the cent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from orders.exceptions import (
    InvalidInput,
    LimitExceeded,
    PaymentFailed,
    TransitionNotAvailable,
    TransitionNotPermitted,
)
from orders.models import (
    GatewayLedgerEntry,
    Order,
    OrderEvent,
    OutboxMessage,
    PaymentTransaction,
    Return,
    ReturnLine,
)
from orders.selectors.fulfilment import line_shipped_quantities
from orders.selectors.returns import returnable_quantities
from orders.services.deletion import order_delete, orders_deleted_purge
from orders.services.refunds import order_refund
from orders.services.returns import (
    return_authorize,
    return_cancel,
    return_open,
    return_receive,
    return_refund,
    return_reject,
)
from orders.states import PaymentStatus, Stage
from orders.timeline import event_sentence
from tests.factories import member, place
from tests.orders.builders import order_in_stage
from tests.orders.returns import authorized, line_of, opened, received, shipped_order

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def order(merchant):
    """Three widgets at 20.00 and 5.00 shipping, charged and shipped: 65.00."""
    shipped = shipped_order(merchant)
    assert (shipped.total, shipped.shipping_total, shipped.stage) == (
        D("65.00"),
        D("5.00"),
        Stage.COMPLETED,
    )
    return shipped


def state(order: Order) -> tuple:
    """Everything a refused step must leave as it was."""
    fresh = Order.objects.get(pk=order.pk)
    return (
        fresh.refunded_total,
        fresh.payment_status,
        [line.refunded_quantity for line in fresh.lines.all()],
        list(Return.objects.filter(order=order).values_list("status", "rma_number")),
        list(
            ReturnLine.objects.filter(return_request__order=order).values_list(
                "quantity", "received_quantity", "refunded_quantity"
            )
        ),
        OrderEvent.objects.filter(order=order).count(),
        OutboxMessage.objects.count(),
        PaymentTransaction.objects.filter(order=order).count(),
        GatewayLedgerEntry.objects.count(),
    )


def topics(order: Order) -> list[str]:
    return list(
        OutboxMessage.objects.filter(order_pk=order.pk, topic__startswith="return.")
        .order_by("id")
        .values_list("topic", flat=True)
    )


def gateway_refunds() -> list[Decimal]:
    return list(
        GatewayLedgerEntry.objects.filter(operation="refund", result="approved")
        .order_by("id")
        .values_list("amount", flat=True)
    )


# ---- what has shipped ------------------------------------------------------------------------


def test_nothing_has_shipped_before_the_order_ships_and_everything_after(merchant):
    placed = place(merchant, quantity=2)
    assert line_shipped_quantities(placed) == {line_of(placed).pk: 0}

    completed = shipped_order(merchant, quantity=2)
    assert line_shipped_quantities(completed) == {line_of(completed).pk: 2}


# ---- each step -------------------------------------------------------------------------------


def test_staff_open_a_return_that_starts_requested_with_its_event_and_webhook(order, manager):
    request = return_open(
        order=order,
        lines={line_of(order).pk: 2},
        reason="defective",
        reason_text="Cracked lid",
        by=manager,
    )

    assert (request.status, request.rma_number, request.requested_by) == (
        "requested",
        "",
        manager,
    )
    assert list(request.lines.values_list("quantity", flat=True)) == [2]
    event = OrderEvent.objects.get(order=order, type="order_return_opened")
    assert event.payload["lines"] == {str(line_of(order).pk): 2}
    assert event.actor == manager
    assert topics(order) == ["return.requested"]


def test_authorizing_gives_the_rma_number_and_emails_it_to_the_customer(order, manager):
    request = opened(order)

    with TestCase.captureOnCommitCallbacks(execute=True):
        request = return_authorize(request=request, by=manager)

    assert request.status == "authorized"
    assert request.rma_number == f"RMA-{order.order_id}-1"
    assert request.authorized_by == manager
    assert request.authorized_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [order.email]
    assert request.rma_number in mail.outbox[0].body
    assert topics(order) == ["return.requested", "return.authorized"]
    assert OrderEvent.objects.filter(order=order, type="order_email_sent").exists()


def test_a_second_return_of_the_order_gets_the_next_number(order):
    first = authorized(order, 1)
    second = authorized(order, 1)

    assert (first.rma_number, second.rma_number) == (
        f"RMA-{order.order_id}-1",
        f"RMA-{order.order_id}-2",
    )


def test_receiving_records_quantities_and_condition(order, manager):
    request = authorized(order, 2)

    request = return_receive(
        request=request, received={line_of(order).pk: 1}, condition="damaged", by=manager
    )

    assert (request.status, request.condition, request.received_by) == (
        "received",
        "damaged",
        manager,
    )
    assert request.lines.get().received_quantity == 1
    assert topics(order)[-1] == "return.received"


def test_rejecting_needs_a_reason_and_frees_the_quantity(order, manager):
    request = opened(order, 3)
    with pytest.raises(InvalidInput, match="Say why"):
        return_reject(request=request, why="  ", by=manager)

    request = return_reject(request=request, why="Outside 30 days", by=manager)

    assert (request.status, request.rejection_reason) == ("rejected", "Outside 30 days")
    assert returnable_quantities(order) == {line_of(order).pk: 3}
    assert topics(order)[-1] == "return.rejected"


def test_cancelling_frees_the_quantity(order, manager):
    request = authorized(order, 3)

    request = return_cancel(request=request, by=manager)

    assert request.status == "cancelled"
    assert returnable_quantities(order) == {line_of(order).pk: 3}
    assert topics(order)[-1] == "return.cancelled"


# ---- the refund, to the cent -----------------------------------------------------------------


def test_refunding_a_whole_return_keeps_order_lines_and_gateway_in_agreement(order, manager):
    request = received(order, 2)

    outcome = return_refund(request=request, by=manager, notify=False)

    fresh = Order.objects.get(pk=order.pk)
    request.refresh_from_db()
    assert outcome.moved_money
    assert fresh.refunded_total == D("40.00")
    assert fresh.payment_status == PaymentStatus.PARTIALLY_REFUNDED
    assert line_of(fresh).refunded_quantity == 2
    assert gateway_refunds() == [D("40.00")]
    assert (request.status, request.refunded_amount, request.refunded_by) == (
        "refunded",
        D("40.00"),
        manager,
    )
    assert request.lines.get().refunded_quantity == 2
    refunded = OrderEvent.objects.get(order=order, type="order_refunded")
    assert refunded.payload["amount"] == "40.00"
    assert refunded.payload["lines"] == {str(line_of(order).pk): 2}
    assert topics(order)[-1] == "return.refunded"


def test_a_restocking_fee_amount_is_kept_from_the_refund(order, manager):
    request = received(order, 2)

    return_refund(request=request, restocking_fee="7.50", by=manager, notify=False)

    request.refresh_from_db()
    assert Order.objects.get(pk=order.pk).refunded_total == D("32.50")
    assert gateway_refunds() == [D("32.50")]
    assert (request.refunded_amount, request.restocking_fee) == (D("32.50"), D("7.50"))


def test_a_restocking_percentage_rounds_to_the_cent(merchant, manager):
    order = shipped_order(merchant, quantity=1, price=D("19.99"))
    request = received(order, 1)

    # 15% of 19.99 is 2.9985: the fee is 3.00, the refund 16.99.
    return_refund(request=request, restocking_percent="15", by=manager, notify=False)

    request.refresh_from_db()
    assert request.restocking_fee == D("3.00")
    assert Order.objects.get(pk=order.pk).refunded_total == D("16.99")
    assert gateway_refunds() == [D("16.99")]


def test_refunding_shipping_adds_the_order_s_shipping_once(order, manager):
    first = received(order, 1)
    return_refund(request=first, refund_shipping=True, by=manager, notify=False)
    second = received(order, 1)
    before = state(order)

    with pytest.raises(InvalidInput, match="shipping was already refunded"):
        return_refund(request=second, refund_shipping=True, by=manager, notify=False)

    assert state(order) == before
    assert Order.objects.get(pk=order.pk).refunded_total == D("25.00")
    return_refund(request=second, by=manager, notify=False)
    assert Order.objects.get(pk=order.pk).refunded_total == D("45.00")
    assert gateway_refunds() == [D("25.00"), D("20.00")]


def test_a_partial_refund_of_what_was_received(order, manager):
    request = received(order, 3)

    return_refund(request=request, line_quantities={line_of(order).pk: 1}, by=manager, notify=False)

    request.refresh_from_db()
    assert request.lines.get().refunded_quantity == 1
    assert line_of(Order.objects.get(pk=order.pk)).refunded_quantity == 1
    assert Order.objects.get(pk=order.pk).refunded_total == D("20.00")


def test_an_external_refund_records_without_the_gateway(order, manager):
    request = received(order, 1)

    return_refund(request=request, external=True, by=manager, notify=False)

    assert Order.objects.get(pk=order.pk).refunded_total == D("20.00")
    assert gateway_refunds() == []


def test_a_gateway_decline_reads_as_a_decline_and_changes_nothing(order, manager):
    request = received(order, 1)
    # The gateway no longer knows the charge, so it refuses the refund.
    GatewayLedgerEntry.objects.filter(operation="charge").update(reference="gone")
    before = state(order)

    with pytest.raises(PaymentFailed):
        return_refund(request=request, by=manager, notify=False)

    assert state(order) == before
    assert Return.objects.get(pk=request.pk).status == "received"


def test_customer_service_limit_still_applies(order, merchant):
    merchant.customer_service_refund_limit = D("30.00")
    merchant.save()
    agent = member(merchant, "service")
    request = received(order, 2)
    before = state(order)

    with pytest.raises(LimitExceeded, match=r"at most 30\.00"):
        return_refund(request=request, by=agent, notify=False)

    assert state(order) == before
    return_refund(request=request, line_quantities={line_of(order).pk: 1}, by=agent, notify=False)
    assert Order.objects.get(pk=order.pk).refunded_total == D("20.00")


# ---- the invariants: refused with a clear message, nothing changed ---------------------------


def test_no_more_can_be_returned_than_shipped_less_other_returns(order, manager):
    opened(order, 2)
    before = state(order)

    with pytest.raises(InvalidInput, match="at most 1 can be returned"):
        return_open(order=order, lines={line_of(order).pk: 2}, reason="other", by=manager)

    assert state(order) == before


def test_a_refunded_return_still_holds_its_quantity(order, manager):
    return_refund(request=received(order, 3), by=manager, notify=False)

    with pytest.raises(InvalidInput, match="at most 0 can be returned"):
        return_open(order=order, lines={line_of(order).pk: 1}, reason="other", by=manager)


@pytest.mark.parametrize("stage", [Stage.SHIPPING, Stage.ACCOUNTS_RECEIVABLE, Stage.REJECTED])
def test_an_unshipped_or_rejected_order_takes_no_return(merchant, manager, stage):
    order = order_in_stage(merchant, stage)
    before = state(order)

    with pytest.raises(TransitionNotAvailable):
        return_open(order=order, lines={line_of(order).pk: 1}, reason="other", by=manager)

    assert state(order) == before


def test_a_deleted_order_takes_no_return(order, manager):
    order_delete(order=order, reason="duplicate", by=manager)

    with pytest.raises(TransitionNotAvailable, match="deleted"):
        return_open(order=order, lines={line_of(order).pk: 1}, reason="other", by=manager)
    assert not Return.objects.exists()


def test_a_line_of_another_order_is_refused(merchant, order, manager):
    other = shipped_order(merchant)
    before = state(order)

    with pytest.raises(InvalidInput, match="does not belong"):
        return_open(order=order, lines={line_of(other).pk: 1}, reason="other", by=manager)

    assert state(order) == before


@pytest.mark.parametrize("quantity", [0, -1, 10**9, "two", None, "1.5"])
def test_zero_negative_absurd_or_non_numbers_are_refused(order, manager, quantity):
    before = state(order)

    with pytest.raises(InvalidInput):
        return_open(order=order, lines={line_of(order).pk: quantity}, reason="other", by=manager)

    assert state(order) == before


def test_a_reason_outside_the_list_is_refused(order, manager):
    with pytest.raises(InvalidInput, match="reason"):
        return_open(order=order, lines={line_of(order).pk: 1}, reason="whim", by=manager)
    assert not Return.objects.exists()


def test_more_received_than_authorized_is_refused(order, manager):
    request = authorized(order, 1)
    before = state(order)

    with pytest.raises(InvalidInput, match="at most 1 were authorized"):
        return_receive(
            request=request, received={line_of(order).pk: 2}, condition="new", by=manager
        )
    with pytest.raises(InvalidInput, match="condition"):
        return_receive(request=request, received={line_of(order).pk: 1}, condition="", by=manager)

    assert state(order) == before


def test_more_refunded_than_received_is_refused(order, manager):
    request = received(order, 3, got=1)
    before = state(order)

    with pytest.raises(InvalidInput, match="at most 1 received"):
        return_refund(request=request, line_quantities={line_of(order).pk: 2}, by=manager)

    assert state(order) == before


@pytest.mark.parametrize(
    ("fees", "message"),
    [
        ({"restocking_fee": "40.01"}, "at most the goods"),
        ({"restocking_percent": "101"}, "at most 100"),
        ({"restocking_fee": "-1"}, "zero or more"),
        ({"restocking_fee": "1", "restocking_percent": "5"}, "not both"),
        ({"restocking_fee": "40.00"}, "comes to nothing"),
        ({"restocking_fee": "NaN"}, "zero or more"),
    ],
)
def test_impossible_restocking_fees_are_refused(order, manager, fees, message):
    request = received(order, 2)
    before = state(order)

    with pytest.raises(InvalidInput, match=message):
        return_refund(request=request, by=manager, **fees)

    assert state(order) == before


def test_a_refund_beyond_what_is_left_on_the_order_is_refused(order, manager):
    request = received(order, 3)
    order_refund(order=order, amount=D("50.00"), by=manager, notify=False)
    before = state(order)

    with pytest.raises(InvalidInput, match=r"At most 15\.00 is left"):
        return_refund(request=request, by=manager)

    assert state(order) == before


@pytest.mark.parametrize(
    "step",
    [
        lambda r: return_receive(request=r, received={}, condition="new"),
        lambda r: return_refund(request=r),
    ],
)
def test_steps_out_of_order_are_refused(order, step):
    request = opened(order, 1)

    with pytest.raises(TransitionNotAvailable, match="is requested"):
        step(request)


def test_an_authorized_return_cannot_be_authorized_again(order):
    request = authorized(order, 1)

    with pytest.raises(TransitionNotAvailable, match="is authorized: cannot authorize"):
        return_authorize(request=request)


def test_a_refunded_return_cannot_be_refunded_again(order, manager):
    request = received(order, 1)
    return_refund(request=request, by=manager, notify=False)
    before = state(order)

    with pytest.raises(TransitionNotAvailable, match="is refunded"):
        return_refund(request=request, by=manager)

    assert state(order) == before


# ---- who may ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["bookkeeper", "shipping"])
def test_roles_without_manage_returns_cannot_open_or_authorize(order, merchant, role):
    user = member(merchant, role)
    with pytest.raises(TransitionNotPermitted):
        return_open(order=order, lines={line_of(order).pk: 1}, reason="other", by=user)
    request = opened(order)
    with pytest.raises(TransitionNotPermitted):
        return_authorize(request=request, by=user)


def test_the_shipping_clerk_records_what_came_back(order, merchant):
    clerk = member(merchant, "shipping")
    request = authorized(order, 1)

    request = return_receive(
        request=request, received={line_of(order).pk: 1}, condition="new", by=clerk
    )

    assert request.status == "received"


def test_a_member_of_another_merchant_cannot_act(order, other_merchant):
    stranger = member(other_merchant, "owner")
    with pytest.raises(TransitionNotPermitted):
        return_open(order=order, lines={line_of(order).pk: 1}, reason="other", by=stranger)


def test_a_purged_order_takes_its_returns_with_it(order, merchant, manager):
    # Refunded through the gateway: the refund's row names its capture (refund_of), which
    # must not keep the purge from taking both with the order.
    return_refund(request=received(order, 1), by=manager, notify=False)
    assert PaymentTransaction.objects.filter(order=order, refund_of__isnull=False).exists()
    order_delete(order=order, reason="test order", by=manager)
    merchant.retention_days = 1
    merchant.save()

    orders_deleted_purge(now=timezone.now() + timedelta(days=2))

    assert not Order.objects.filter(pk=order.pk).exists()
    assert not Return.objects.exists()
    assert not ReturnLine.objects.exists()


def test_a_deleted_order_s_returns_do_not_move(order, manager):
    request = opened(order, 1)
    order_delete(order=order, reason="duplicate", by=manager)

    with pytest.raises(TransitionNotAvailable, match="deleted"):
        return_authorize(request=request, by=manager)

    assert Return.objects.get(pk=request.pk).status == "requested"


def test_the_timeline_tells_each_step_in_a_sentence(order, manager):
    request = received(order, 2)
    return_refund(request=request, restocking_fee="4.00", by=manager, notify=False)
    rma = f"RMA-{order.order_id}-1"

    sentences = [
        event_sentence(type=event.type, payload=event.payload)
        for event in OrderEvent.objects.filter(
            order=order, type__in=["order_return_opened", "order_return_changed"]
        ).order_by("id")
    ]

    assert sentences == [
        "Return of 2 items requested (defective)",
        f"{rma} authorized",
        f"{rma} received (opened)",
        f"{rma} refunded 36.00 (restocking fee 4.00)",
    ]


def test_each_status_opens_only_its_steps_and_a_deleted_order_none(order, manager):
    """The steps the return's page offers are the ones its services accept (Return.STEP_FROM)."""
    assert opened(order, 1).steps_open() == {"authorize", "reject", "cancel"}
    second = shipped_order(order.merchant)
    assert authorized(second, 1).steps_open() == {"reject", "cancel", "receive"}
    third = shipped_order(order.merchant)
    request = received(third, 1)
    assert request.steps_open() == {"refund"}

    order_delete(order=third, reason="duplicate", by=manager)
    request.refresh_from_db()
    assert request.steps_open() == frozenset()
