"""Customers are read from the merchant's past orders (there is no customer table)."""

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Lower

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


ADDRESS = ("address1", "address2", "city", "region", "postal_code", "country")


def customer_search(*, merchant: Merchant, query: str, limit: int = 8) -> list[Customer]:
    """Returning customers whose email, name or phone matches, newest order first.

    Without their saved cards: those come only with the customer being entered
    (customer_saved_cards_list)."""
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
                break
            customers[key] = _customer(order)
    return list(customers.values())


def _saved_card_orders(merchant: Merchant, email: str):
    """The customer's (same email, any case) card orders whose gateway token can pay again."""
    return (
        Order.objects.live()
        .for_merchant(merchant)
        .alias(email_lower=Lower("email"))
        .filter(email_lower=email.strip().lower(), payment_method=PaymentMethod.CREDIT_CARD)
        .exclude(gateway_token="")
    )


def customer_saved_cards_list(*, merchant: Merchant, email: str) -> list[SavedCard]:
    """The saved cards of the customer with this email, newest first, one per card."""
    if not email.strip():
        return []
    cards: list[SavedCard] = []
    for order in _saved_card_orders(merchant, email).order_by("-placed_at")[:SCAN_LIMIT]:
        if any(card.last4 == order.card_last4 for card in cards):
            continue
        cards.append(
            SavedCard(
                order_id=order.order_id,
                brand=order.card_brand,
                last4=order.card_last4,
                exp=f"{order.card_exp_month or ''}/{order.card_exp_year or ''}",
            )
        )
    return cards


def customer_saved_card_get(*, merchant: Merchant, email: str, order_id: str) -> Order | None:
    """The order whose saved card the customer with this email pays with; None when that
    order is not one of this customer's card orders."""
    if not email.strip() or not order_id:
        return None
    return _saved_card_orders(merchant, email).filter(order_id=order_id).first()


def customer_card_token_belongs(*, merchant: Merchant, email: str, token: str) -> bool:
    """Whether one of the merchant's orders for this customer (email, any case) saved the
    gateway token: a saved card pays only for its own customer."""
    return (
        Order.objects.for_merchant(merchant)
        .alias(email_lower=Lower("email"))
        .filter(email_lower=email.strip().lower(), gateway_token=token)
        .exists()
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
