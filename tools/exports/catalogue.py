"""The export field catalogue: every order field of the domain and the line fields.

Names are the Order model's own where one exists (outside scripts rely on them); a few are
derived (customer name, tags, notes, tracking). Kinds decide typing and formats.

Each field says what it means twice, side by side: in Python (its model field, or `compute`
over the fields it `needs` or over its `related` rows; read by rows.py) and in SQL (`sql`, an
expression over the order `o`, which has the source and needed fields by name, and the line
`l`; or `sql_join`, a table of (order_id, value) for the orders of a pk range; read by
pgcopy.py). formats.py turns either into text.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from orders.models import Merchant, Order, OrderNote, Shipment
from orders.models.order import CUSTOM_FIELD_NUMBERS
from orders.states import CARD_BRAND_LABELS, OrderSource, PaymentMethod, PaymentStatus, Stage

TEXT, MONEY, DATETIME, DATE, INT = "text", "money", "datetime", "date", "int"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = TEXT
    # The model field read (values_list); empty for derived fields.
    source: str = ""
    line: bool = False
    # Derived in Python: compute(merchant, *needed values), or compute(merchant, items) where
    # items are the order's rows of related(order pks) → (order pk, item), in order.
    needs: tuple[str, ...] = ()
    compute: Callable[..., Any] | None = None
    related: Callable[[list[int]], Iterable[tuple[int, Any]]] | None = None
    # The same in SQL; empty: the source column.
    sql: str = ""
    sql_join: str = ""

    def value_sql(self) -> str:
        # The order's fields are read by name (values()); a line's are its table's columns.
        return self.sql or f"{'l' if self.line else 'o'}.{self.source}"


def _order(name: str, label: str, kind: str = TEXT, **derived) -> Field:
    return Field(name, label, kind, "" if derived else name, **derived)


def _line(name: str, label: str, kind: str = TEXT, source: str = "", **derived) -> Field:
    return Field(name, label, kind, source, line=True, **derived)


# ---- derived fields ---------------------------------------------------------------------------

# Python's str.strip() removes every Unicode white space (str.isspace); btrim() is given the
# same set (a test compares it with str.isspace over every code point).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# Each sql_join reads its table for the orders of one pk range: after < order_id <= upto.


def _tags(pks):
    rows = Order.tags.through.objects.filter(order_id__in=pks).order_by("tag__name")
    return rows.values_list("order_id", "tag__name")


def _notes(pks):
    rows = OrderNote.objects.filter(order_id__in=pks).order_by("created_at", "id")
    return rows.values_list("order_id", "text")


def _shipments(column: str):
    def related(pks):
        rows = Shipment.objects.filter(order_id__in=pks).order_by("shipped_at", "id")
        return rows.values_list("order_id", column)

    return related


def _tracking_numbers(_merchant, lists) -> str:
    # A malformed (non-list) value counts as no numbers, as jsonb_typeof does in SQL.
    return ", ".join(n for numbers in lists if isinstance(numbers, list) for n in numbers)


_DERIVED: dict[str, dict[str, Any]] = {
    "merchant_code": {
        "compute": lambda merchant: merchant.code,
        "sql": "%(merchant_code)s",
    },
    "customer_name": {
        "needs": ("first_name", "last_name"),
        "compute": lambda _merchant, first, last: f"{first} {last}".strip(),
        "sql": "btrim(o.first_name || ' ' || o.last_name, %(whitespace)s)",
    },
    "carrier": {
        "related": _shipments("carrier"),
        "compute": lambda _merchant, carriers: ", ".join(dict.fromkeys(carriers)),
        # Each carrier once, where it first appears.
        "sql_join": "SELECT order_id, string_agg(carrier, ', ' ORDER BY shipped_at, id) AS value "
        "FROM (SELECT DISTINCT ON (order_id, carrier) order_id, carrier, shipped_at, id "
        "FROM orders_shipment WHERE order_id > %(after)s AND order_id <= %(upto)s "
        "ORDER BY order_id, carrier, shipped_at, id) s "
        "GROUP BY order_id",
    },
    "tracking_numbers": {
        "related": _shipments("tracking_numbers"),
        "compute": _tracking_numbers,
        "sql_join": "SELECT s.order_id, "
        "string_agg(t.number, ', ' ORDER BY s.shipped_at, s.id, t.position) AS value "
        "FROM orders_shipment s CROSS JOIN LATERAL jsonb_array_elements_text(CASE "
        "jsonb_typeof(s.tracking_numbers) WHEN 'array' THEN s.tracking_numbers ELSE '[]' END) "
        "WITH ORDINALITY AS t(number, position) "
        "WHERE s.order_id > %(after)s AND s.order_id <= %(upto)s GROUP BY s.order_id",
    },
    "tags": {
        "related": _tags,
        "compute": lambda _merchant, names: ", ".join(names),
        "sql_join": "SELECT ot.order_id, string_agg(t.name, ', ' ORDER BY t.name) AS value "
        "FROM orders_order_tags ot JOIN orders_tag t ON t.id = ot.tag_id "
        "WHERE ot.order_id > %(after)s AND ot.order_id <= %(upto)s GROUP BY ot.order_id",
    },
    "notes": {
        "related": _notes,
        "compute": lambda _merchant, texts: "\n".join(texts),
        "sql_join": "SELECT order_id, string_agg(text, E'\\n' ORDER BY created_at, id) AS value "
        "FROM orders_ordernote WHERE order_id > %(after)s AND order_id <= %(upto)s "
        "GROUP BY order_id",
    },
}

# ---- the catalogue ----------------------------------------------------------------------------

_ADDRESS = [
    ("address1", "address 1"),
    ("address2", "address 2"),
    ("city", "city"),
    ("region", "region"),
    ("postal_code", "postal code"),
    ("country", "country"),
]

ORDER_FIELDS: list[Field] = [
    _order("order_id", "Order ID"),
    _order("order_number", "Order number", INT),
    _order("merchant_code", "Merchant", **_DERIVED["merchant_code"]),
    _order("stage", "Stage"),
    _order("source", "Source"),
    _order("placed_at", "Placed", DATETIME),
    _order("paid_at", "Paid", DATETIME),
    _order("shipped_at", "Shipped", DATETIME),
    _order("refunded_at", "Refunded", DATETIME),
    _order("rejected_at", "Rejected", DATETIME),
    _order("stage_entered_at", "Stage entered", DATETIME),
    _order("email", "Email"),
    _order("customer_name", "Customer name", **_DERIVED["customer_name"]),
    _order("first_name", "First name"),
    _order("last_name", "Last name"),
    _order("company", "Company"),
    _order("phone", "Phone"),
    # The inet's own text (no /32 for a single address), as the Python path reads it.
    Field("ip_address", "IP address", source="ip_address", sql="abbrev(o.ip_address)"),
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
    _order("carrier", "Carrier", **_DERIVED["carrier"]),
    _order("tracking_numbers", "Tracking numbers", **_DERIVED["tracking_numbers"]),
    *(_order(f"custom_{n}", f"Custom field {n}") for n in CUSTOM_FIELD_NUMBERS),
    _order("tags", "Tags", **_DERIVED["tags"]),
    _order("notes", "Merchant notes", **_DERIVED["notes"]),
]

LINE_FIELDS: list[Field] = [
    _line("line_sku", "SKU", source="sku"),
    _line("line_description", "Description", source="description"),
    _line("line_quantity", "Quantity", INT, source="quantity"),
    _line("line_unit_price", "Unit price", MONEY, source="unit_price"),
    _line("line_unit_cost", "Unit cost", MONEY, source="unit_cost"),
    _line(
        "line_total",
        "Line total",
        MONEY,
        needs=("unit_price", "quantity"),
        compute=lambda _merchant, price, quantity: price * quantity,
        sql="l.unit_price * l.quantity",
    ),
    _line("line_refunded_quantity", "Refunded quantity", INT, source="refunded_quantity"),
]

FIELDS: dict[str, Field] = {field.name: field for field in [*ORDER_FIELDS, *LINE_FIELDS]}

# ---- codes or labels --------------------------------------------------------------------------
# A field whose values are codes may be exported as the labels people read instead; codes stay
# the default (outside programs rely on them).
CODE, LABEL = "code", "label"
VALUE_CHOICES = [(CODE, "Code"), (LABEL, "Label")]
CODE_LABELS: dict[str, dict[str, str]] = {
    "stage": dict(Stage.choices),
    "source": dict(OrderSource.choices),
    "payment_method": dict(PaymentMethod.choices),
    "payment_status": dict(PaymentStatus.choices),
    "card_brand": dict(CARD_BRAND_LABELS),
}


def _sql_text(text: str) -> str:
    # A literal in a statement that is %-formatted once more (pgcopy's parameters).
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


def field_labelled(field: Field) -> Field:
    """The field read as labels: derived from its code in Python and in SQL alike (an unknown
    code stays as it is). It keeps the field's name, so XML elements do not change."""
    labels = CODE_LABELS[field.name]
    column = field.value_sql()
    cases = " ".join(
        f"WHEN {_sql_text(code)} THEN {_sql_text(label)}" for code, label in labels.items()
    )
    return replace(
        field,
        source="",
        needs=(field.source,),
        compute=lambda _merchant, code: labels.get(code, code),
        sql=f"(CASE {column} {cases} ELSE {column} END)",
    )


def field_for_column(name: str, values: str = CODE) -> Field:
    """The catalogue's field for a mapping's column: as labels when the column asks for them
    and the field has any."""
    field = FIELDS[name]
    if values == LABEL and name in CODE_LABELS:
        return field_labelled(field)
    return field


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
