"""What an order's payments came to, for the screens that report it."""

from decimal import Decimal

from orders.models import Merchant, Order, PaymentTransaction
from orders.payments.outcome import PaymentOutcome
from orders.states import PaymentStatus, Stage

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


# Nothing was taken yet: the order owes its whole total (Accounts Receivable charges it).
UNPAID_STATUSES = frozenset(
    {PaymentStatus.UNPROCESSED, PaymentStatus.DECLINED, PaymentStatus.CAPTURE_FAILED}
)
# Stages that ask no payment: a quote is not yet an order, a rejected order never will be.
NOTHING_OWED_STAGES = frozenset({Stage.QUOTE_REQUEST, Stage.QUOTE_SENT, Stage.REJECTED})


def balance_owed(*, order: Order, total: Decimal, balance_due: Decimal) -> Decimal:
    """What the customer owes on `order` were its total and balance_due these: an unpaid
    order its whole total (less any refund recorded), a paid one its balance_due (what a line
    edit added when there was no card on file to charge)."""
    if order.stage in NOTHING_OWED_STAGES:
        return Decimal("0.00")
    if order.payment_status in UNPAID_STATUSES:
        return total - order.refunded_total
    return balance_due


def order_balance_owed(order: Order) -> Decimal:
    """What the customer owes on the order now (the order page's balance)."""
    return balance_owed(order=order, total=order.total, balance_due=order.balance_due)


def order_balance_receivable(order: Order) -> Decimal:
    """The balance that can be recorded as received: balance_due on an order already paid.
    An unpaid order owes its whole total, which its Record payment transition takes."""
    if order.payment_status in UNPAID_STATUSES or order.deleted_at is not None:
        return Decimal("0.00")
    return order.balance_due
