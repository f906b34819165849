"""The intake API's body: validated strictly into an OrderDraft, every error with its path.

Unknown fields are refused (a typo must not silently drop data), amounts are decimal strings
or numbers, and totals the storefront sends must match the server's arithmetic to the cent.
"""

import ipaddress
from decimal import Decimal, InvalidOperation
from typing import Any

from backoffice.common.inputs import NUL
from orders.models import Item, Merchant
from orders.payments import CardDetails
from orders.pricing import MAX_AMOUNT, MAX_QUANTITY, AmountTooLarge, money, order_totals
from orders.services.placement import CardMode, LineDraft, OrderDraft, PaymentDraft
from orders.states import OrderSource, PaymentMethod

ADDRESS_KEYS = {"address1", "address2", "city", "region", "postal_code", "country"}
TOP_KEYS = {
    "email",
    "first_name",
    "last_name",
    "company",
    "phone",
    "ip_address",
    "billing",
    "shipping",
    "shipping_method",
    "shipping_total",
    "discount",
    "tax",
    "lines",
    "payment",
    "totals",
}
LINE_KEYS = {"sku", "description", "quantity", "unit_price"}
PAYMENT_KEYS = {
    "method",
    "card",
    "card_token",
    "card_mode",
    "purchase_order_number",
    "bank_account",
}
CARD_KEYS = {"number", "exp_month", "exp_year", "cvv"}
TOTALS_KEYS = {"subtotal", "shipping", "discount", "tax", "total"}
MAX_LINES = 500


class IntakeInvalid(Exception):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{e['path']}: {e['message']}" for e in errors))
        self.errors = errors


