"""Money movements on an existing order: charge the card on file, capture, refund, void.

Each call records a PaymentTransaction and an event; the caller, which holds the order's row
lock, saves the order. Idempotency keys are derived from the order and the number of earlier
attempts, so a retry after a crash reuses the key and the gateway answers from its books.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from orders.actors import Actor
from orders.events import order_payment_event
from orders.exceptions import PaymentFailed
from orders.models import Order, PaymentTransaction
from orders.payments import GatewayResult, gateway_for
from orders.payments.base import CardToken
from orders.payments.outcome import PaymentOutcome, RefundOutcome
from orders.states import PaymentStatus

Kind = PaymentTransaction.Kind
# The payments the gateway settled, which refunds return money from.
SETTLED_KINDS = (Kind.CHARGE, Kind.CAPTURE, Kind.SETTLEMENT)


def payment_transaction_record(
    *,
    order: Order,
    kind: str,
    result: GatewayResult,
    idempotency_key: str,
    by: Actor = None,
    via: str = "",
    card: CardToken | None = None,
    refund_of: PaymentTransaction | None = None,
) -> PaymentTransaction:
    """Keep a gateway answer as a PaymentTransaction with its event; the card is the order's
    unless another card was used, and a refund names the settled payment it returns from."""
    brand, last4 = (card.brand, card.last4) if card else (order.card_brand, order.card_last4)
    transaction_row = PaymentTransaction.objects.create(
        order=order,
        kind=kind,
        amount=result.amount,
        result=result.result,
        gateway=gateway_for(order.merchant).name,
        gateway_reference=result.reference,
        idempotency_key=idempotency_key,
        avs_result=result.avs_result,
        cvv_result=result.cvv_result,
        message=result.message[:300],
        reason=result.reason,
        card_brand=brand if last4 else "",
        card_last4=last4,
        refund_of=refund_of,
    )
    order_payment_event(
        order=order,
        kind=kind,
        amount=result.amount,
        result=result.result,
        reference=result.reference,
        message=result.message,
        by=by,
        via=via,
        reason=result.reason,
    )
    return transaction_row


def _attempt_key(order: Order, kind: str) -> str:
    earlier = order.transactions.filter(kind=kind).count()
    return f"{order.merchant.code}:{order.order_id}:{kind}:{earlier + 1}"


def payment_charge_card_on_file(
    *, order: Order, by: Actor = None, via: str = "", idempotency_key: str = ""
) -> PaymentOutcome:
    """Charge (or authorize, if the merchant captures at shipment) the order's saved card."""
    if not order.gateway_token:
        raise PaymentFailed("There is no card on file for this order.")
    return payment_charge_token(
        order=order, token=order.gateway_token, by=by, via=via, idempotency_key=idempotency_key
    )


def payment_charge_token(
    *,
    order: Order,
    token: str,
    card: CardToken | None = None,
    by: Actor = None,
    via: str = "",
    idempotency_key: str = "",
) -> PaymentOutcome:
    """Charge (or authorize) the order's total to a gateway token: the card on file, or
    `card`, another card given for this payment."""
    gateway = gateway_for(order.merchant)
    authorize = order.merchant.capture_at_shipment
    kind = Kind.AUTHORIZE if authorize else Kind.CHARGE
    key = idempotency_key or _attempt_key(order, kind)
    call = gateway.authorize if authorize else gateway.charge
    result = call(token=token, amount=order.total, idempotency_key=key)
    row = payment_transaction_record(
        order=order, kind=kind, result=result, idempotency_key=key, by=by, via=via, card=card
    )
    if result.approved:
        order.payment_status = PaymentStatus.AUTHORIZED if authorize else PaymentStatus.PROCESSED
        order.paid_at = timezone.now()
        # The whole total was taken: no balance a line edit left is owed any more.
        order.balance_due = Decimal("0.00")
    else:
        order.payment_status = PaymentStatus.DECLINED
    return PaymentOutcome.of(row)


