"""The order, its lines, shipments, notes and tags. Its transitions are in transitions.py."""

import copy
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.base import DEFERRED
from django.db.models.functions import Lower
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField

from orders.states import OrderSource, PaymentMethod, PaymentStatus, Stage

from .item import Item
from .merchant import Merchant
from .search import Digits, SearchDocument
from .transitions import OrderTransitions

ZERO = Decimal("0.00")
MONEY = {"max_digits": 12, "decimal_places": 2, "default": ZERO}
CUSTOM_FIELD_NUMBERS = range(1, 11)
# Actual profit is the total less these; Order.compute_actual_profit and its SQL form both
# read this one list.
ACTUAL_PROFIT_DEDUCTIONS = (
    "refunded_total",
    "tax",
    "cost_of_goods",
    "actual_shipping",
    "actual_fulfillment",
    "actual_payment",
)


class OrderQuerySet(models.QuerySet):
    def live(self) -> "OrderQuerySet":
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> "OrderQuerySet":
        return self.filter(deleted_at__isnull=False)

    def for_merchant(self, merchant: Merchant | int) -> "OrderQuerySet":
        return self.filter(merchant=merchant)


class Tag(models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=50)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["merchant", "name"], name="unique_tag")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# For Order.from_db: the set of names a query loads → each concrete field's place among them.
_LOADED_FIELD_PLACES: dict[tuple[str, ...], list[int | None]] = {}


