"""Helpers for auto-order tests: an order bought on a schedule, placed through the services."""

from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from orders.models import AutoOrder, GatewayLedgerEntry, Item, Merchant
from orders.payments import CardDetails
from orders.services.placement import LineDraft, OrderDraft, PaymentDraft, order_place
from tests.factories import APPROVE_CARD

ADDRESS = {"address1": "1 Main St", "city": "Springfield", "postal_code": "12345", "country": "US"}


def subscribe(
    merchant: Merchant,
    *,
    schedule: str = "monthly",
    on: date = date(2025, 1, 31),
    card: str = APPROVE_CARD,
    email: str = "sub@example.com",
    price: Decimal = Decimal("20.00"),
    item: Item | None = None,
    by=None,
) -> AutoOrder:
    """Place an order whose line is bought on `schedule` on day `on`; its auto order."""
    draft = OrderDraft(
        email=email,
        first_name="Sam",
        last_name="Sub",
        lines=[
            LineDraft(
                description="Coffee beans",
                sku=item.sku if item else "BEANS",
                item=item,
                unit_price=price,
                auto_order_schedule=schedule,
            )
        ],
        payment=PaymentDraft(method="credit_card", card=CardDetails(card, 12, 2030, cvv="123")),
        billing=dict(ADDRESS),
        shipping=dict(ADDRESS),
        shipping_total=Decimal("5.00"),
        placed_at=timezone.make_aware(datetime.combine(on, time(12))),
    )
    order = order_place(merchant=merchant, draft=draft, by=by)
    return AutoOrder.objects.get(original_order=order)


def approved_charges(auto_order: AutoOrder) -> int:
    return GatewayLedgerEntry.objects.filter(
        idempotency_key__startswith=f"rebill:{auto_order.code}:",
        operation="charge",
        result="approved",
    ).count()