def payment_submit_echeck(
    *, order: Order, account: str, by: Actor = None, via: str = ""
) -> PaymentOutcome:
    """Debit a bank account; the payment stays pending until the settlement webhook."""
    gateway = gateway_for(order.merchant)
    key = _attempt_key(order, Kind.CHARGE)
    result = gateway.debit_bank(account=account, amount=order.total, idempotency_key=key)
    row = payment_transaction_record(
        order=order, kind=Kind.CHARGE, result=result, idempotency_key=key, by=by, via=via
    )
    order.payment_status = PaymentStatus.PENDING
    return PaymentOutcome.of(row)


def _authorization_latest(order: Order) -> PaymentTransaction | None:
    return order.transactions.filter(kind=Kind.AUTHORIZE, result="approved").order_by("-id").first()


def payment_captured_amount(order: Order) -> Decimal:
    """How much of the order's latest authorization has been captured (parts of it when the
    order ships in parts and the merchant captures each shipment)."""
    authorization = _authorization_latest(order)
    if authorization is None:
        return Decimal("0.00")
    captured = order.transactions.filter(
        kind=Kind.CAPTURE, result="approved", id__gt=authorization.pk
    ).aggregate(total=Sum("amount"))["total"]
    return captured or Decimal("0.00")


def payment_capture(
    *, order: Order, amount: Decimal | None = None, by: Actor = None, via: str = ""
) -> PaymentOutcome:
    """Capture an authorized payment: `amount` of it, or all that is left of it. Capturing the
    last of it makes the payment processed; a failure leaves payment status capture_failed."""
    authorization = _authorization_latest(order)
    if authorization is None:
        raise PaymentFailed("There is no authorized payment to capture.")
    left = order.total - payment_captured_amount(order)
    amount = left if amount is None else amount
    key = _attempt_key(order, Kind.CAPTURE)
    result = gateway_for(order.merchant).capture(
        reference=authorization.gateway_reference, amount=amount, idempotency_key=key
    )
    row = payment_transaction_record(
        order=order, kind=Kind.CAPTURE, result=result, idempotency_key=key, by=by, via=via
    )
    if not result.approved:
        order.payment_status = PaymentStatus.CAPTURE_FAILED
    elif amount >= left and order.refunded_total > 0:
        # Staff refunded some of the parts captured before this one.
        order.payment_status = (
            PaymentStatus.REFUNDED
            if order.refunded_total >= order.total
            else PaymentStatus.PARTIALLY_REFUNDED
        )
    elif amount >= left:
        order.payment_status = PaymentStatus.PROCESSED
    else:
        # Part captured, the rest still authorized for the shipments to come.
        order.payment_status = PaymentStatus.AUTHORIZED
    return PaymentOutcome.of(row)


def payment_settled_at_gateway(order: Order) -> PaymentTransaction | None:
    """The latest payment the gateway settled for this order."""
    return (
        order.transactions.filter(kind__in=SETTLED_KINDS, result="approved").order_by("-id").first()
    )


def payment_refundable_parts(order: Order) -> list[tuple[PaymentTransaction, Decimal]]:
    """Each settled payment (charge, capture, settlement) with what is left of it to refund,
    newest first: the order a refund is split in. Newest first because a refund mostly
    returns what shipped last, and because refunds recorded before they named their payment
    all went against the latest one, so they are counted against the newest here too."""
    settled = list(
        order.transactions.filter(kind__in=SETTLED_KINDS, result="approved").order_by("-id")
    )
    refunded_from: dict[int | None, Decimal] = defaultdict(Decimal)
    for refund in order.transactions.filter(kind=Kind.REFUND, result="approved"):
        refunded_from[refund.refund_of_id] += refund.amount
    unnamed = refunded_from.pop(None, Decimal("0.00"))
    parts = []
    for payment in settled:
        left = payment.amount - refunded_from[payment.pk]
        counted = min(max(left, Decimal("0.00")), unnamed)
        unnamed -= counted
        if left - counted > 0:
            parts.append((payment, left - counted))
    return parts


