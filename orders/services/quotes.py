"""Quotes: editing a quote request, its customer link, and expiry.

The customer page is reached by a signed token (django.core.signing with the project's secret):
it names the merchant and the order, so it cannot be guessed, altered or used for another
merchant's order.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from orders.actors import Actor
from orders.events import order_edited_event
from orders.exceptions import OrderError, TransitionNotAvailable, TransitionNotPermitted
from orders.models import Merchant, Order, OrderEventType, OrderLine
from orders.payments import CardDetails
from orders.pricing import order_totals
from orders.states import PaymentStatus, Stage

from .locking import order_lock
from .placement import LineDraft, order_lines_resolve
from .transitions import order_transition

QUOTE_SALT = "orders.quote"
EDITABLE = (Stage.QUOTE_REQUEST, Stage.QUOTE_SENT)
# Once accepted, the link shows what became of the quote instead of the form.
ACCEPTED = (
    Stage.SHIPPING,
    Stage.FRAUD_REVIEW,
    Stage.COMPLETED,
    Stage.ACCOUNTS_RECEIVABLE,
    Stage.PENDING_CLEARANCE,
)


def quote_token(*, order: Order) -> str:
    return signing.dumps({"m": order.merchant.code, "o": order.order_id}, salt=QUOTE_SALT)


def quote_url(*, order: Order) -> str:
    path = reverse("quote-customer", kwargs={"token": quote_token(order=order)})
    return settings.SITE_URL.rstrip("/") + path


def quote_for_token(*, token: str) -> Order | None:
    """The quote a customer link names, or None (tampered, expired, unknown or withdrawn)."""
    try:
        data = signing.loads(token, salt=QUOTE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    order = (
        Order.objects.live()
        .select_related("merchant")
        .filter(merchant__code=data.get("m"), order_id=data.get("o"))
        .first()
    )
    if order is None or order.stage not in (Stage.QUOTE_SENT, *ACCEPTED):
        return None
    if (
        order.stage in ACCEPTED
        and not order.events.filter(
            type=OrderEventType.TRANSITIONED, payload__transition="accept_quote"
        ).exists()
    ):
        return None
    return order


def quote_accept(*, order: Order, card: CardDetails | None = None, method: str = "") -> str:
    """The customer accepts: charge the card (or take an offline method) and route the order.

    Side effects: a gateway charge, an order_transitioned event by the customer. Returns the
    stage the order went to.
    """
    result = order_transition(
        order=order,
        name="accept_quote",
        by=None,
        via="customer",
        expected_stage=Stage.QUOTE_SENT,
        card=card,
        method=method,
    )
    return result.target


def quote_pay_with_other_card(*, order: Order, card: CardDetails) -> str:
    """After a decline, the customer tries another card on their accepted quote; approved, it
    becomes their card on file. Side effects: a gateway charge, an order_transitioned event by
    the customer. Returns the stage the order went to."""
    if order.payment_status != PaymentStatus.DECLINED:
        raise TransitionNotAvailable(f"{order.order_id} is not waiting for another card.")
    result = order_transition(
        order=order,
        name="charge_other_card",
        by=None,
        via="customer",
        expected_stage=Stage.ACCOUNTS_RECEIVABLE,
        card=card,
        save_card=True,
    )
    return result.target


def quote_edit(
    *,
    order: Order,
    lines: list[LineDraft],
    shipping_method: str,
    shipping_total: Decimal,
    discount: Decimal,
    tax: Decimal | None = None,
    by: Actor = None,
) -> Order:
    """Replace a quote's lines and prices and recompute its totals; writes an order_edited event."""
    with transaction.atomic():
        order = order_lock(order)
        if order.stage not in EDITABLE or order.deleted_at is not None:
            raise TransitionNotAvailable(f"{order.order_id} is not a quote any more.")
        if by is not None and not by.has_perm("orders.send_quote", order):
            raise TransitionNotPermitted("You may not edit quotes.")
        if shipping_total < 0 or discount < 0 or (tax is not None and tax < 0):
            raise OrderError("Amounts cannot be negative.")
        new_lines = order_lines_resolve(order.merchant, lines)
        before = _quote_facts(order)
        totals = order_totals(
            lines=[(line.quantity, line.unit_price, line.unit_cost) for line in new_lines],
            shipping=shipping_total,
            discount=discount,
            tax_rate=order.merchant.tax_rate,
            tax=tax,
        )
        order.shipping_method = shipping_method
        order.subtotal, order.shipping_total = totals.subtotal, totals.shipping
        order.discount, order.tax, order.total = totals.discount, totals.tax, totals.total
        order.cost_of_goods = totals.cost_of_goods
        order.requires_shipping = any(line.shippable for line in new_lines)
        order.actual_profit = order.compute_actual_profit()
        order.save()
        order.lines.all().delete()
        for position, line in enumerate(new_lines):
            line.order, line.position = order, position
        OrderLine.objects.bulk_create(new_lines)
        after = _quote_facts(order)
        changes = {key: (before[key], after[key]) for key in after if before[key] != after[key]}
        order_edited_event(order=order, changes=changes, by=by, what="quote")
    return order


def _quote_facts(order: Order) -> dict:
    return {
        "lines": [
            f"{line.quantity} × {line.sku or line.description} @ {line.unit_price}"
            for line in order.lines.all()
        ],
        "shipping_method": order.shipping_method,
        "shipping_total": str(order.shipping_total),
        "discount": str(order.discount),
        "tax": str(order.tax),
        "total": str(order.total),
    }


def quote_expire_due(*, now: datetime | None = None) -> int:
    """Expire quotes older than their merchant's quote_expiry_days (run by beat); the count."""
    now = now or timezone.now()
    expired = 0
    for merchant in Merchant.objects.all():
        cutoff = now - timedelta(days=merchant.quote_expiry_days)
        due = (
            Order.objects.live()
            .for_merchant(merchant)
            .filter(
                Q(stage=Stage.QUOTE_SENT, quote_sent_at__lt=cutoff)
                | Q(stage=Stage.QUOTE_REQUEST, placed_at__lt=cutoff)
            )
            .values_list("pk", "stage")
        )
        for order_pk, stage in list(due):
            try:
                order_transition(
                    order=order_pk, name="expire_quote", by=None, via="beat", expected_stage=stage
                )
            except OrderError:
                continue
            expired += 1
    return expired
