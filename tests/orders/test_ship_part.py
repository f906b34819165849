"""Shipping an order in parts: chosen lines and quantities, the capture rule, completion."""

from decimal import Decimal

import pytest
from django.core import mail

from orders.exceptions import InvalidInput, PaymentFailed, TransitionNotAvailable
from orders.models import (
    GatewayLedgerEntry,
    Merchant,
    OrderEventType,
    OutboxMessage,
    PaymentTransaction,
    Shipment,
    WebhookTopic,
)
from orders.selectors.fulfilment import line_shipped_quantities, line_unshipped_quantities
from orders.services.placement import LineDraft
from orders.services.ship_part import order_ship_part
from orders.services.transitions import order_transition
from orders.states import PaymentStatus, Stage
from tests.factories import CAPTURE_FAILS_CARD, ItemFactory, member, place

pytestmark = pytest.mark.django_db


def three_lines():
    return [
        LineDraft(description="Kettle", sku="KET", quantity=1, unit_price=Decimal("30.00")),
        LineDraft(description="Mug", sku="MUG", quantity=3, unit_price=Decimal("10.00")),
        LineDraft(description="Tea", sku="TEA", quantity=2, unit_price=Decimal("5.00")),
    ]


def authorizing(merchant, rule=Merchant.ShipmentCapture.EACH_SHIPMENT):
    merchant.capture_at_shipment = True
    merchant.shipment_capture = rule
    merchant.save()
    return merchant


def line_ids(order):
    return [line.pk for line in order.lines.all()]


def captured_at_gateway(order) -> Decimal:
    return sum(
        (
            entry.amount
            for entry in GatewayLedgerEntry.objects.filter(
                operation="capture",
                result="approved",
                reference__in=order.transactions.filter(
                    kind=PaymentTransaction.Kind.CAPTURE
                ).values("gateway_reference"),
            )
        ),
        Decimal("0.00"),
    )


def captured_on_order(order) -> Decimal:
    return sum(
        (
            t.amount
            for t in order.transactions.filter(
                kind=PaymentTransaction.Kind.CAPTURE, result="approved"
            )
        ),
        Decimal("0.00"),
    )


def test_shipping_two_of_three_lines_keeps_the_order_in_shipping_and_captures_their_share(
    merchant, eager_tasks, django_capture_on_commit_callbacks
):
    authorizing(merchant)
    order = place(merchant, lines=three_lines())
    kettle, mugs, tea = line_ids(order)
    assert (order.stage, order.total) == (Stage.SHIPPING, Decimal("75.00"))

    with django_capture_on_commit_callbacks(execute=True):
        result = order_ship_part(
            order=order, lines={kettle: 1, mugs: 3}, carrier="UPS", tracking_numbers=["1ZA"]
        )

    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert not result.completed
    assert line_shipped_quantities(order) == {kettle: 1, mugs: 3, tea: 0}
    assert line_unshipped_quantities(order) == {tea: 2}
    # 60.00 of 70.00 of goods: 60/70 of the 75.00 total, to the cent.
    assert captured_on_order(order) == Decimal("64.29") == captured_at_gateway(order)
    assert order.payment_status == PaymentStatus.AUTHORIZED
    event = order.events.get(type=OrderEventType.SHIPPED_PART)
    assert [(row["line"], row["quantity"]) for row in event.payload["lines"]] == [(1, 1), (2, 3)]
    assert event.payload["captured"] == "64.29"
    assert OutboxMessage.objects.filter(
        order_pk=order.pk, topic=WebhookTopic.ORDER_SHIPMENT_CREATED
    ).exists()
    assert not OutboxMessage.objects.filter(
        order_pk=order.pk, topic=WebhookTopic.ORDER_SHIPPED
    ).exists()
    assert len(mail.outbox) == 1
    assert "Part of your order" in mail.outbox[0].body
    assert "3 × Mug" in mail.outbox[0].body
    assert "Tea" not in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        result = order_ship_part(
            order=order, lines={tea: 2}, carrier="USPS", tracking_numbers="94001"
        )

    order.refresh_from_db()
    assert result.completed
    assert order.stage == Stage.COMPLETED
    assert order.payment_status == PaymentStatus.PROCESSED
    assert line_unshipped_quantities(order) == {}
    assert captured_on_order(order) == order.total == captured_at_gateway(order)
    assert order.events.filter(
        type=OrderEventType.TRANSITIONED, payload__transition="mark_shipped"
    ).exists()
    assert OutboxMessage.objects.filter(
        order_pk=order.pk, topic=WebhookTopic.ORDER_SHIPPED
    ).exists()
    last = order.shipments.order_by("-id").first()
    assert [(row.line_id, row.quantity) for row in last.lines.all()] == [(tea, 2)]
    assert "Good news" in mail.outbox[-1].body
    assert "2 × Tea" in mail.outbox[-1].body