def payment_refundable_at_gateway(order: Order) -> Decimal:
    """What the gateway would still refund of this order's settled payments."""
    return sum((left for _, left in payment_refundable_parts(order)), Decimal("0.00"))


def payment_refund_through_gateway(
    *, order: Order, amount: Decimal, by: Actor = None, via: str = ""
) -> RefundOutcome:
    """Refund `amount` through the gateway, split over the settled payments newest first: each
    gateway refund names its own payment and asks at most what is left of it. A refusal stops
    the split; the parts refunded before it stay refunded (the gateway moved that money) and
    the outcome says what was not. PaymentFailed when nothing was refunded."""
    parts = payment_refundable_parts(order)
    if not parts:
        raise PaymentFailed("There is no settled payment to refund through the gateway.")
    gateway = gateway_for(order.merchant)
    rows = []
    left = amount
    for settled, refundable in parts:
        if left <= 0:
            break
        part = min(left, refundable)
        key = _attempt_key(order, Kind.REFUND)
        result = gateway.refund(
            reference=settled.gateway_reference, amount=part, idempotency_key=key
        )
        rows.append(
            payment_transaction_record(
                order=order,
                kind=Kind.REFUND,
                result=result,
                idempotency_key=key,
                by=by,
                via=via,
                refund_of=settled,
            )
        )
        if not result.approved:
            break
        left -= part
    outcome = RefundOutcome.of_parts(rows, asked=amount)
    if outcome.amount <= 0:
        raise PaymentFailed(PaymentOutcome.of(rows[-1]).summary)
    return outcome


def payment_void(*, order: Order, by: Actor = None, via: str = "") -> PaymentOutcome:
    authorization = _authorization_latest(order)
    if authorization is None:
        raise PaymentFailed("There is no authorization to void.")
    key = _attempt_key(order, Kind.VOID)
    result = gateway_for(order.merchant).void(
        reference=authorization.gateway_reference, idempotency_key=key
    )
    row = payment_transaction_record(
        order=order, kind=Kind.VOID, result=result, idempotency_key=key, by=by, via=via
    )
    order.payment_status = PaymentStatus.VOIDED
    return PaymentOutcome.of(row)


def payment_charge_difference(
    *, order: Order, amount: Decimal, by: Actor = None, via: str = "", idempotency_key: str
) -> PaymentOutcome:
    """Charge `amount` more to the card on file of an order already paid; its payment status
    stays as it is (the order was paid, and is again once this is approved)."""
    result = gateway_for(order.merchant).charge(
        token=order.gateway_token, amount=amount, idempotency_key=idempotency_key
    )
    row = payment_transaction_record(
        order=order,
        kind=Kind.CHARGE,
        result=result,
        idempotency_key=idempotency_key,
        by=by,
        via=via,
    )
    return PaymentOutcome.of(row)


def payment_reauthorize(
    *, order: Order, by: Actor = None, via: str = "", idempotency_key: str
) -> PaymentOutcome:
    """Authorize the order's (new) total on the card on file and, once approved, void the
    authorization it replaces, so that the capture at shipment takes the new total."""
    replaced = (
        order.transactions.filter(kind=Kind.AUTHORIZE, result="approved").order_by("-id").first()
    )
    gateway = gateway_for(order.merchant)
    result = gateway.authorize(
        token=order.gateway_token, amount=order.total, idempotency_key=idempotency_key
    )
    row = payment_transaction_record(
        order=order,
        kind=Kind.AUTHORIZE,
        result=result,
        idempotency_key=idempotency_key,
        by=by,
        via=via,
    )
    if result.approved and replaced is not None:
        void_key = f"{idempotency_key}:void"
        voided = gateway.void(reference=replaced.gateway_reference, idempotency_key=void_key)
        payment_transaction_record(
            order=order, kind=Kind.VOID, result=voided, idempotency_key=void_key, by=by, via=via
        )
    return PaymentOutcome.of(row)
