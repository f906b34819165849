"""The export field catalogue: every order field of the domain and the line fields.

Names are the Order model's own where one exists (outside scripts rely on them); a few are
derived (customer name, tags, notes, tracking). Kinds decide typing and formats.
"""

from dataclasses import dataclass

from orders.models import Merchant
from orders.models.order import CUSTOM_FIELD_NUMBERS

TEXT, MONEY, DATETIME, DATE, INT = "text", "money", "datetime", "date", "int"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = TEXT
    # The model field read with values(); empty for derived fields filled per chunk.
    source: str = ""
    line: bool = False


def _order(name: str, label: str, kind: str = TEXT, source: str | None = None) -> Field:
    return Field(name, label, kind, name if source is None else source)


def _line(name: str, label: str, kind: str = TEXT, source: str = "") -> Field:
    return Field(name, label, kind, source, line=True)


_ADDRESS = [
    ("address1", "address 1"), ("address2", "address 2"), ("city", "city"),
    ("region", "region"), ("postal_code", "postal code"), ("country", "country"),
]  # fmt: skip

ORDER_FIELDS: list[Field] = [
    _order("order_id", "Order ID"),
    _order("order_number", "Order number", INT),
    _order("merchant_code", "Merchant", source=""),
    _order("stage", "Stage"),
    _order("source", "Source"),
    _order("placed_at", "Placed", DATETIME),
    _order("paid_at", "Paid", DATETIME),
    _order("shipped_at", "Shipped", DATETIME),
    _order("refunded_at", "Refunded", DATETIME),
    _order("rejected_at", "Rejected", DATETIME),
    _order("stage_entered_at", "Stage entered", DATETIME),
    _order("email", "Email"),
    _order("customer_name", "Customer name", source=""),
    _order("first_name", "First name"),
    _order("last_name", "Last name"),
    _order("company", "Company"),
    _order("phone", "Phone"),
    _order("ip_address", "IP address"),
    *(_order(f"billing_{key}", f"Billing {label}") for key, label in _ADDRESS),
    _order("shipping_name", "Shipping name"),
    *(_order(f"shipping_{key}", f"Shipping {label}") for key, label in _ADDRESS),
    _order("shipping_method", "Shipping method"),
    _order("payment_method", "Payment method"),
    _order("payment_status", "Payment status"),
    _order("payment_reference", "Payment reference"),
    _order("purchase_order_number", "Purchase order number"),
    _order("card_brand", "Card brand"),
    _order("card_last4", "Card last 4"),
    _order("card_exp_month", "Card expiry month", INT),
    _order("card_exp_year", "Card expiry year", INT),
    _order("subtotal", "Subtotal", MONEY),
    _order("shipping_total", "Shipping", MONEY),
    _order("tax", "Tax", MONEY),
    _order("discount", "Discount", MONEY),
    _order("total", "Total", MONEY),
    _order("refunded_total", "Refunded total", MONEY),
    _order("chargeback_total", "Chargeback total", MONEY),
    _order("cost_of_goods", "Cost of goods", MONEY),
    _order("actual_shipping", "Actual shipping", MONEY),
    _order("actual_fulfillment", "Actual fulfillment", MONEY),
    _order("actual_payment", "Actual payment", MONEY),
    _order("actual_profit", "Actual profit", MONEY),
    _order("fraud_score", "Fraud score", INT),
    _order("hold_reason", "Hold reason"),
    _order("reject_reason", "Reject reason"),
    _order("auto_order_code", "Auto order"),
    _order("carrier", "Carrier", source=""),
    _order("tracking_numbers", "Tracking numbers", source=""),
    *(_order(f"custom_{n}", f"Custom field {n}") for n in CUSTOM_FIELD_NUMBERS),
    _order("tags", "Tags", source=""),
    _order("notes", "Merchant notes", source=""),
]

LINE_FIELDS: list[Field] = [
    _line("line_sku", "SKU", source="sku"),
    _line("line_description", "Description", source="description"),
    _line("line_quantity", "Quantity", INT, source="quantity"),
    _line("line_unit_price", "Unit price", MONEY, source="unit_price"),
    _line("line_unit_cost", "Unit cost", MONEY, source="unit_cost"),
    _line("line_total", "Line total", MONEY),
    _line("line_refunded_quantity", "Refunded quantity", INT, source="refunded_quantity"),
]

FIELDS: dict[str, Field] = {field.name: field for field in [*ORDER_FIELDS, *LINE_FIELDS]}

DATE_FORMATS = {
    "": ("%Y-%m-%d %H:%M:%S", "yyyy-mm-dd hh:mm:ss"),
    "date": ("%Y-%m-%d", "yyyy-mm-dd"),
    "us": ("%m/%d/%Y", "mm/dd/yyyy"),
    "eu": ("%d/%m/%Y", "dd/mm/yyyy"),
    "iso": ("%Y-%m-%dT%H:%M:%S", "yyyy-mm-dd\\Thh:mm:ss"),
}
MONEY_FORMATS = {"": "0.00", "thousands": "#,##0.00"}


def field_label(field: Field, merchant: Merchant) -> str:
    """The default header: a custom field carries the merchant's label for it."""
    if field.name.startswith("custom_"):
        number = field.name.removeprefix("custom_")
        label = (merchant.custom_fields or {}).get(number, {}).get("label")
        return label or field.label
    return field.label


def catalogue_for(merchant: Merchant) -> list[tuple[str, str, bool]]:
    """(name, label, is a line field) for the mapping editor, with merchant labels."""
    return [(f.name, field_label(f, merchant), f.line) for f in FIELDS.values()]