def test_capture_everything_at_the_first_shipment_is_the_default(merchant):
    authorizing(merchant, rule=Merchant.ShipmentCapture.ALL_AT_FIRST)
    order = place(merchant, lines=three_lines())
    kettle, mugs, tea = line_ids(order)

    order_ship_part(order=order, lines={kettle: 1}, carrier="UPS", notify=False)
    order.refresh_from_db()
    assert order.payment_status == PaymentStatus.PROCESSED
    assert captured_on_order(order) == order.total == captured_at_gateway(order)

    order_ship_part(order=order, lines={mugs: 3, tea: 2}, carrier="UPS", notify=False)
    order.refresh_from_db()
    assert order.stage == Stage.COMPLETED
    assert order.transactions.filter(kind=PaymentTransaction.Kind.CAPTURE).count() == 1
    assert Merchant._meta.get_field("shipment_capture").default == "all_at_first"


def test_a_line_split_over_two_shipments(merchant):
    order = place(merchant, lines=three_lines())
    kettle, mugs, tea = line_ids(order)

    order_ship_part(order=order, lines={mugs: 1}, carrier="UPS", notify=False)
    order_ship_part(order=order, lines={mugs: 1, kettle: 1}, carrier="UPS", notify=False)
    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert line_unshipped_quantities(order) == {mugs: 1, tea: 2}

    order_ship_part(order=order, lines={mugs: 1, tea: 2}, carrier="UPS", notify=False)
    order.refresh_from_db()
    assert order.stage == Stage.COMPLETED
    assert line_shipped_quantities(order) == {kettle: 1, mugs: 3, tea: 2}
    assert order.shipments.count() == 3


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("empty", "at least one line"),
        ("over", "only 3 left to ship"),
        ("zero", "at least 1"),
        ("negative", "at least 1"),
        ("foreign", "another order"),
        ("text", "whole numbers"),
    ],
)
def test_bad_shipments_are_refused_and_change_nothing(merchant, lines, message):
    order = place(merchant, lines=three_lines())
    foreign = place(merchant)
    _, mugs, _ = line_ids(order)
    chosen = {
        "over": {mugs: 4},
        "zero": {mugs: 0},
        "negative": {mugs: -1},
        "foreign": {foreign.lines.get().pk: 1},
        "text": {mugs: "two"},
        "empty": {},
    }[lines]

    with pytest.raises(InvalidInput, match=message):
        order_ship_part(order=order, lines=chosen, carrier="UPS")

    assert not Shipment.objects.exists()
    assert not order.events.filter(type=OrderEventType.SHIPPED_PART).exists()


def test_more_than_is_left_after_a_part_is_refused(merchant):
    order = place(merchant, lines=three_lines())
    _, mugs, _ = line_ids(order)
    order_ship_part(order=order, lines={mugs: 2}, carrier="UPS", notify=False)

    with pytest.raises(InvalidInput, match="only 1 left to ship, not 2"):
        order_ship_part(order=order, lines={mugs: 2}, carrier="UPS")
    assert order.shipments.count() == 1


def test_an_order_not_in_shipping_cannot_ship_a_part(merchant):
    order = place(merchant, lines=three_lines(), method="check", card=None)
    assert order.stage == Stage.ACCOUNTS_RECEIVABLE

    with pytest.raises(TransitionNotAvailable):
        order_ship_part(order=order, lines={line_ids(order)[0]: 1}, carrier="UPS")
    assert not order.shipments.exists()


def test_a_shipment_needs_a_carrier_and_at_most_five_tracking_numbers(merchant):
    order = place(merchant, lines=three_lines())
    kettle = line_ids(order)[0]
    with pytest.raises(InvalidInput, match="carrier"):
        order_ship_part(order=order, lines={kettle: 1}, carrier=" ")
    with pytest.raises(InvalidInput, match="At most 5"):
        order_ship_part(
            order=order, lines={kettle: 1}, carrier="UPS", tracking_numbers=list("abcdef")
        )
    assert not order.shipments.exists()


def test_a_non_shippable_line_never_needs_shipping(merchant):
    download = ItemFactory(merchant=merchant, sku="EBOOK", shippable=False)
    lines = [
        LineDraft(description="Kettle", sku="KET", quantity=1, unit_price=Decimal("30.00")),
        LineDraft(description="E-book", quantity=1, unit_price=Decimal("9.00"), item=download),
    ]
    order = place(merchant, lines=lines)
    kettle, ebook = line_ids(order)
    assert line_unshipped_quantities(order) == {kettle: 1}

    with pytest.raises(InvalidInput, match="is not shipped"):
        order_ship_part(order=order, lines={ebook: 1}, carrier="UPS")

    order_ship_part(order=order, lines={kettle: 1}, carrier="UPS", notify=False)
    order.refresh_from_db()
    assert order.stage == Stage.COMPLETED


