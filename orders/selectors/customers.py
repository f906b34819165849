"""Customers are read from the merchant's past orders (there is no customer table)."""

from dataclasses import dataclass, field

from django.db.models import Q

from orders.models import Merchant, Order
from orders.states import PaymentMethod

SCAN_LIMIT = 300


@dataclass
class SavedCard:
    order_id: str  # the order whose gateway token is reused
    brand: str
    last4: str
    exp: str


@dataclass
class Customer:
    email: str
    first_name: str
    last_name: str
    company: str
    phone: str
    billing: dict[str, str]
    shipping: dict[str, str]
    saved_cards: list[SavedCard] = field(default_factory=list)


ADDRESS = ("address1", "address2", "city", "region", "postal_code", "country")


def customer_search(*, merchant: Merchant, query: str, limit: int = 8) -> list[Customer]:
    """Returning customers whose email, name or phone matches, newest order first."""
    query = query.strip()
    if len(query) < 2:
        return []
    condition = Q(email__icontains=query) | Q(phone__icontains=query)
    for word in query.split():
        condition |= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    orders = Order.objects.live().for_merchant(merchant).filter(condition).order_by("-placed_at")
    customers: dict[str, Customer] = {}
    for order in orders[:SCAN_LIMIT]:
        key = order.email.lower()
        if key not in customers:
            if len(customers) >= limit:
                continue
            customers[key] = _customer(order)
        _add_card(customers[key], order)
    return list(customers.values())


def saved_card_order(*, merchant: Merchant, order_id: str) -> Order | None:
    """The merchant's order whose saved card a returning customer pays with."""
    return (
        Order.objects.for_merchant(merchant)
        .filter(order_id=order_id, payment_method=PaymentMethod.CREDIT_CARD)
        .exclude(gateway_token="")
        .first()
    )


def _customer(order: Order) -> Customer:
    return Customer(
        email=order.email,
        first_name=order.first_name,
        last_name=order.last_name,
        company=order.company,
        phone=order.phone,
        billing={name: getattr(order, f"billing_{name}") for name in ADDRESS},
        shipping={
            "name": order.shipping_name,
            **{name: getattr(order, f"shipping_{name}") for name in ADDRESS},
        },
    )


def _add_card(customer: Customer, order: Order) -> None:
    if order.payment_method != PaymentMethod.CREDIT_CARD or not order.gateway_token:
        return
    if any(card.last4 == order.card_last4 for card in customer.saved_cards):
        return
    customer.saved_cards.append(
        SavedCard(
            order_id=order.order_id,
            brand=order.card_brand,
            last4=order.card_last4,
            exp=f"{order.card_exp_month or ''}/{order.card_exp_year or ''}",
        )
    )
