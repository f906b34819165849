"""The API's response shapes, declared for the OpenAPI document. Each mirrors a document of
orders/selectors/documents.py field for field (tests/orders/test_api_reads.py checks that an
answer equals the document), so the schema a client reads is what it gets."""

from typing import Any

from pydantic import BaseModel, Field


class Schema(BaseModel):
    """Plain pydantic models: the documents are dicts already, and pydantic validates those
    several times faster than ninja's Schema, which is made to read model instances."""


MONEY = 'A decimal amount as a string, two places ("19.99"); never a float.'
TIME = {"format": "date-time"}
DAY = {"format": "date"}
REDACTED = "Customers' data: null unless the token has the customers:read scope."


def _money(description: str = MONEY) -> Any:
    return Field(None, description=description)


def _time() -> Any:
    return Field(None, json_schema_extra=TIME)


def _day() -> Any:
    return Field(None, json_schema_extra=DAY)


def _redacted() -> Any:
    return Field(None, description=REDACTED)


class ErrorItem(Schema):
    path: str = Field(description="Where the error is: a field path, a header or $ (all).")
    message: str


class Errors(Schema):
    errors: list[ErrorItem]


class Customer(Schema):
    email: str | None = _redacted()
    first_name: str | None = _redacted()
    last_name: str | None = _redacted()
    company: str | None = _redacted()
    phone: str | None = _redacted()
    ip_address: str | None = _redacted()


class Address(Schema):
    address1: str | None = _redacted()
    address2: str | None = _redacted()
    city: str | None = _redacted()
    region: str | None = _redacted()
    postal_code: str | None = _redacted()
    country: str | None = _redacted()


class ShippingAddress(Address):
    name: str | None = _redacted()


class OrderPayment(Schema):
    method: str
    status: str
    reference: str
    purchase_order_number: str
    card_brand: str
    card_last4: str


class OrderTotals(Schema):
    subtotal: str | None = _money()
    shipping_total: str | None = _money()
    tax: str | None = _money()
    discount: str | None = _money()
    total: str | None = _money()
    refunded_total: str | None = _money()
    chargeback_total: str | None = _money()
    balance_owed: str | None = _money()  # the unpaid total, or what a line edit added


class OrderCosts(Schema):
    cost_of_goods: str | None = _money()
    actual_shipping: str | None = _money()
    actual_fulfillment: str | None = _money()
    actual_payment: str | None = _money()
    actual_profit: str | None = _money()


class Hold(Schema):
    reason: str
    until: str | None = _day()


class OrderLine(Schema):
    position: int
    sku: str
    description: str
    quantity: int
    unit_price: str | None = _money()
    unit_cost: str | None = _money()
    line_total: str | None = _money()
    refunded_quantity: int
    pre_order: bool
    shippable: bool
    auto_order_schedule: str


class PaymentTransaction(Schema):
    kind: str
    amount: str | None = _money()
    result: str
    gateway: str
    gateway_reference: str
    avs_result: str
    cvv_result: str
    message: str
    created_at: str | None = _time()


class ShipmentLine(Schema):
    """How many of the line at `position` (as in the order's lines) the shipment carried."""

    position: int | None
    quantity: int


class TrackingNumber(Schema):
    number: str
    tracking_url: str | None = Field(
        description="The number's page at its carrier; null when the carrier is not one the "
        "back office knows (built in, or added by the merchant under Settings → Carriers)."
    )


class Shipment(Schema):
    carrier: str
    method: str
    tracking_numbers: list[str]
    tracking: list[TrackingNumber] = Field(
        description="The tracking numbers again, each with its tracking page. The pages are "
        "worked out when the document is made: a carrier the merchant adds or changes later "
        "shows in the next document, and sends no webhook of its own."
    )
    shipped_at: str | None = _time()
    # Empty for a shipment recorded before shipments named their lines: it carried them all.
    lines: list[ShipmentLine] = []