def test_a_declined_part_capture_records_no_shipment_and_says_so(merchant):
    authorizing(merchant)
    order = place(merchant, lines=three_lines(), card=CAPTURE_FAILS_CARD)
    kettle = line_ids(order)[0]

    with pytest.raises(PaymentFailed, match="shipment was not recorded"):
        order_ship_part(order=order, lines={kettle: 1}, carrier="UPS")

    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING
    assert order.payment_status == PaymentStatus.CAPTURE_FAILED
    assert not order.shipments.exists()
    assert order.transactions.get(kind=PaymentTransaction.Kind.CAPTURE).result == "declined"
    assert not order.events.filter(type=OrderEventType.SHIPPED_PART).exists()


def test_whole_mark_shipped_ships_everything_not_yet_shipped(merchant):
    authorizing(merchant)
    order = place(merchant, lines=three_lines())
    kettle, mugs, tea = line_ids(order)
    order_ship_part(order=order, lines={mugs: 2}, carrier="UPS", notify=False)

    order_transition(order=order, name="mark_shipped", by=None, carrier="DHL", notify=False)

    order.refresh_from_db()
    assert order.stage == Stage.COMPLETED
    last = order.shipments.order_by("-id").first()
    assert {row.line_id: row.quantity for row in last.lines.all()} == {kettle: 1, mugs: 1, tea: 2}
    assert captured_on_order(order) == order.total == captured_at_gateway(order)


def test_mark_shipped_with_lines_that_leave_some_to_ship_is_refused(merchant):
    order = place(merchant, lines=three_lines())
    with pytest.raises(InvalidInput, match="part shipment"):
        order_transition(
            order=order, name="mark_shipped", by=None, carrier="UPS", lines={line_ids(order)[0]: 1}
        )
    order.refresh_from_db()
    assert order.stage == Stage.SHIPPING


def test_a_shipment_recorded_before_lines_carries_everything(merchant):
    order = place(merchant, lines=three_lines())
    Shipment.objects.create(order=order, carrier="UPS")
    kettle, mugs, tea = line_ids(order)

    assert line_shipped_quantities(order) == {kettle: 1, mugs: 3, tea: 2}
    assert line_unshipped_quantities(order) == {}


def test_the_gateway_never_captures_more_than_it_authorized(merchant):
    authorizing(merchant)
    order = place(merchant, lines=three_lines())
    authorization = order.transactions.get(kind=PaymentTransaction.Kind.AUTHORIZE)
    from orders.payments import gateway_for

    gateway = gateway_for(merchant)
    first = gateway.capture(
        reference=authorization.gateway_reference, amount=Decimal("70.00"), idempotency_key="a"
    )
    second = gateway.capture(
        reference=authorization.gateway_reference, amount=Decimal("5.01"), idempotency_key="b"
    )
    third = gateway.capture(
        reference=authorization.gateway_reference, amount=Decimal("5.00"), idempotency_key="c"
    )

    assert (first.result, second.result, third.result) == ("approved", "declined", "approved")
    assert gateway.captured(authorization.gateway_reference) == Decimal("75.00")


def test_a_bookkeeper_may_not_ship_a_part(merchant):
    order = place(merchant, lines=three_lines())
    viewer = member(merchant, "bookkeeper")
    from orders.exceptions import TransitionNotPermitted

    with pytest.raises(TransitionNotPermitted):
        order_ship_part(order=order, lines={line_ids(order)[0]: 1}, carrier="UPS", by=viewer)
    assert not order.shipments.exists()


def test_refund_and_reject_after_a_captured_part_voids_the_rest_and_refunds_the_part(merchant):
    authorizing(merchant)
    order = place(merchant, lines=three_lines())
    kettle = line_ids(order)[0]
    order_ship_part(order=order, lines={kettle: 1}, carrier="UPS", notify=False)
    order.refresh_from_db()
    part = captured_on_order(order)
    assert part == Decimal("32.14")

    order_transition(
        order=order, name="refund_and_reject", by=None, reason="customer_request", notify=False
    )

    order.refresh_from_db()
    assert order.stage == Stage.REJECTED
    assert order.payment_status == PaymentStatus.REFUNDED
    assert order.refunded_total == part
    refunds = GatewayLedgerEntry.objects.filter(operation="refund", result="approved")
    assert [entry.amount for entry in refunds] == [part] == [captured_at_gateway(order)]
    assert GatewayLedgerEntry.objects.filter(operation="void", result="approved").count() == 1


def test_the_order_document_names_each_shipments_lines_by_position(merchant):
    from orders.models import Order
    from orders.selectors.documents import order_document, order_documents_queryset

    order = place(merchant, lines=three_lines())
    _, mugs, tea = line_ids(order)
    order_ship_part(order=order, lines={mugs: 2, tea: 1}, carrier="UPS", notify=False)

    document = order_document(order_documents_queryset(Order.objects.filter(pk=order.pk)).get())

    assert document["shipments"][0]["lines"] == [
        {"position": 1, "quantity": 2},
        {"position": 2, "quantity": 1},
    ]
