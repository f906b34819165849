"""An order as programs see it: the read API's body and the object inside every webhook.

One shape for both, so a receiver that applies webhooks and a client that polls the API keep
the same copy. Values are JSON-ready: money as decimal strings (never floats), times in ISO
8601 with their offset, codes rather than labels (each code's label sits beside it where a
person may read it).
"""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from orders.models import (
    AutoOrder,
    AutoOrderItem,
    Case,
    CaseMessage,
    Chargeback,
    Order,
    OrderEvent,
    OrderLine,
    PaymentTransaction,
    Shipment,
)
from orders.selectors.carriers import CarrierCatalogue, carrier_catalogue_get
from orders.selectors.payments import order_balance_owed

DOCUMENT_VERSION = 1

_MONEY_FIELDS = (
    "subtotal",
    "shipping_total",
    "tax",
    "discount",
    "total",
    "refunded_total",
    "chargeback_total",
)
_COST_FIELDS = (
    "cost_of_goods",
    "actual_shipping",
    "actual_fulfillment",
    "actual_payment",
    "actual_profit",
)
_ADDRESS_FIELDS = ("address1", "address2", "city", "region", "postal_code", "country")
_CUSTOM_FIELDS = tuple(f"custom_{number}" for number in range(1, 11))


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _time(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def order_documents_queryset(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """The queryset with what `order_document` reads, fetched in a fixed number of queries."""
    return queryset.select_related("merchant").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position", "id")),
        Prefetch("transactions", queryset=PaymentTransaction.objects.order_by("created_at", "id")),
        Prefetch(
            "shipments",
            queryset=Shipment.objects.order_by("shipped_at", "id").prefetch_related("lines"),
        ),
        "merchant__carriers",
        "tags",
    )


def _line(line: OrderLine) -> dict[str, Any]:
    return {
        "position": line.position,
        "sku": line.sku,
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": _money(line.unit_price),
        "unit_cost": _money(line.unit_cost),
        "line_total": _money(line.line_total),
        "refunded_quantity": line.refunded_quantity,
        "pre_order": line.pre_order,
        "shippable": line.shippable,
        "auto_order_schedule": line.auto_order_schedule,
    }


def _transaction(transaction: PaymentTransaction) -> dict[str, Any]:
    return {
        "kind": transaction.kind,
        "amount": _money(transaction.amount),
        "result": transaction.result,
        "gateway": transaction.gateway,
        "gateway_reference": transaction.gateway_reference,
        "avs_result": transaction.avs_result,
        "cvv_result": transaction.cvv_result,
        "message": transaction.message,
        "created_at": _time(transaction.created_at),
    }


def _shipment(
    shipment: Shipment, positions: dict[int, int], carriers: CarrierCatalogue
) -> dict[str, Any]:
    return {
        "carrier": shipment.carrier,
        "method": shipment.method,
        "tracking_numbers": list(shipment.tracking_numbers),
        # Each number again with its carrier's tracking page (null for an unknown carrier).
        "tracking": [
            {"number": link.number, "tracking_url": link.url}
            for link in carriers.tracking_links(shipment)
        ],
        "shipped_at": _time(shipment.shipped_at),
        # Empty for a shipment recorded before shipments named their lines: it carried all.
        "lines": [
            {"position": positions.get(row.line_id), "quantity": row.quantity}
            for row in shipment.lines.all()
        ],
    }


def _address(order: Order, prefix: str) -> dict[str, str]:
    return {field: getattr(order, f"{prefix}_{field}") for field in _ADDRESS_FIELDS}


def order_document(order: Order) -> dict[str, Any]:
    """The order, its lines, payments, shipments, costs and tags. Read through
    `order_documents_queryset` to keep it to a fixed number of queries."""
    positions = {line.pk: line.position for line in order.lines.all()}
    carriers = carrier_catalogue_get(order.merchant)
    return {
        "version": DOCUMENT_VERSION,
        "order_id": order.order_id,
        "merchant": order.merchant.code,
        "stage": order.stage,
        "stage_label": order.get_stage_display(),
        "source": order.source,
        "is_test": order.is_test,
        "deleted": order.deleted_at is not None,
        "placed_at": _time(order.placed_at),
        "paid_at": _time(order.paid_at),
        "shipped_at": _time(order.shipped_at),
        "refunded_at": _time(order.refunded_at),
        "rejected_at": _time(order.rejected_at),
        "updated_at": _time(order.updated_at),
        "customer": {
            "email": order.email,
            "first_name": order.first_name,
            "last_name": order.last_name,
            "company": order.company,
            "phone": order.phone,
            "ip_address": order.ip_address,
        },
        "billing_address": _address(order, "billing"),
        "shipping_address": {"name": order.shipping_name, **_address(order, "shipping")},
        "shipping_method": order.shipping_method,
        "requires_shipping": order.requires_shipping,
        "payment": {
            "method": order.payment_method,
            "status": order.payment_status,
            "reference": order.payment_reference,
            "purchase_order_number": order.purchase_order_number,
            "card_brand": order.card_brand,
            "card_last4": order.card_last4,
        },
        "totals": {
            **{field: _money(getattr(order, field)) for field in _MONEY_FIELDS},
            # What the customer still owes: the unpaid total, or what a line edit added.
            "balance_owed": _money(order_balance_owed(order)),
        },
        "costs": {field: _money(getattr(order, field)) for field in _COST_FIELDS},
        "hold": {
            "reason": order.hold_reason,
            "until": order.hold_until.isoformat() if order.hold_until else None,
        },
        "reject_reason": order.reject_reason,
        "fraud_score": order.fraud_score,
        "auto_order_code": order.auto_order_code,
        "custom_fields": {field: getattr(order, field) for field in _CUSTOM_FIELDS},
        "tags": sorted(tag.name for tag in order.tags.all()),
        "lines": [_line(line) for line in order.lines.all()],
        "transactions": [_transaction(t) for t in order.transactions.all()],
        "shipments": [
            _shipment(shipment, positions, carriers) for shipment in order.shipments.all()
        ],
    }


def order_documents(orders: Iterable[Order]) -> list[dict[str, Any]]:
    return [order_document(order) for order in orders]


# Customers' data: served only to a token with the "read customers' data" scope. Each entry
# is a path into a document; a redacted document has null there (and an empty list for a
# list of messages), so its shape stays the one the schema declares.
ORDER_CUSTOMER_FIELDS: tuple[tuple[str, ...], ...] = (
    *(("customer", field) for field in ("email", "first_name", "last_name", "company")),
    ("customer", "phone"),
    ("customer", "ip_address"),
    *(("billing_address", field) for field in _ADDRESS_FIELDS),
    *(("shipping_address", field) for field in ("name", *_ADDRESS_FIELDS)),
)


def _redacted(document: dict[str, Any], paths: Iterable[tuple[str, ...]]) -> dict[str, Any]:
    copy = {
        key: dict(value) if isinstance(value, dict) else value for key, value in document.items()
    }
    for path in paths:
        *parents, leaf = path
        target = copy
        for key in parents:
            target = target[key]
        target[leaf] = None
    return copy


def order_document_redacted(document: dict[str, Any]) -> dict[str, Any]:
    """The order document without its customer's data (see ORDER_CUSTOMER_FIELDS)."""
    return _redacted(document, ORDER_CUSTOMER_FIELDS)


# Auto orders ------------------------------------------------------------------------------


def auto_order_documents_queryset(queryset: QuerySet[AutoOrder]) -> QuerySet[AutoOrder]:
    return queryset.select_related("merchant", "original_order").prefetch_related(
        Prefetch("items", queryset=AutoOrderItem.objects.order_by("position", "id"))
    )


def _auto_order_item(item: AutoOrderItem) -> dict[str, Any]:
    return {
        "position": item.position,
        "sku": item.sku,
        "description": item.description,
        "quantity": item.quantity,
        "unit_price": _money(item.unit_price),
        "schedule": item.schedule,
        "next_rebill_on": _time(item.next_rebill_on),
        "no_order_after": _time(item.no_order_after),
        "remaining_rebills": item.remaining_rebills,
        "finished": item.finished,
    }


def auto_order_document(auto_order: AutoOrder) -> dict[str, Any]:
    """An auto order (a subscription) with its items; read through
    `auto_order_documents_queryset`."""
    return {
        "version": DOCUMENT_VERSION,
        "code": auto_order.code,
        "merchant": auto_order.merchant.code,
        "original_order_id": auto_order.original_order.order_id,
        "status": auto_order.status,
        "status_label": auto_order.get_status_display(),
        "status_reason": auto_order.status_reason,
        "paused_until": _time(auto_order.paused_until),
        "customer": {
            "email": auto_order.email,
            "first_name": auto_order.first_name,
            "last_name": auto_order.last_name,
            "phone": auto_order.phone,
        },
        "billing_address": {
            field: getattr(auto_order, f"billing_{field}") for field in _ADDRESS_FIELDS
        },
        "shipping_address": {
            "name": auto_order.shipping_name,
            **{field: getattr(auto_order, f"shipping_{field}") for field in _ADDRESS_FIELDS},
        },
        "shipping_method": auto_order.shipping_method,
        "shipping_total": _money(auto_order.shipping_total),
        "payment": {
            "method": auto_order.payment_method,
            "card_brand": auto_order.card_brand,
            "card_last4": auto_order.card_last4,
        },
        "next_rebill_on": _time(auto_order.next_rebill_on),
        "next_attempt_on": _time(auto_order.next_attempt_on),
        "failed_attempts": auto_order.failed_attempts,
        "rebill_count": auto_order.rebill_count,
        "lifetime_value": _money(auto_order.lifetime_value),
        "cancelled_at": _time(auto_order.cancelled_at),
        "created_at": _time(auto_order.created_at),
        "updated_at": _time(auto_order.updated_at),
        "items": [_auto_order_item(item) for item in auto_order.items.all()],
    }


AUTO_ORDER_CUSTOMER_FIELDS: tuple[tuple[str, ...], ...] = (
    *(("customer", field) for field in ("email", "first_name", "last_name", "phone")),
    *(("billing_address", field) for field in _ADDRESS_FIELDS),
    *(("shipping_address", field) for field in ("name", *_ADDRESS_FIELDS)),
)


def auto_order_document_redacted(document: dict[str, Any]) -> dict[str, Any]:
    return _redacted(document, AUTO_ORDER_CUSTOMER_FIELDS)


# Chargebacks and cases -------------------------------------------------------------------


def chargeback_documents_queryset(queryset: QuerySet[Chargeback]) -> QuerySet[Chargeback]:
    return queryset.select_related("merchant", "order")


def chargeback_document(chargeback: Chargeback) -> dict[str, Any]:
    """A chargeback as the card network reported it and where the merchant's response
    stands; the internal notes stay inside the back office."""
    return {
        "version": DOCUMENT_VERSION,
        "id": chargeback.pk,
        "merchant": chargeback.merchant.code,
        "order_id": chargeback.order.order_id,
        "case_number": chargeback.case_number,
        "reason_code": chargeback.reason_code,
        "reason_description": chargeback.reason_description,
        "amount": _money(chargeback.amount),
        "currency": chargeback.currency,
        "status": chargeback.status,
        "status_label": chargeback.get_status_display(),
        "received_on": _time(chargeback.received_on),
        "respond_by": _time(chargeback.respond_by),
        "outcome_on": _time(chargeback.outcome_on),
        "created_at": _time(chargeback.created_at),
        "updated_at": _time(chargeback.updated_at),
    }


def case_documents_queryset(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Cases with their messages the customer sees (internal notes stay inside)."""
    visible = CaseMessage.objects.filter(kind__in=CaseMessage.CUSTOMER_VISIBLE)
    return queryset.select_related("merchant", "order").prefetch_related(
        Prefetch("messages", queryset=visible.order_by("created_at", "id"))
    )


def _case_message(message: CaseMessage) -> dict[str, Any]:
    return {"kind": message.kind, "body": message.body, "created_at": _time(message.created_at)}


def case_document(case: Case) -> dict[str, Any]:
    """A customer's case about an order, with the messages exchanged with the customer."""
    return {
        "version": DOCUMENT_VERSION,
        "id": case.pk,
        "merchant": case.merchant.code,
        "order_id": case.order.order_id,
        "email": case.email,
        "subject": case.subject,
        "status": case.status,
        "status_label": case.get_status_display(),
        "status_changed_at": _time(case.status_changed_at),
        "unread": case.unread,
        "created_at": _time(case.created_at),
        "updated_at": _time(case.updated_at),
        "messages": [_case_message(message) for message in case.messages.all()],
    }


def case_document_redacted(document: dict[str, Any]) -> dict[str, Any]:
    """Without the customer's address and words: no email, no messages."""
    return {**document, "email": None, "messages": []}


# Events -----------------------------------------------------------------------------------


def order_event_documents_queryset(queryset: QuerySet[OrderEvent]) -> QuerySet[OrderEvent]:
    return queryset.select_related("order", "actor")


def order_event_document(event: OrderEvent) -> dict[str, Any]:
    """One line of an order's audit timeline: its type code, who acted and its details."""
    return {
        "id": event.pk,
        "order_id": event.order.order_id,
        "type": event.type,
        "type_label": event.get_type_display(),
        "actor": event.actor_display,
        "created_at": _time(event.created_at),
        "payload": event.payload,
    }


def order_event_document_redacted(document: dict[str, Any]) -> dict[str, Any]:
    """Without the details: an event's payload may quote the customer (an email address an
    email went to, an edited address, a note)."""
    return {**document, "payload": None}
