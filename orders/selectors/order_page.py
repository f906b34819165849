"""Facts the order page shows beside the order's own fields, from what is already loaded."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch

from orders.models import Merchant, Order, OrderEvent, OrderLine, OrderNote, PaymentTransaction
from orders.services.notifications import TEMPLATES, order_email_resend_reason
from orders.services.receivables import RETRY_EVENT, RetryStatus, receivable_retry_status
from orders.services.refunds import refund_limit
from orders.states import UNCAPTURED_STATUSES, PaymentStatus, Stage

from .orders import order_live_list

CLEARANCE_DAYS = 5
EMAIL_LABELS = {
    "receipt": "Resend receipt",
    "shipment_confirmation": "Resend shipment confirmation",
    "refund_notice": "Resend refund notice",
    "quote": "Resend quote",
}


@dataclass(frozen=True)
class Clearance:
    provider: str
    submitted_at: datetime.datetime
    expected_at: datetime.datetime


def order_page_get(*, merchant: Merchant, order_id: str) -> Order:
    """One of the merchant's live orders with every related row its page shows, in a fixed
    number of queries (Order.DoesNotExist otherwise)."""
    return (
        order_live_list(merchant=merchant)
        .select_related("merchant", "rejected_by", "original_order")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.select_related("item")),
            "transactions",
            "shipments__lines",
            "merchant__carriers",  # to link the shipments' tracking numbers
            "tags",
            Prefetch(
                "derived_orders", queryset=Order.objects.only("pk", "order_id", "original_order")
            ),
            Prefetch("notes", queryset=OrderNote.objects.select_related("created_by")),
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
        )
        .get(order_id=order_id)
    )


def order_retry_status_get(order: Order) -> RetryStatus | None:
    """The A/R retry status, counting tries in the prefetched events (no query of its own)."""
    if order.stage != Stage.ACCOUNTS_RECEIVABLE:
        return None
    tries = sum(1 for event in order.events.all() if event.type == RETRY_EVENT)
    return receivable_retry_status(order=order, tries_done=tries)


def order_clearance_get(order: Order) -> Clearance | None:
    """Who holds a pending bank payment, and when it should clear (from prefetched rows)."""
    if order.stage != Stage.PENDING_CLEARANCE:
        return None
    pending = [
        txn for txn in order.transactions.all() if txn.result == PaymentTransaction.Result.PENDING
    ]
    provider = (pending[-1].gateway if pending else "") or order.merchant.get_gateway_display()
    submitted = order.stage_entered_at
    return Clearance(
        provider=f"{provider} ({order.get_payment_method_display()})",
        submitted_at=submitted,
        expected_at=submitted + datetime.timedelta(days=CLEARANCE_DAYS),
    )


def order_emails_resendable(order: Order) -> list[tuple[str, str]]:
    """(template, label) of the customer emails that can be sent again now."""
    return [
        (template, EMAIL_LABELS[template])
        for template in TEMPLATES
        if order_email_resend_reason(order, template) is None
    ]


def order_refund_captured_limit(order: Order) -> Decimal | None:
    """While only an order's shipped parts are captured, the most a refund may return now;
    None when the whole payment is settled (or there is none)."""
    if order.payment_status not in UNCAPTURED_STATUSES:
        return None
    return refund_limit(order)


def order_refundable(order: Order) -> bool:
    """Whether the Refund form is offered: a settled payment with money left, or an order
    shipped in parts whose captured parts are not all refunded yet."""
    if order.payment_status in UNCAPTURED_STATUSES:
        return refund_limit(order) > 0
    return (
        order.payment_status
        in {
            PaymentStatus.PROCESSED,
            PaymentStatus.PARTIALLY_REFUNDED,
            PaymentStatus.SKIPPED,
        }
        and order.refunded_total < order.total
    )
