from .api_token import ApiRequest, ApiScope, ApiToken
from .auto_order import AutoOrder, AutoOrderItem, RebillAttempt
from .carrier import Carrier
from .case import Case, CaseAttachment, CaseMessage
from .chargeback import Chargeback, ChargebackEvidence, ChargebackReasonCode, RebuttalText
from .day_figures import DayFiguresDelta
from .event import MerchantEvent, MerchantEventType, OrderEvent, OrderEventType
from .item import Item
from .merchant import BlockListEntry, Membership, Merchant, OrderSequence, Role
from .order import Order, OrderLine, OrderNote, OrderQuerySet, Shipment, ShipmentLine, Tag
from .payment import GatewayLedgerEntry, PaymentTransaction, WebhookDelivery
from .purge import PurgeLog
from .returns import Return, ReturnLine
from .stage_count import StageCountDelta
from .submission import FormSubmission, SubmissionOutcome
from .webhook import EndpointDelivery, OutboxMessage, WebhookEndpoint, WebhookTopic

__all__ = [
    "ApiRequest",
    "ApiScope",
    "ApiToken",
    "AutoOrder",
    "AutoOrderItem",
    "BlockListEntry",
    "Carrier",
    "Case",
    "CaseAttachment",
    "CaseMessage",
    "Chargeback",
    "ChargebackEvidence",
    "ChargebackReasonCode",
    "DayFiguresDelta",
    "EndpointDelivery",
    "FormSubmission",
    "GatewayLedgerEntry",
    "Item",
    "Membership",
    "Merchant",
    "MerchantEvent",
    "MerchantEventType",
    "Order",
    "OrderEvent",
    "OrderEventType",
    "OrderLine",
    "OrderNote",
    "OrderQuerySet",
    "OrderSequence",
    "OutboxMessage",
    "PaymentTransaction",
    "PurgeLog",
    "RebillAttempt",
    "RebuttalText",
    "Return",
    "ReturnLine",
    "Role",
    "Shipment",
    "ShipmentLine",
    "StageCountDelta",
    "SubmissionOutcome",
    "Tag",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookTopic",
]
