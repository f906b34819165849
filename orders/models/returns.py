"""Returns (RMA): lines of a shipped order coming back, authorized, received and refunded.

The return's status moves only through orders.services.returns, which holds the order's row
lock for every step; the money of a refund lives on the order and its lines (refunded_total,
refunded_quantity) and the return keeps what it refunded for its own page.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from .merchant import Merchant
from .order import MONEY, Order, OrderLine


class Return(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        AUTHORIZED = "authorized", "Authorized"
        RECEIVED = "received", "Received"
        REFUNDED = "refunded", "Refunded"
        REJECTED = "rejected", "Rejected"
        CANCELLED = "cancelled", "Cancelled"

    class Reason(models.TextChoices):
        DAMAGED = "damaged", "Arrived damaged"
        DEFECTIVE = "defective", "Defective"
        WRONG_ITEM = "wrong_item", "Wrong item sent"
        NOT_AS_DESCRIBED = "not_as_described", "Not as described"
        NO_LONGER_NEEDED = "no_longer_needed", "No longer needed"
        OTHER = "other", "Other"

    class Condition(models.TextChoices):
        NEW = "new", "New"
        OPENED = "opened", "Opened"
        DAMAGED = "damaged", "Damaged"

    # Each step and the statuses it may be taken from: the services refuse any other, and the
    # return's page offers only these.
    STEP_FROM = {
        "authorize": (Status.REQUESTED,),
        "reject": (Status.REQUESTED, Status.AUTHORIZED),
        "cancel": (Status.REQUESTED, Status.AUTHORIZED),
        "receive": (Status.AUTHORIZED,),
        "refund": (Status.RECEIVED,),
    }
    # The statuses whose quantities count against what may still be returned.
    HOLDING = (Status.REQUESTED, Status.AUTHORIZED, Status.RECEIVED, Status.REFUNDED)
    OPEN = (Status.REQUESTED, Status.AUTHORIZED, Status.RECEIVED)

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="returns")
    # Goes with its order when a deleted order is purged (orders.services.deletion).
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    # Given when the return is authorized: RMA-<order id>-<n>, unique within the merchant.
    rma_number = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    reason_text = models.CharField(max_length=500, blank=True)
    customer_note = models.TextField(blank=True)
    # Opened by the customer through the return link rather than by staff.
    by_customer = models.BooleanField(default=False)
    condition = models.CharField(max_length=10, choices=Condition.choices, blank=True)
    rejection_reason = models.CharField(max_length=500, blank=True)
    restocking_fee = models.DecimalField(**MONEY)
    shipping_refunded = models.BooleanField(default=False)
    refunded_amount = models.DecimalField(**MONEY)

    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    authorized_at = models.DateTimeField(null=True, blank=True)
    authorized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refunded_at = models.DateTimeField(null=True, blank=True)
    refunded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)  # rejected or cancelled
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["merchant", "-requested_at"], name="return_merchant_time_idx"),
            models.Index(fields=["merchant", "status", "-requested_at"], name="return_status_idx"),
            models.Index(F("merchant"), Lower("rma_number"), name="return_rma_lower_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "rma_number"],
                condition=~Q(rma_number=""),
                name="return_rma_unique_per_merchant",
            )
        ]

    def __str__(self) -> str:
        return self.rma_number or f"Return {self.pk}"

    def steps_open(self) -> frozenset[str]:
        """The steps this return may take now: none once its order is deleted."""
        if self.order.deleted_at is not None:
            return frozenset()
        return frozenset(step for step, sources in self.STEP_FROM.items() if self.status in sources)

    @property
    def label(self) -> str:
        """The RMA number once authorized; before that, the return's row number."""
        return self.rma_number or f"Return request {self.pk}"


class ReturnLine(models.Model):
    return_request = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    # A returned line is never deleted on its own; it goes only with its whole order.
    order_line = models.ForeignKey(OrderLine, on_delete=models.RESTRICT, related_name="+")
    quantity = models.PositiveIntegerField()
    received_quantity = models.PositiveIntegerField(default=0)
    refunded_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order_line__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["return_request", "order_line"], name="return_line_once"
            ),
            models.CheckConstraint(
                condition=Q(received_quantity__lte=F("quantity")),
                name="return_line_received_within_quantity",
            ),
            models.CheckConstraint(
                condition=Q(refunded_quantity__lte=F("received_quantity")),
                name="return_line_refunded_within_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line}"
