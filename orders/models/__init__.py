from .api_token import ApiToken
from .event import OrderEvent
from .item import Item
from .merchant import BlockListEntry, Membership, Merchant, OrderSequence, Role
from .order import Order, OrderLine, OrderNote, OrderQuerySet, Shipment, Tag
from .payment import GatewayLedgerEntry, PaymentTransaction, WebhookDelivery
from .purge import PurgeLog

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
    "PurgeLog",
    "Role",
    "Shipment",
    "Tag",
    "WebhookDelivery",
]
