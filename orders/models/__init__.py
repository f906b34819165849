from .case import Case, CaseMessage
from .chargeback import Chargeback, ChargebackEvidence, ChargebackReasonCode, RebuttalText
from .event import OrderEvent
from .item import Item
from .merchant import BlockListEntry, Membership, Merchant, OrderSequence, Role
from .order import Order, OrderLine, OrderNote, OrderQuerySet, Shipment, Tag
from .payment import GatewayLedgerEntry, PaymentTransaction, WebhookDelivery

__all__ = [
    "BlockListEntry",
    "Case",
    "CaseMessage",
    "Chargeback",
    "ChargebackEvidence",
    "ChargebackReasonCode",
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
    "RebuttalText",
    "Role",
    "Shipment",
    "Tag",
    "WebhookDelivery",
]
