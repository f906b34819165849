"""Orders linked to an order by the customer's traces: email, card, IP address, shipping address."""

from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import Lower

from orders.models import Order

LINKED_LIMIT = 25


@dataclass(frozen=True)
class LinkedOrder:
    order: Order
    matches: tuple[str, ...]


def _address_q(order: Order) -> Q | None:
    if not order.shipping_address1:
        return None
    return Q(
        address1_lower=order.shipping_address1.lower(),
        postal_code_lower=order.shipping_postal_code.lower(),
        shipping_country=order.shipping_country,
    )


def _conditions(order: Order) -> list[tuple[str, Q]]:
    # Each condition matches one of the order table's indexes (lower-cased email, card, IP,
    # lower-cased address): PostgreSQL ORs the index scans instead of reading every order.
    conditions = [("email", Q(email_lower=order.email.lower()))]
    if order.card_fingerprint:
        conditions.append(("card", Q(card_fingerprint=order.card_fingerprint)))
    if order.ip_address:
        conditions.append(("IP address", Q(ip_address=order.ip_address)))
    address = _address_q(order)
    if address is not None:
        conditions.append(("shipping address", address))
    return conditions


def _matches(order: Order, other: Order) -> tuple[str, ...]:
    found = []
    if other.email.lower() == order.email.lower():
        found.append("email")
    if order.card_fingerprint and other.card_fingerprint == order.card_fingerprint:
        found.append("card")
    if order.ip_address and other.ip_address == order.ip_address:
        found.append("IP address")
    if order.shipping_address1 and (
        other.shipping_address1.lower() == order.shipping_address1.lower()
        and other.shipping_postal_code.lower() == order.shipping_postal_code.lower()
        and other.shipping_country == order.shipping_country
    ):
        found.append("shipping address")
    return tuple(found)


def order_linked_list(*, order: Order, limit: int = LINKED_LIMIT) -> list[LinkedOrder]:
    """The merchant's other live orders sharing a trace with this one, newest first (one query)."""
    condition = Q()
    for _label, part in _conditions(order):
        condition |= part
    others = (
        Order.objects.live()
        .for_merchant(order.merchant_id)
        .alias(
            email_lower=Lower("email"),
            address1_lower=Lower("shipping_address1"),
            postal_code_lower=Lower("shipping_postal_code"),
        )
        .filter(condition)
        .exclude(pk=order.pk)
        .only(
            "order_id",
            "order_number",
            "stage",
            "email",
            "card_fingerprint",
            "ip_address",
            "shipping_address1",
            "shipping_postal_code",
            "shipping_country",
            "total",
            "placed_at",
            "fraud_score",
        )
        .order_by("-order_number")[:limit]
    )
    return [LinkedOrder(other, _matches(order, other)) for other in others]
