from .auto_order import AutoOrder, AutoOrderItem, RebillAttempt
from .event import OrderEvent
from .item import Item
from .merchant import BlockListEntry, Membership, Merchant, OrderSequence, Role
from .order import Order, OrderLine, OrderNote, OrderQuerySet, Shipment, Tag
from .payment import GatewayLedgerEntry, PaymentTransaction, WebhookDelivery

__all__ = [
    "AutoOrder",
    "AutoOrderItem",
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
    "RebillAttempt",
    "Role",
    "Shipment",
    "Tag",
    "WebhookDelivery",
]
