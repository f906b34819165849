"""The order a rebill places: the auto order's due items, customer, addresses and card."""

from datetime import date

from orders.models import AutoOrder, AutoOrderItem
from orders.services.placement import CardMode, LineDraft, OrderDraft, PaymentDraft
from orders.states import OrderSource, PaymentMethod

from .creation import ADDRESS_FIELDS


def items_due(auto_order: AutoOrder, scheduled_on: date) -> list[AutoOrderItem]:
    return [
        item
        for item in auto_order.items.all()
        if not item.finished and item.next_rebill_on and item.next_rebill_on <= scheduled_on
    ]


def rebill_payment(auto_order: AutoOrder) -> PaymentDraft:
    if auto_order.payment_method != PaymentMethod.CREDIT_CARD:
        return PaymentDraft(method=auto_order.payment_method)
    if not auto_order.gateway_token:
        # No card on file: the order waits in Accounts Receivable, which counts as a failure.
        return PaymentDraft(method=PaymentMethod.CREDIT_CARD, card_mode=CardMode.NO_CHARGE)
    return PaymentDraft(method=PaymentMethod.CREDIT_CARD, card_token=auto_order.gateway_token)


def rebill_draft(*, auto_order: AutoOrder, scheduled_on: date, key: str) -> OrderDraft:
    ao = auto_order
    return OrderDraft(
        email=ao.email,
        first_name=ao.first_name,
        last_name=ao.last_name,
        phone=ao.phone,
        lines=[
            LineDraft(
                description=item.description,
                quantity=item.quantity,
                unit_price=item.unit_price,
                sku=item.sku,
                item=item.item,
            )
            for item in items_due(ao, scheduled_on)
        ],
        payment=rebill_payment(ao),
        billing={name: getattr(ao, f"billing_{name}") for name in ADDRESS_FIELDS},
        shipping={
            "name": ao.shipping_name,
            **{name: getattr(ao, f"shipping_{name}") for name in ADDRESS_FIELDS},
        },
        shipping_method=ao.shipping_method,
        shipping_total=ao.shipping_total,
        source=OrderSource.REBILL,
        idempotency_key=key,
        original_order=ao.original_order,
        auto_order_code=ao.code,
    )
