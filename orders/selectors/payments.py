"""What an order's payments came to, for the screens that report it."""

from orders.models import Merchant, Order, PaymentTransaction
from orders.payments.outcome import PaymentOutcome

# The calls that take the customer's money; refunds and voids are said where they are made.
PAYING_KINDS = (
    PaymentTransaction.Kind.CHARGE,
    PaymentTransaction.Kind.AUTHORIZE,
    PaymentTransaction.Kind.CAPTURE,
)


def order_payment_outcome_get(*, order: Order) -> PaymentOutcome | None:
    """The outcome of the order's latest charge, authorization or capture; None if none."""
    row = order.transactions.filter(kind__in=PAYING_KINDS).order_by("-created_at", "-id").first()
    return None if row is None else PaymentOutcome.of(row)


def order_payment_outcome_find(*, merchant: Merchant, order_id: str) -> PaymentOutcome | None:
    """order_payment_outcome_get for the merchant's order with this ID (None if none)."""
    order = Order.objects.for_merchant(merchant).filter(order_id=order_id).first()
    return None if order is None else order_payment_outcome_get(order=order)
