"""The story of a demo order: how it was paid at placement, then each transition it went
through, with the fields, transactions, shipments and events the real services would have left."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from orders.models import BlockListEntry, Order, OrderEventType, PaymentTransaction, Role, Shipment
from orders.states import PaymentStatus, Stage

from . import data

if TYPE_CHECKING:
    from .builder import OrderBuilder, OrderBundle

S = Stage
PS = PaymentStatus
Kind = PaymentTransaction.Kind


def story_tell(b: OrderBuilder, bundle: OrderBundle, path: data.DemoPath) -> None:
    """Play `path` on the order: its placement, payment and each transition, with events."""
    order = bundle.order
    moment = order.placed_at
    placed = b.event(bundle, OrderEventType.PLACED, moment, None, stage=path.first)
    pay_at_placement(b, bundle, path.payment, moment)
    placed.payload["payment"] = order.payment_status
    stage = path.first
    for name in path.steps:
        moment = b.later(moment)
        target, payload, actor = step(b, bundle, name, stage, moment)
        b.event(
            bundle,
            OrderEventType.TRANSITIONED,
            moment,
            actor,
            transition=name,
            source=stage,
            target=target,
            **payload,
        )
        stage = target
    order.stage_entered_at = moment
    if stage != order.stage:
        raise AssertionError(f"{path} ends in {stage}, not {order.stage}")


def pay_at_placement(b: OrderBuilder, bundle: OrderBundle, payment: str, moment: datetime) -> None:
    order = bundle.order
    avs = "N" if any(h["rule"] == "avs_mismatch" for h in order.fraud_reasons) else "Y"
    cvv = "N" if any(h["rule"] == "cvv_mismatch" for h in order.fraud_reasons) else "M"
    if payment in {"charge", "authorize"}:
        kind = Kind.CHARGE if payment == "charge" else Kind.AUTHORIZE
        b.transaction(bundle, kind, "approved", moment, "Approved.", avs=avs, cvv=cvv)
        order.payment_status = PS.PROCESSED if payment == "charge" else PS.AUTHORIZED
        order.paid_at = moment
    elif payment == "decline":
        message = "Card declined." if b.rng.random() < 0.6 else "Insufficient funds."
        b.transaction(bundle, Kind.CHARGE, "declined", moment, message, avs=avs, cvv=cvv)
        order.payment_status = PS.DECLINED
    elif payment == "pending":
        message = "Submitted; waiting for settlement."
        b.transaction(bundle, Kind.CHARGE, "pending", moment, message, operation="echeck")
        order.payment_status = PS.PENDING
    elif payment == "skip":
        order.payment_status = PS.SKIPPED
    elif payment == "cash":
        order.payment_status, order.paid_at = PS.PROCESSED, moment


def step(b: OrderBuilder, bundle: OrderBundle, name: str, stage: str, moment: datetime):
    """Apply transition `name`: returns its target, event details and who did it."""
    order, rng, staff = bundle.order, b.rng, b.staff
    manager = staff[Role.ORDER_MANAGER]
    settled = S.SHIPPING if order.requires_shipping else S.COMPLETED
    if name == "send_quote":
        order.quote_sent_at = moment
        return S.QUOTE_SENT, {}, manager
    if name == "expire_quote":
        order.reject_reason, order.rejected_at = "quote_expired", moment
        return S.REJECTED, {}, None
    if name == "record_payment":
        reference = data.payment_reference(order.payment_method, rng)
        b.transaction(
            bundle, Kind.RECORDED, "approved", moment, "Payment received", reference=reference
        )
        order.payment_reference, order.payment_status, order.paid_at = (
            reference,
            PS.PROCESSED,
            moment,
        )
        return settled, {"reference": reference}, manager
    if name == "process_payment":
        b.transaction(bundle, Kind.CHARGE, "approved", moment, "Approved.")
        order.payment_status, order.paid_at = PS.PROCESSED, moment
        return settled, {"payment": "approved", "message": "Approved."}, manager
    if name in {"confirm_clearance", "fail_clearance"}:
        return clearance(b, bundle, name, moment, settled)
    if name == "approve":
        return S.SHIPPING, {}, manager
    if name == "hold":
        return hold(b, order, stage, moment)
    if name == "mark_shipped":
        return ship(b, bundle, moment)
    return reject(b, bundle, name, moment)


def clearance(b: OrderBuilder, bundle: OrderBundle, name: str, moment: datetime, settled: str):
    order = bundle.order
    cleared = name == "confirm_clearance"
    settlement = f"evt_seed_{b.rng.getrandbits(64):016x}"
    reference = bundle.transactions[0].gateway_reference
    # The bank's answer reaches the gateway's books before its webhook reaches us (as
    # TestGateway.settle does), so a cleared debit can be refunded through the gateway.
    for entry in bundle.ledger:
        if entry.reference == reference and entry.result == "pending":
            entry.result = "approved" if cleared else "declined"
    b.transaction(
        bundle,
        Kind.SETTLEMENT,
        "approved" if cleared else "declined",
        moment,
        "Payment cleared" if cleared else "Payment returned",
        key=f"webhook:{settlement}",
        reference=reference,
    )
    if cleared:
        order.payment_status, order.paid_at = PS.PROCESSED, moment
        return settled, {"settlement_id": settlement}, None
    order.payment_status = PS.DECLINED
    return S.ACCOUNTS_RECEIVABLE, {}, None


def hold(b: OrderBuilder, order: Order, stage: str, moment: datetime):
    rng = b.rng
    order.held_from_stage = stage
    order.hold_reason = rng.choice(data.HOLD_REASONS)
    order.hold_until = b.today + timedelta(days=rng.randrange(2, 21))
    if rng.random() < 0.4:
        order.hold_until = None
    payload = {"reason": order.hold_reason, "until": order.hold_until, "from": stage}
    if payload["until"] is not None:
        payload["until"] = payload["until"].isoformat()
    return S.HOLD, payload, b.staff[Role.SHIPPING_CLERK]


def ship(b: OrderBuilder, bundle: OrderBundle, moment: datetime):
    order, rng = bundle.order, b.rng
    if order.payment_status == PS.AUTHORIZED:
        b.transaction(bundle, Kind.CAPTURE, "approved", moment, "Captured.")
        order.payment_status = PS.PROCESSED
    order.shipped_at = moment
    payload = {"notify": True}
    if order.requires_shipping:
        carrier, tracking = data.tracking_new(order.shipping_country, rng)
        bundle.shipments.append(
            Shipment(
                order=order,
                carrier=carrier,
                method=order.shipping_method,
                tracking_numbers=tracking,
                shipped_at=moment,
            )
        )
        payload.update(carrier=carrier, tracking_numbers=tracking)
    return S.COMPLETED, payload, b.staff[Role.SHIPPING_CLERK]


def reject(b: OrderBuilder, bundle: OrderBundle, name: str, moment: datetime):
    order, rng = bundle.order, b.rng
    # The codes staff choose; "fraud" and "quote_expired" are set by their own transitions.
    codes = [c for c in b.merchant.reject_reason_codes if c not in {"fraud", "quote_expired"}] or [
        "other"
    ]
    reason = "fraud" if name == "reject_as_fraud" else rng.choice(codes)
    actor = b.staff[Role.ORDER_MANAGER]
    payload: dict = {"reason": reason}
    if order.payment_status == PS.AUTHORIZED:
        b.transaction(bundle, Kind.VOID, "approved", moment, "Voided.", amount=Decimal(0))
        order.payment_status = PS.VOIDED
    elif order.payment_status in {PS.PROCESSED, PS.PARTIALLY_REFUNDED} and name != "reject":
        remaining = order.total - order.refunded_total
        refund_add(b, bundle, remaining, moment, reason, actor)
        for line in bundle.lines:
            line.refunded_quantity = line.quantity
        if name == "refund_and_reject":
            payload["refunded"] = str(remaining)
    if name == "reject_as_fraud":
        payload["blocked"] = []
        if rng.random() < 0.5:
            payload["blocked"] = [f"email:{order.email.lower()}"]
            bundle.blocked.append(
                BlockListEntry(
                    merchant=b.merchant,
                    kind=BlockListEntry.Kind.EMAIL,
                    value=order.email.lower(),
                    reason=f"Rejected as fraud: {order.order_id}",
                    created_by=actor,
                )
            )
    order.reject_reason, order.rejected_at, order.rejected_by = reason, moment, actor
    return S.REJECTED, payload, actor


def refund_add(
    b: OrderBuilder, bundle: OrderBundle, amount: Decimal, moment, reason: str, actor
) -> None:
    """A refund through the gateway (or recorded as made outside it) and its event."""
    order = bundle.order
    external = order.payment_method not in data.GATEWAY_PAID
    if external:
        b.transaction(
            bundle,
            Kind.EXTERNAL_REFUND,
            "approved",
            moment,
            "Refund made outside the gateway",
            amount=amount,
            key="",
        )
    else:
        b.transaction(bundle, Kind.REFUND, "approved", moment, "Refunded.", amount=amount)
    order.refunded_total += amount
    order.refunded_at = moment
    fully = order.refunded_total >= order.total
    order.payment_status = PS.REFUNDED if fully else PS.PARTIALLY_REFUNDED
    b.event(
        bundle,
        OrderEventType.REFUNDED,
        moment,
        actor,
        amount=str(amount),
        reason=reason,
        external=external,
        lines={},
        refunded_total=str(order.refunded_total),
    )