class Order(OrderTransitions, ConcurrentTransitionMixin, models.Model):
    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="orders")
    order_number = models.PositiveBigIntegerField()
    order_id = models.CharField(max_length=32, unique=True, editable=False)
    stage = FSMField(max_length=30, choices=Stage.choices, protected=True)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    held_from_stage = models.CharField(max_length=30, choices=Stage.choices, blank=True)
    hold_reason = models.CharField(max_length=300, blank=True)
    hold_until = models.DateField(null=True, blank=True)
    reject_reason = models.CharField(max_length=100, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.CharField(max_length=20, choices=OrderSource.choices)
    requires_shipping = models.BooleanField(default=True)
    is_test = models.BooleanField(default=False)

    # Customer.
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    billing_address1 = models.CharField(max_length=200, blank=True)
    billing_address2 = models.CharField(max_length=200, blank=True)
    billing_city = models.CharField(max_length=100, blank=True)
    billing_region = models.CharField(max_length=100, blank=True)
    billing_postal_code = models.CharField(max_length=20, blank=True)
    billing_country = models.CharField(max_length=2, blank=True)
    shipping_name = models.CharField(max_length=200, blank=True)
    shipping_address1 = models.CharField(max_length=200, blank=True)
    shipping_address2 = models.CharField(max_length=200, blank=True)
    shipping_city = models.CharField(max_length=100, blank=True)
    shipping_region = models.CharField(max_length=100, blank=True)
    shipping_postal_code = models.CharField(max_length=20, blank=True)
    shipping_country = models.CharField(max_length=2, blank=True)
    shipping_method = models.CharField(max_length=100, blank=True)

    # Money, in the merchant's currency.
    subtotal = models.DecimalField(**MONEY)
    shipping_total = models.DecimalField(**MONEY)
    tax = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    refunded_total = models.DecimalField(**MONEY)
    chargeback_total = models.DecimalField(**MONEY)
    cost_of_goods = models.DecimalField(**MONEY)
    actual_shipping = models.DecimalField(**MONEY)
    actual_fulfillment = models.DecimalField(**MONEY)
    actual_payment = models.DecimalField(**MONEY)
    actual_profit = models.DecimalField(**MONEY)
    # What the customer owes on an order already paid, after a line edit raised its total and
    # there was no card on file to charge (orders.services.line_edits); an unpaid order owes
    # its whole total instead.
    balance_due = models.DecimalField(**MONEY)

    # Dates.
    placed_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    quote_sent_at = models.DateTimeField(null=True, blank=True)

    # Payment.
    payment_method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNPROCESSED
    )
    payment_reference = models.CharField(max_length=100, blank=True)
    purchase_order_number = models.CharField(max_length=64, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    card_fingerprint = models.CharField(max_length=64, blank=True)
    gateway_token = models.CharField(max_length=100, blank=True)

    # Fraud: the score and the sentences of the rules that produced it.
    fraud_score = models.PositiveSmallIntegerField(default=0)
    fraud_reasons = models.JSONField(default=list, blank=True)

    custom_1 = models.CharField(max_length=200, blank=True)
    custom_2 = models.CharField(max_length=200, blank=True)
    custom_3 = models.CharField(max_length=200, blank=True)
    custom_4 = models.CharField(max_length=200, blank=True)
    custom_5 = models.CharField(max_length=200, blank=True)
    custom_6 = models.CharField(max_length=200, blank=True)
    custom_7 = models.CharField(max_length=200, blank=True)
    custom_8 = models.CharField(max_length=200, blank=True)
    custom_9 = models.CharField(max_length=200, blank=True)
    custom_10 = models.CharField(max_length=200, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="orders")

    # The code of the auto order this order came from or started (orders.models.AutoOrder).
    auto_order_code = models.CharField(max_length=40, blank=True)
    original_order = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="derived_orders"
    )

    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    delete_reason = models.CharField(max_length=300, blank=True)
    # The one-time key of the form or API request that placed the order: the same key places
    # one order, however often it is submitted. The digest is the API request body's.
    placement_key = models.CharField(max_length=120, null=True, blank=True, editable=False)
    placement_digest = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    # Kept by the database on every write (orders.models.search), read by the text search
    # through trigram indexes (migration 0001_squashed_0016).
    search_document = models.GeneratedField(
        expression=SearchDocument(), output_field=models.TextField(), db_persist=True
    )
    phone_digits = models.GeneratedField(
        expression=Digits(F("phone")), output_field=models.TextField(), db_persist=True
    )

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["-order_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "order_number"], name="unique_order_number_per_merchant"
            ),
            models.UniqueConstraint(
                fields=["merchant", "placement_key"], name="unique_placement_key_per_merchant"
            ),
        ]
        indexes = [
            models.Index(
                fields=["merchant", "stage", "-order_number"],
                name="order_stage_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(fields=["merchant", "-placed_at"], name="order_placed_idx"),
            models.Index(fields=["merchant", "email"], name="order_email_idx"),
            # A customer is an email without case; linked orders share a card, an IP or an
            # address: each read by its own index, so the order and customer pages stay fast.
            models.Index(F("merchant"), Lower("email"), name="order_email_lower_idx"),
            models.Index(
                fields=["merchant", "card_fingerprint"],
                name="order_card_idx",
                condition=~Q(card_fingerprint=""),
            ),
            # With the order number: a search for an IP shared by thousands of orders reads
            # the page's 50 in the list's order, not all of them to sort.
            models.Index(
                fields=["merchant", "ip_address", "-order_number"],
                name="order_ip_number_idx",
                condition=Q(ip_address__isnull=False),
            ),
            models.Index(
                F("merchant"),
                Lower("shipping_address1"),
                Lower("shipping_postal_code"),
                name="order_ship_address_idx",
                condition=~Q(shipping_address1=""),
            ),
            models.Index(
                fields=["merchant", "deleted_at"],
                name="order_deleted_idx",
                condition=Q(deleted_at__isnull=False),
            ),
            models.Index(fields=["merchant", "paid_at"], name="order_paid_idx"),
            models.Index(fields=["merchant", "shipped_at"], name="order_shipped_idx"),
            # The list screens sort only on these (each with the order number as tie-breaker).
            models.Index(fields=["merchant", "total"], name="order_total_idx"),
            models.Index(fields=["merchant", "stage_entered_at"], name="order_entered_idx"),
            # The read API's "changed since" pages: keyset over (updated_at, order number).
            models.Index(
                fields=["merchant", "updated_at", "order_number"], name="order_updated_idx"
            ),
            *(
                models.Index(
                    fields=["merchant", "stage", field, "order_number"],
                    name=f"order_stage_{short}_idx",
                    condition=Q(deleted_at__isnull=True),
                )
                for field, short in (
                    ("placed_at", "placed"),
                    ("total", "total"),
                    ("stage_entered_at", "entered"),
                )
            ),
        ]
        permissions = [
            ("view_merchant_orders", "Can view the merchant's orders"),
            ("send_quote", "Can send quotes"),
            ("reject_order", "Can reject orders"),
            ("release_preorder", "Can release pre-orders"),
            ("process_payment", "Can process payments"),
            ("record_payment", "Can record payments received"),
            ("approve_order", "Can approve orders in fraud review"),
            ("reject_fraud", "Can reject orders as fraud"),
            ("hold_order", "Can hold orders"),
            ("release_hold", "Can release held orders"),
            ("ship_order", "Can mark orders shipped"),
            ("move_back_to_shipping", "Can move completed orders back to shipping"),
            ("refund_order", "Can refund orders"),
            ("unreject_order", "Can un-reject orders"),
            ("skip_payment", "Can skip payment processing"),
            ("skip_fraud_score", "Can skip the fraud score"),
            ("edit_order", "Can edit the customer, addresses, tags and custom fields"),
            ("edit_order_lines", "Can change an order's lines and shipping before it ships"),
            ("place_order", "Can enter orders, replacements and clones"),
            ("add_note", "Can add merchant notes"),
            ("resend_email", "Can send customer emails again"),
            ("manage_auto_orders", "Can pause, cancel and change auto orders"),
            ("view_order_lists", "Can view every order list, not only shipping and completed"),
            ("delete_order_soft", "Can delete orders"),
            ("undelete_order", "Can undelete orders"),
            ("run_tools", "Can run batch operations"),
            ("export_orders", "Can export orders"),
            ("import_costs", "Can import actual costs"),
            ("manage_merchant", "Can change merchant settings and staff"),
            ("view_money", "Can see revenue and margin across the merchant's orders"),
            ("manage_chargebacks", "Can open, import and dispute chargebacks"),
            ("manage_cases", "Can open, answer and close customer cases"),
            ("manage_returns", "Can open, authorize, reject and cancel returns"),
            ("receive_returns", "Can see returns and record what came back"),
        ]

    def __str__(self) -> str:
        return self.order_id

    @classmethod
    def from_db(cls, db, field_names, values):
        # Every list loads orders with some fields deferred; Django then finds each of the 85
        # fields' place by a scan of the loaded names, per row (25 µs). The places are found
        # once per set of names instead (7 µs a row: a list page of 50 rows saves 0.9 ms).
        if len(values) == len(cls._meta.concrete_fields):
            return super().from_db(db, field_names, values)
        key = tuple(field_names)
        places = _LOADED_FIELD_PLACES.get(key)
        if places is None:
            place_of = {name: place for place, name in enumerate(key)}
            places = [place_of.get(field.attname) for field in cls._meta.concrete_fields]
            _LOADED_FIELD_PLACES[key] = places
        order = cls(*[DEFERRED if place is None else values[place] for place in places])
        order._state.adding = False
        order._state.db = db
        return order

    @property
    def state_fields(self):
        # django-fsm (ConcurrentTransitionMixin) finds the state fields by testing every one of
        # the order's ~90 fields each time an order is made; a list page makes 50 of them.
        return (self._meta.get_field("stage"),)

    # ---- derived facts -------------------------------------------------------------------
    @property
    def customer_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def actual_costs(self) -> Decimal:
        return self.actual_shipping + self.actual_fulfillment + self.actual_payment

    def compute_actual_profit(self) -> Decimal:
        return self.total - sum(
            (getattr(self, name) for name in ACTUAL_PROFIT_DEDUCTIONS), start=ZERO
        )

    @staticmethod
    def actual_profit_sql(value_of: Callable[[str], str]) -> str:
        """compute_actual_profit as an SQL expression, for set-based writers; `value_of(field)`
        is the SQL of that field's value (a column, or the new value an UPDATE sets)."""
        terms = [value_of(name) for name in ("total", *ACTUAL_PROFIT_DEDUCTIONS)]
        return "(" + " - ".join(f"({term})" for term in terms) + ")"

    def custom_field(self, number: int) -> str:
        return getattr(self, f"custom_{number}")

    def field_values(self) -> dict[str, Any]:
        """A snapshot of the row's values, for orders.writes.order_save_changed (lists and
        dicts copied, as a change may edit them in place)."""
        return {
            field.attname: copy.deepcopy(value) if isinstance(value, list | dict) else value
            for field in self._meta.concrete_fields
            if not field.generated
            for value in [getattr(self, field.attname)]
        }


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.SET_NULL)
    sku = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(**MONEY)
    unit_cost = models.DecimalField(**MONEY)
    refunded_quantity = models.PositiveIntegerField(default=0)
    pre_order = models.BooleanField(default=False)
    shippable = models.BooleanField(default=True)
    auto_order_schedule = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["position", "id"]
        # With the order: a SKU's orders are read from the index alone (orders.selectors.search).
        indexes = [models.Index(fields=["sku", "order"], name="line_sku_order_idx")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku or self.description}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(max_length=50)
    method = models.CharField(max_length=100, blank=True)
    tracking_numbers = models.JSONField(default=list)
    shipped_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["shipped_at", "id"]

    def __str__(self) -> str:
        return f"{self.carrier} {', '.join(self.tracking_numbers)}"


class ShipmentLine(models.Model):
    """How many of one order line a shipment carries. A shipment recorded before shipments
    named their lines has no rows here and carries everything (orders.selectors.fulfilment)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="shipment_lines")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["line__position", "line_id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "line"], name="unique_shipment_line"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="shipment_line_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.line}"


class OrderNote(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]
