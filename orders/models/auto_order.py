"""Auto orders: what a customer buys on a schedule, and every rebill attempt made for it."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from .item import Item
from .merchant import Merchant
from .order import MONEY, Order


class AutoOrderQuerySet(models.QuerySet):
    def for_merchant(self, merchant: Merchant | int) -> "AutoOrderQuerySet":
        return self.filter(merchant=merchant)

    def due(self, today) -> "AutoOrderQuerySet":
        """Active auto orders whose next attempt has come, and pauses that have ended."""
        return self.filter(
            Q(status=AutoOrder.Status.ACTIVE, next_attempt_on__lte=today)
            | Q(status=AutoOrder.Status.PAUSED, paused_until__lte=today)
        )


class AutoOrder(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        DISABLED = "disabled", "Disabled"
        CANCELLED_BY_CUSTOMER = "cancelled_by_customer", "Cancelled by customer"
        CANCELLED_BY_MERCHANT = "cancelled_by_merchant", "Cancelled by merchant"
        COMPLETED = "completed", "Completed"

    CANCELLED = (Status.CANCELLED_BY_CUSTOMER, Status.CANCELLED_BY_MERCHANT)
    # Statuses that still rebill (a paused one once its pause ends).
    REBILLING = (Status.ACTIVE, Status.PAUSED)

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="auto_orders")
    code = models.CharField(max_length=40, unique=True)
    original_order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="auto_orders_created"
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.ACTIVE)
    paused_until = models.DateField(null=True, blank=True)

    # Customer, addresses and payment used for every rebill.
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=40, blank=True)
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
    shipping_total = models.DecimalField(**MONEY)
    payment_method = models.CharField(max_length=20)
    gateway_token = models.CharField(max_length=100, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)

    # The period being billed (earliest next date of its items) and when the sweep tries it:
    # the same day, or later after a failure (the merchant's retry delay).
    next_rebill_on = models.DateField(null=True, blank=True)
    next_attempt_on = models.DateField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    status_reason = models.CharField(max_length=300, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lifetime_value = models.DecimalField(**MONEY)
    rebill_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AutoOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_on"], name="auto_order_due_idx"),
            models.Index(
                fields=["merchant", "status", "next_rebill_on"], name="auto_order_list_idx"
            ),
            models.Index(fields=["merchant", "email"], name="auto_order_email_idx"),
            models.Index(F("merchant"), Lower("email"), name="auto_order_email_lower_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def upcoming_rebill_on(self):
        """The next rebill date people should see: none once the auto order no longer
        rebills (cancelled, completed, disabled), whatever date it had."""
        return self.next_rebill_on if self.status in self.REBILLING else None

    @property
    def customer_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_cancelled(self) -> bool:
        return self.status in self.CANCELLED


class AutoOrderItem(models.Model):
    auto_order = models.ForeignKey(AutoOrder, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.SET_NULL)
    sku = models.CharField(max_length=64, blank=True)
    description = models.CharField(max_length=300)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(**MONEY)
    schedule = models.CharField(max_length=40)
    # The day of the month the schedule keeps to (a monthly rebill on the 31st stays there).
    anchor_day = models.PositiveSmallIntegerField(default=1)
    next_rebill_on = models.DateField(null=True, blank=True)
    no_order_after = models.DateField(null=True, blank=True)
    remaining_rebills = models.PositiveIntegerField(null=True, blank=True)
    finished = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku or self.description} ({self.schedule})"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class RebillAttempt(models.Model):
    """One try at billing one period. Its key goes to the gateway: a re-run reuses it."""

    class Result(models.TextChoices):
        STARTED = "started", "Started"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        ERROR = "error", "Error"

    auto_order = models.ForeignKey(AutoOrder, on_delete=models.CASCADE, related_name="attempts")
    scheduled_on = models.DateField()
    try_number = models.PositiveSmallIntegerField()
    idempotency_key = models.CharField(max_length=200, unique=True)
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.STARTED)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="rebill_attempts"
    )
    amount = models.DecimalField(**MONEY)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_on", "-try_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["auto_order", "scheduled_on", "try_number"], name="one_rebill_attempt"
            )
        ]

    def __str__(self) -> str:
        return f"{self.auto_order_id} {self.scheduled_on} try {self.try_number}: {self.result}"
