from .api_token import ApiToken
from .event import OrderEvent
from .item import Item
from .merchant import BlockListEntry, Membership, Merchant, OrderSequence, Role
from .order import Order, OrderLine, OrderNote, OrderQuerySet, Shipment, Tag
from .payment import GatewayLedgerEntry, PaymentTransaction, WebhookDelivery

__all__ = [
    "ApiToken",
    "BlockListEntry",
    "GatewayLedgerEntry",
    "Item",
    "Membership",
    "Merchant",
    "Order",
    "OrderEvent",
    "OrderLine",
    "OrderNote",
    "OrderQuerySet",
    "OrderSequence",
    "PaymentTransaction",
    "Role",
    "Shipment",
    "Tag",
    "WebhookDelivery",
]
