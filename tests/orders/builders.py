"""Orders in a given stage, reached the way real orders get there: placed through order_place
and walked on through order_transition."""

from decimal import Decimal

from orders.models import GatewayLedgerEntry, Merchant, Order
from orders.payments import CardDetails
from orders.services.placement import CardMode, LineDraft, OrderDraft, PaymentDraft, order_place
from orders.services.transitions import order_transition
from orders.states import PaymentMethod, Stage
from tests.factories import APPROVE_CARD, ItemFactory, place

US_ADDRESS = {"city": "Springfield", "postal_code": "12345"}


def card_draft(
    *,
    card: str | None = APPROVE_CARD,
    cvv: str = "123",
    card_postal_code: str = "",
    card_mode: str = CardMode.CHARGE_NOW,
    email: str = "ann@example.com",
    billing_country: str = "US",
    shipping_country: str = "US",
    price: Decimal = Decimal("20.00"),
    ip_address: str | None = None,
    address1: str = "1 Main St",
    **fields,
) -> OrderDraft:
    """A card order draft whose fraud signals the caller chooses."""
    return OrderDraft(
        email=email,
        first_name="Ann",
        last_name="Lee",
        lines=[LineDraft(description="Widget", unit_price=price)],
        payment=PaymentDraft(
            method=PaymentMethod.CREDIT_CARD,
            card=CardDetails(card, 12, 2030, cvv=cvv, postal_code=card_postal_code)
            if card
            else None,
            card_mode=card_mode,
        ),
        billing={**US_ADDRESS, "address1": address1, "country": billing_country},
        shipping={**US_ADDRESS, "address1": address1, "country": shipping_country},
        shipping_total=Decimal("5.00"),
        ip_address=ip_address,
        **fields,
    )


def risky_draft(**kwargs) -> OrderDraft:
    """Scores exactly 50 (free email 10 + countries differ 20 + CVV mismatch 20)."""
    return card_draft(
        email="risky@mailinator.com",
        billing_country="CA",
        shipping_country="US",
        cvv="000",
        **kwargs,
    )


def walk(order: Order, name: str, **inputs) -> Order:
    order_transition(order=order, name=name, by=None, via="test setup", **inputs)
    return Order.objects.get(pk=order.pk)


def order_in_stage(merchant: Merchant, stage: str) -> Order:
    """A realistic order in `stage`; card orders keep their card on file."""
    if stage == Stage.QUOTE_REQUEST:
        return place(merchant, method=PaymentMethod.QUOTE_REQUEST, card=None)
    if stage == Stage.QUOTE_SENT:
        return walk(order_in_stage(merchant, Stage.QUOTE_REQUEST), "send_quote")
    if stage == Stage.PRE_ORDER:
        return place(merchant, item=ItemFactory(merchant=merchant, pre_order=True))
    if stage == Stage.ACCOUNTS_RECEIVABLE:
        return place(merchant, card_mode=CardMode.NO_CHARGE)
    if stage == Stage.PENDING_CLEARANCE:
        return place(merchant, method=PaymentMethod.ECHECK, card=None)
    if stage == Stage.FRAUD_REVIEW:
        return order_place(merchant=merchant, draft=risky_draft())
    if stage == Stage.HOLD:
        return walk(order_in_stage(merchant, Stage.SHIPPING), "hold", reason="Address check")
    if stage == Stage.SHIPPING:
        return place(merchant)
    if stage == Stage.COMPLETED:
        return walk(order_in_stage(merchant, Stage.SHIPPING), "mark_shipped", carrier="UPS")
    if stage == Stage.REJECTED:
        return walk(order_in_stage(merchant, Stage.ACCOUNTS_RECEIVABLE), "reject", reason="other")
    raise ValueError(stage)


def approved_charges(**filters) -> int:
    return GatewayLedgerEntry.objects.filter(
        operation="charge", result="approved", **filters
    ).count()