class OrderDocument(Schema):
    """An order with its lines, payments, shipments, costs and tags: the same document the
    webhooks carry."""

    version: int
    order_id: str
    merchant: str = Field(description="The merchant's code.")
    stage: str = Field(description="The stage's code; stage_label is its name for people.")
    stage_label: str
    source: str
    is_test: bool
    deleted: bool
    placed_at: str | None = _time()
    paid_at: str | None = _time()
    shipped_at: str | None = _time()
    refunded_at: str | None = _time()
    rejected_at: str | None = _time()
    updated_at: str | None = _time()
    customer: Customer
    billing_address: Address
    shipping_address: ShippingAddress
    shipping_method: str
    requires_shipping: bool
    payment: OrderPayment
    totals: OrderTotals
    costs: OrderCosts
    hold: Hold
    reject_reason: str
    fraud_score: int
    auto_order_code: str
    custom_fields: dict[str, str]
    tags: list[str]
    lines: list[OrderLine]
    transactions: list[PaymentTransaction]
    shipments: list[Shipment]


class OrderPage(Schema):
    items: list[OrderDocument]
    next: str | None = Field(
        None, description="The next page's URL (same filters, the cursor after this page)."
    )
    next_cursor: str | None = None


class OrderEventDocument(Schema):
    id: int
    order_id: str
    type: str = Field(description="The event's code (e.g. order_transitioned).")
    type_label: str
    actor: str
    created_at: str | None = _time()
    payload: dict[str, Any] | None = Field(None, description="The event's details. " + REDACTED)


class OrderEventPage(Schema):
    items: list[OrderEventDocument]
    next: str | None = None
    next_cursor: str | None = None


class AutoOrderCustomer(Schema):
    email: str | None = _redacted()
    first_name: str | None = _redacted()
    last_name: str | None = _redacted()
    phone: str | None = _redacted()


class AutoOrderPayment(Schema):
    method: str
    card_brand: str
    card_last4: str


class AutoOrderItem(Schema):
    position: int
    sku: str
    description: str
    quantity: int
    unit_price: str | None = _money()
    schedule: str
    next_rebill_on: str | None = _day()
    no_order_after: str | None = _day()
    remaining_rebills: int | None = None
    finished: bool


class AutoOrderDocument(Schema):
    version: int
    code: str
    merchant: str
    original_order_id: str
    status: str
    status_label: str
    status_reason: str
    paused_until: str | None = _day()
    customer: AutoOrderCustomer
    billing_address: Address
    shipping_address: ShippingAddress
    shipping_method: str
    shipping_total: str | None = _money()
    payment: AutoOrderPayment
    next_rebill_on: str | None = _day()
    next_attempt_on: str | None = _day()
    failed_attempts: int
    rebill_count: int
    lifetime_value: str | None = _money()
    cancelled_at: str | None = _time()
    created_at: str | None = _time()
    updated_at: str | None = _time()
    items: list[AutoOrderItem]


class AutoOrderPage(Schema):
    items: list[AutoOrderDocument]
    next: str | None = None
    next_cursor: str | None = None


class ChargebackDocument(Schema):
    version: int
    id: int
    merchant: str
    order_id: str
    case_number: str
    reason_code: str
    reason_description: str
    amount: str | None = _money()
    currency: str
    status: str
    status_label: str
    received_on: str | None = _day()
    respond_by: str | None = _day()
    outcome_on: str | None = _day()
    created_at: str | None = _time()
    updated_at: str | None = _time()


class ChargebackPage(Schema):
    items: list[ChargebackDocument]
    next: str | None = None
    next_cursor: str | None = None


class CaseMessage(Schema):
    kind: str = Field(description="customer or merchant (internal notes are not served).")
    body: str
    created_at: str | None = _time()


class CaseDocument(Schema):
    version: int
    id: int
    merchant: str
    order_id: str
    email: str | None = _redacted()
    subject: str
    status: str
    status_label: str
    status_changed_at: str | None = _time()
    unread: bool
    created_at: str | None = _time()
    updated_at: str | None = _time()
    messages: list[CaseMessage] = Field(description="Empty unless the token has customers:read.")


class CasePage(Schema):
    items: list[CaseDocument]
    next: str | None = None
    next_cursor: str | None = None


class IntakeAnswer(Schema):
    order_id: str
    stage: str
    total: str = Field(description=MONEY)
