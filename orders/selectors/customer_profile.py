"""One customer's whole history with the merchant: a customer is an email address (compared
without case), since there is no customer table. Every read is bounded and indexed on the
lower-cased email, so the page costs the same at a million orders."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Lower

from orders.models import (
    AutoOrder,
    BlockListEntry,
    Case,
    Chargeback,
    Merchant,
    Order,
    OrderNote,
    Return,
)
from orders.selectors.customers import SavedCard, customer_saved_cards_list
from orders.states import Stage

SHOWN_ORDERS = 100
SHOWN_NOTES = 50
ZERO = Decimal("0.00")


@dataclass
class FraudSignal:
    order_id: str
    score: int
    reasons: list[str]


@dataclass
class CustomerProfile:
    email: str
    name: str
    company: str
    phone: str
    order_count: int
    deleted_count: int
    lifetime_value: Decimal  # paid-for orders' totals less refunds, rejected orders left out
    refunded: Decimal
    first_order_at: datetime | None
    last_order_at: datetime | None
    orders: list[Order]
    auto_orders: list[AutoOrder]
    cases: list[Case]
    chargebacks: list[Chargeback]
    saved_cards: list[SavedCard]
    notes: list[OrderNote]
    fraud_signals: list[FraudSignal]
    blocked: list[BlockListEntry] = field(default_factory=list)
    returns: list[Return] = field(default_factory=list)


MAX_EMAIL_LENGTH = 254


def email_key(email: str) -> str:
    return email.strip().lower()


def customer_orders(*, merchant: Merchant, email: str) -> QuerySet[Order]:
    """Every order (deleted ones too) placed with this email, read by its lower-case index."""
    return (
        Order.objects.for_merchant(merchant)
        .alias(email_lower=Lower("email"))
        .filter(email_lower=email_key(email))
    )


def customer_email_for_term(*, merchant: Merchant, term: str) -> str | None:
    """The customer's email (lower-cased) when a search term is one whole email that the
    merchant's orders were placed with, so that the list can offer the customer page; None
    otherwise. One probe of the (merchant, lower(email)) index."""
    key = email_key(term)
    if "@" not in key or " " in key or len(key) > MAX_EMAIL_LENGTH:
        return None
    return key if customer_orders(merchant=merchant, email=key).exists() else None


def _totals(orders: QuerySet[Order]) -> dict:
    live = Q(deleted_at__isnull=True)
    counted = live & ~Q(stage=Stage.REJECTED) & Q(paid_at__isnull=False)
    return orders.aggregate(
        order_count=Count("pk", filter=live),
        deleted_count=Count("pk", filter=~live),
        paid=Coalesce(Sum("total", filter=counted), ZERO),
        refunded=Coalesce(Sum("refunded_total", filter=live), ZERO),
        first_order_at=Min("placed_at", filter=live),
        last_order_at=Max("placed_at", filter=live),
    )


def _fraud_signals(orders: list[Order]) -> list[FraudSignal]:
    return [
        FraudSignal(order.order_id, order.fraud_score, list(order.fraud_reasons or []))
        for order in orders
        if order.fraud_score or order.fraud_reasons
    ]


def _blocked(merchant: Merchant, email: str, orders: list[Order]) -> list[BlockListEntry]:
    """Block-list entries that name this customer's email, IPs or cards."""
    values = {
        (BlockListEntry.Kind.EMAIL, email_key(email)),
        *((BlockListEntry.Kind.IP, str(o.ip_address)) for o in orders if o.ip_address),
        *((BlockListEntry.Kind.CARD, o.card_fingerprint) for o in orders if o.card_fingerprint),
    }
    condition = Q(pk__in=[])
    for kind, value in values:
        condition |= Q(kind=kind, value__iexact=value)
    return list(BlockListEntry.objects.filter(condition, merchant=merchant))


def customer_profile_get(*, merchant: Merchant, email: str) -> CustomerProfile | None:
    """The customer with this email, or None when the merchant has no order from it."""
    if not email_key(email):
        return None
    orders_qs = customer_orders(merchant=merchant, email=email)
    totals = _totals(orders_qs)
    if not totals["order_count"] and not totals["deleted_count"]:
        return None
    orders = list(
        orders_qs.filter(deleted_at__isnull=True).order_by("-placed_at", "-pk")[:SHOWN_ORDERS]
    )
    # Named after their latest order (a deleted one when nothing else is left).
    latest = orders[0] if orders else orders_qs.order_by("-placed_at").first()
    if latest is None:  # every order went between the count and this read
        return None
    key = email_key(email)
    return CustomerProfile(
        email=latest.email,
        name=f"{latest.first_name} {latest.last_name}".strip(),
        company=latest.company,
        phone=latest.phone,
        order_count=totals["order_count"],
        deleted_count=totals["deleted_count"],
        lifetime_value=totals["paid"] - totals["refunded"],
        refunded=totals["refunded"],
        first_order_at=totals["first_order_at"],
        last_order_at=totals["last_order_at"],
        orders=orders,
        auto_orders=list(
            AutoOrder.objects.filter(merchant=merchant)
            .alias(email_lower=Lower("email"))
            .filter(email_lower=key)
            .order_by("-pk")[:SHOWN_ORDERS]
        ),
        cases=list(
            Case.objects.filter(merchant=merchant)
            .alias(email_lower=Lower("email"))
            .filter(email_lower=key)
            .select_related("order")
            .order_by("-created_at")[:SHOWN_ORDERS]
        ),
        chargebacks=list(
            Chargeback.objects.filter(merchant=merchant, order__in=orders_qs)
            .select_related("order")
            .order_by("-received_on", "-pk")[:SHOWN_ORDERS]
        ),
        saved_cards=customer_saved_cards_list(merchant=merchant, email=latest.email),
        notes=list(
            OrderNote.objects.filter(order__in=orders_qs)
            .select_related("order", "created_by")
            .order_by("-created_at")[:SHOWN_NOTES]
        ),
        fraud_signals=_fraud_signals(orders),
        blocked=_blocked(merchant, email, orders),
        returns=list(
            Return.objects.filter(merchant=merchant, order__in=orders_qs)
            .select_related("order")
            .order_by("-requested_at", "-pk")[:SHOWN_ORDERS]
        ),
    )