class _Reader:
    """Collects every error of a body instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[dict[str, str]] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append({"path": path, "message": message})

    def obj(self, value: Any, path: str, allowed: set[str]) -> dict:
        if not isinstance(value, dict):
            self.error(path or "$", "must be an object")
            return {}
        for key in sorted(set(value) - allowed):
            self.error(f"{path}.{key}" if path else key, "unknown field")
        return value

    def text(self, data: dict, key: str, path: str, *, required=False, max_length=200) -> str:
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if value is None or value == "":
            if required:
                self.error(where, "is required")
            return ""
        if not isinstance(value, str):
            self.error(where, "must be a string")
            return ""
        if len(value) > max_length:
            self.error(where, f"must be at most {max_length} characters")
        if NUL in value:
            self.error(where, "must not contain NUL characters")
            return ""
        return value.strip()

    def amount(self, data: dict, key: str, path: str, *, required=False) -> Decimal | None:
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.error(where, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(where, "must be a decimal amount")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.error(where, "must be a decimal amount")
            return None
        if not number.is_finite() or number < 0:
            self.error(where, "must be zero or more")
            return None
        if number > MAX_AMOUNT:
            self.error(where, f"must be at most {MAX_AMOUNT}")
            return None
        if number != money(number):
            self.error(where, "must have at most two decimal places")
        return number

    def integer(self, data: dict, key: str, path: str, *, minimum: int, maximum: int) -> int | None:
        value = data.get(key)
        where = f"{path}.{key}"
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(where, "must be an integer")
            return None
        if not minimum <= value <= maximum:
            self.error(where, f"must be from {minimum} to {maximum}")
            return None
        return value


def intake_draft(*, merchant: Merchant, body: Any, key: str, digest: str) -> OrderDraft:
    """The draft an API body describes; raises IntakeInvalid with every error found."""
    reader = _Reader()
    data = reader.obj(body, "", TOP_KEYS)
    email = reader.text(data, "email", "", required=True, max_length=254)
    if email and "@" not in email:
        reader.error("email", "must be an email address")
    lines = _lines(reader, merchant, data.get("lines"))
    payment = _payment(reader, data.get("payment"))
    draft = OrderDraft(
        email=email,
        lines=lines,
        payment=payment,
        first_name=reader.text(data, "first_name", "", max_length=100),
        last_name=reader.text(data, "last_name", "", max_length=100),
        company=reader.text(data, "company", ""),
        phone=reader.text(data, "phone", "", max_length=40),
        ip_address=_ip_address(reader, data),
        billing=_address(reader, data.get("billing"), "billing", set()),
        shipping=_address(reader, data.get("shipping"), "shipping", {"name"}),
        shipping_method=reader.text(data, "shipping_method", "", max_length=100),
        shipping_total=reader.amount(data, "shipping_total", "") or Decimal("0"),
        discount=reader.amount(data, "discount", "") or Decimal("0"),
        tax=reader.amount(data, "tax", ""),
        source=OrderSource.API,
        idempotency_key=key,
        placement_digest=digest,
    )
    if "totals" in data and not reader.errors:
        _check_totals(reader, merchant, draft, data["totals"])
    if reader.errors:
        raise IntakeInvalid(reader.errors)
    return draft


def _ip_address(reader: _Reader, data: dict) -> str | None:
    value = reader.text(data, "ip_address", "", max_length=45)
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        reader.error("ip_address", "must be an IPv4 or IPv6 address")
        return None


def _address(reader: _Reader, value: Any, path: str, extra: set[str]) -> dict[str, str]:
    if value is None:
        return {}
    data = reader.obj(value, path, ADDRESS_KEYS | extra)
    address = {key: reader.text(data, key, path) for key in ADDRESS_KEYS | extra if key in data}
    if len(address.get("country", "")) not in (0, 2):
        reader.error(f"{path}.country", "must be a two-letter country code")
    return address


def _lines(reader: _Reader, merchant: Merchant, value: Any) -> list[LineDraft]:
    if not isinstance(value, list) or not value:
        reader.error("lines", "must be a non-empty list")
        return []
    if len(value) > MAX_LINES:
        reader.error("lines", f"must hold at most {MAX_LINES} lines")
        return []
    raw = [reader.obj(line, f"lines[{i}]", LINE_KEYS) for i, line in enumerate(value)]
    skus = {line.get("sku") for line in raw if isinstance(line.get("sku"), str)}
    items = {i.sku: i for i in Item.objects.filter(merchant=merchant, sku__in=skus)}
    drafts = []
    for index, line in enumerate(raw):
        path = f"lines[{index}]"
        sku = reader.text(line, "sku", path, max_length=64)
        item = items.get(sku)
        if sku and item is None:
            reader.error(f"{path}.sku", f"no item with SKU {sku}")
        description = reader.text(line, "description", path, required=not sku, max_length=300)
        quantity = reader.integer(line, "quantity", path, minimum=1, maximum=MAX_QUANTITY)
        price = reader.amount(line, "unit_price", path, required=item is None)
        drafts.append(
            LineDraft(
                description=description,
                quantity=quantity or 1,
                unit_price=price,
                sku=sku,
                item=item,
            )
        )
    return drafts


def _payment(reader: _Reader, value: Any) -> PaymentDraft:
    data = reader.obj(value, "payment", PAYMENT_KEYS)
    method = reader.text(data, "method", "payment", required=True, max_length=20)
    if method and method not in PaymentMethod.values:
        reader.error("payment.method", f"must be one of {', '.join(PaymentMethod.values)}")
    mode = reader.text(data, "card_mode", "payment", max_length=20) or CardMode.CHARGE_NOW
    if mode not in {CardMode.CHARGE_NOW, CardMode.NO_CHARGE}:
        reader.error("payment.card_mode", "must be charge_now or no_charge")
    card = None
    if data.get("card") is not None:
        raw = reader.obj(data["card"], "payment.card", CARD_KEYS)
        number = reader.text(raw, "number", "payment.card", required=True, max_length=19)
        month = reader.integer(raw, "exp_month", "payment.card", minimum=1, maximum=12)
        year = reader.integer(raw, "exp_year", "payment.card", minimum=2000, maximum=2999)
        if number and month and year:
            card = CardDetails(number, month, year, cvv=reader.text(raw, "cvv", "payment.card"))
    token = reader.text(data, "card_token", "payment", max_length=100)
    if method == PaymentMethod.CREDIT_CARD and card is None and not token:
        reader.error("payment.card", "a card or a card_token is required for credit_card")
    return PaymentDraft(
        method=method,
        card=card,
        card_token=token,
        card_mode=mode,
        purchase_order_number=reader.text(data, "purchase_order_number", "payment", max_length=64),
        bank_account=reader.text(data, "bank_account", "payment", max_length=64),
    )


def _check_totals(reader: _Reader, merchant: Merchant, draft: OrderDraft, value: Any) -> None:
    data = reader.obj(value, "totals", TOTALS_KEYS)
    prices = []
    for line in draft.lines:
        price = line.unit_price if line.unit_price is not None else line.item.price
        prices.append((line.quantity, price, Decimal("0")))
    try:
        totals = order_totals(
            lines=prices,
            shipping=draft.shipping_total,
            discount=draft.discount,
            tax_rate=merchant.tax_rate,
            tax=draft.tax,
        )
    except AmountTooLarge as exc:
        reader.error("totals", str(exc))
        return
    for key in sorted(TOTALS_KEYS & set(data)):
        sent = reader.amount(data, key, "totals")
        ours = getattr(totals, key)
        if sent is not None and sent != ours:
            reader.error(f"totals.{key}", f"is {sent} but the lines add up to {ours}")
