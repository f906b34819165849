"""Which business changes go out as webhooks, and the outbox rows that carry them.

orders.events calls these beside every audit event it writes, in the same transaction, so the
outbox holds exactly the changes that committed.
"""

from typing import Any

from .models import AutoOrder, Order, OrderEventType, PaymentTransaction
from .models.case import CaseMessage
from .models.webhook import OutboxMessage, WebhookTopic

_SAME_TOPIC = {
    OrderEventType.PLACED: WebhookTopic.ORDER_PLACED,
    OrderEventType.REFUNDED: WebhookTopic.ORDER_REFUNDED,
    OrderEventType.EDITED: WebhookTopic.ORDER_EDITED,
    OrderEventType.SHIPPED_PART: WebhookTopic.ORDER_SHIPMENT_CREATED,
    OrderEventType.DELETED: WebhookTopic.ORDER_DELETED,
    OrderEventType.UNDELETED: WebhookTopic.ORDER_UNDELETED,
    OrderEventType.COSTS_IMPORTED: WebhookTopic.COSTS_IMPORTED,
    OrderEventType.COSTS_IMPORT_UNDONE: WebhookTopic.COSTS_IMPORT_UNDONE,
    OrderEventType.CHARGEBACK_OPENED: WebhookTopic.CHARGEBACK_OPENED,
    OrderEventType.CHARGEBACK_CHANGED: WebhookTopic.CHARGEBACK_CHANGED,
    OrderEventType.RETURN_OPENED: WebhookTopic.RETURN_REQUESTED,
}
# A return's later steps, each its own topic (the event's `step`).
_RETURN_STEP_TOPICS = {
    "authorized": WebhookTopic.RETURN_AUTHORIZED,
    "received": WebhookTopic.RETURN_RECEIVED,
    "refunded": WebhookTopic.RETURN_REFUNDED,
    "rejected": WebhookTopic.RETURN_REJECTED,
    "cancelled": WebhookTopic.RETURN_CANCELLED,
}
_MONEY_IN = {
    PaymentTransaction.Kind.CHARGE,
    PaymentTransaction.Kind.CAPTURE,
    PaymentTransaction.Kind.RECORDED,
    PaymentTransaction.Kind.SETTLEMENT,
}
_NOT_TAKEN = {PaymentTransaction.Result.DECLINED, PaymentTransaction.Result.ERROR}
SHIPPING_TRANSITIONS = {"mark_shipped"}


def _payment_topics(payload: dict[str, Any]) -> list[str]:
    if payload.get("result") in _NOT_TAKEN:
        return [WebhookTopic.PAYMENT_DECLINED]
    if (
        payload.get("result") == PaymentTransaction.Result.APPROVED
        and payload.get("kind") in _MONEY_IN
    ):
        return [WebhookTopic.PAYMENT_CAPTURED]
    return []


def _transition_topics(payload: dict[str, Any]) -> list[str]:
    topics: list[str] = [WebhookTopic.ORDER_STAGE_CHANGED]
    if payload.get("transition") in SHIPPING_TRANSITIONS:
        topics.append(WebhookTopic.ORDER_SHIPPED)
    return topics


def _auto_order_topics(type: str, payload: dict[str, Any]) -> list[str]:
    if type == OrderEventType.REBILLED:
        approved = payload.get("result") == PaymentTransaction.Result.APPROVED
        return [
            WebhookTopic.AUTO_ORDER_REBILLED if approved else WebhookTopic.AUTO_ORDER_REBILL_FAILED
        ]
    if payload.get("status") in AutoOrder.CANCELLED:
        return [WebhookTopic.AUTO_ORDER_CANCELLED]
    return []


def webhook_topics(type: str, payload: dict[str, Any]) -> list[str]:
    """The webhook topics an audit event of `type` with `payload` sends (often none)."""
    if type in _SAME_TOPIC:
        return [_SAME_TOPIC[OrderEventType(type)]]
    if type == OrderEventType.TRANSITIONED:
        return _transition_topics(payload)
    if type == OrderEventType.PAYMENT:
        return _payment_topics(payload)
    if type in (OrderEventType.REBILLED, OrderEventType.AUTO_ORDER_CHANGED):
        return _auto_order_topics(type, payload)
    if type == OrderEventType.RETURN_CHANGED and payload.get("step") in _RETURN_STEP_TOPICS:
        return [_RETURN_STEP_TOPICS[payload["step"]]]
    if type == OrderEventType.CASE_MESSAGE and payload.get("kind") == CaseMessage.Kind.CUSTOMER:
        return [WebhookTopic.CASE_MESSAGE_RECEIVED]
    return []


def outbox_messages(*, order: Order, type: str, payload: dict[str, Any]) -> list[OutboxMessage]:
    """Unsaved outbox rows for one audit event (the caller inserts them with the event)."""
    return [
        OutboxMessage(merchant_id=order.merchant_id, topic=topic, order_pk=order.pk, change=payload)
        for topic in webhook_topics(type, payload)
    ]
