"""Settlement of pending payments (e-checks, bank-funded wallets), reported by the provider."""

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.db import IntegrityError, transaction

from orders.exceptions import OrderError, WebhookRejected
from orders.models import Order, PaymentTransaction, WebhookDelivery
from orders.payments import GatewayResult
from orders.states import Stage

from .payments import payment_transaction_record
from .transitions import order_transition

SIGNATURE_HEADER = "X-Backoffice-Signature"
SETTLED = "payment.settled"
RETURNED = "payment.returned"
EVENT_FIELDS = ("id", "type", "order_id")


def webhook_sign(body: bytes, *, timestamp: int | None = None, secret: str | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    secret = secret or settings.PAYMENT_WEBHOOK_SECRET
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def webhook_verify(body: bytes, header: str) -> dict:
    """The payload of a correctly signed, fresh webhook; WebhookRejected otherwise."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        signature = parts["v1"]
    except (KeyError, ValueError) as exc:
        raise WebhookRejected("Missing or malformed signature.") from exc
    expected = webhook_sign(body, timestamp=timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, signature):
        raise WebhookRejected("Bad signature.")
    if abs(time.time() - timestamp) > settings.PAYMENT_WEBHOOK_TOLERANCE:
        raise WebhookRejected("Stale webhook: its timestamp is outside the tolerance.")
    try:
        payload = json.loads(body)
        fields = [payload[name] for name in EVENT_FIELDS]
    except (ValueError, KeyError, TypeError) as exc:
        raise WebhookRejected("The body is not a payment event.") from exc
    if not all(isinstance(value, str) and 0 < len(value) <= 100 for value in fields):
        raise WebhookRejected("The event's id, type and order_id must be short strings.")
    if not isinstance(payload.get("reference", ""), str):
        raise WebhookRejected("The event's reference must be a string.")
    return payload


def payment_settlement_receive(*, gateway: str, payload: dict) -> str:
    """Apply a verified settlement event once; a replayed event ID changes nothing.

    Side effects: moves the order out of pending clearance (shipping / completed on success,
    accounts receivable on failure) and records the settlement transaction.
    """
    if payload["type"] not in {SETTLED, RETURNED}:
        raise WebhookRejected(f"Unknown event type {payload['type']}.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookDelivery.objects.create(
                    gateway=gateway, event_id=payload["id"], payload=payload
                )
        except IntegrityError as exc:
            raise WebhookRejected("Replay: this event was already received.") from exc
        order = Order.objects.live().filter(order_id=payload["order_id"]).first()
        if order is None:
            raise WebhookRejected("No such order.")
        if order.stage != Stage.PENDING_CLEARANCE:
            raise WebhookRejected(f"{order.order_id} is not pending clearance.")
        settled = payload["type"] == SETTLED
        name = "confirm_clearance" if settled else "fail_clearance"
        try:
            order_transition(
                order=order,
                name=name,
                by=None,
                via=f"webhook:{gateway}",
                settlement_id=payload["id"],
            )
        except OrderError as exc:
            raise WebhookRejected(str(exc)) from exc
        payment_transaction_record(
            order=order,
            kind=PaymentTransaction.Kind.SETTLEMENT,
            result=GatewayResult(
                "approved" if settled else "declined",
                payload.get("reference", "")[:100] or _debit_reference(order),
                order.total,
                "Payment cleared" if settled else "Payment returned",
            ),
            idempotency_key=f"webhook:{payload['id']}",
            via=f"webhook:{gateway}",
        )
    return name


def _debit_reference(order: Order) -> str:
    """The gateway reference of the pending debit, when the provider's event names none."""
    debit = order.transactions.filter(kind=PaymentTransaction.Kind.CHARGE).order_by("-id").first()
    return debit.gateway_reference if debit else ""
