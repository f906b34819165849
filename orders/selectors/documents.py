"""An order as programs see it: the read API's body and the object inside every webhook.

One shape for both, so a receiver that applies webhooks and a client that polls the API keep
the same copy. Values are JSON-ready: money as decimal strings (never floats), times in ISO
8601 with their offset, codes rather than labels (each code's label sits beside it where a
person may read it).
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from orders.models import Order, OrderLine, PaymentTransaction, Shipment

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


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def order_documents_queryset(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """The queryset with what `order_document` reads, fetched in a fixed number of queries."""
    return queryset.select_related("merchant").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position", "id")),
        Prefetch("transactions", queryset=PaymentTransaction.objects.order_by("created_at", "id")),
        Prefetch("shipments", queryset=Shipment.objects.order_by("shipped_at", "id")),
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


def _shipment(shipment: Shipment) -> dict[str, Any]:
    return {
        "carrier": shipment.carrier,
        "method": shipment.method,
        "tracking_numbers": list(shipment.tracking_numbers),
        "shipped_at": _time(shipment.shipped_at),
    }


def _address(order: Order, prefix: str) -> dict[str, str]:
    return {field: getattr(order, f"{prefix}_{field}") for field in _ADDRESS_FIELDS}


def order_document(order: Order) -> dict[str, Any]:
    """The order, its lines, payments, shipments, costs and tags. Read through
    `order_documents_queryset` to keep it to a fixed number of queries."""
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
        "totals": {field: _money(getattr(order, field)) for field in _MONEY_FIELDS},
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
        "shipments": [_shipment(shipment) for shipment in order.shipments.all()],
    }


def order_documents(orders: Iterable[Order]) -> list[dict[str, Any]]:
    return [order_document(order) for order in orders]
