from django.db import models
from django.utils import timezone

from .order import MONEY, Order


class PaymentTransaction(models.Model):
    class Kind(models.TextChoices):
        AUTHORIZE = "authorize", "Authorize"
        CAPTURE = "capture", "Capture"
        CHARGE = "charge", "Charge"
        REFUND = "refund", "Refund"
        VOID = "void", "Void"
        EXTERNAL_REFUND = "external_refund", "Refund outside the gateway"
        RECORDED = "recorded", "Payment recorded"
        SETTLEMENT = "settlement", "Settlement"

    class Result(models.TextChoices):
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        PENDING = "pending", "Pending"
        ERROR = "error", "Error"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="transactions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = models.DecimalField(**MONEY)
    result = models.CharField(max_length=10, choices=Result.choices)
    gateway = models.CharField(max_length=20, blank=True)
    gateway_reference = models.CharField(max_length=100, blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True)
    avs_result = models.CharField(max_length=10, blank=True)
    cvv_result = models.CharField(max_length=10, blank=True)
    message = models.CharField(max_length=300, blank=True)
    # The gateway's reason code for a refusal (orders.payments.PaymentReason), and the card the
    # call went to: another card than the order's may pay once without becoming its card.
    reason = models.CharField(max_length=30, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    # A gateway refund names the settled payment (charge, capture, settlement) it returns money
    # from: a gateway refunds a capture only up to what is left of it, so a refund of an order
    # captured in parts is split over them. Empty on refunds recorded before the split.
    refund_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="refunds"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.get_result_display()}"


class GatewayLedgerEntry(models.Model):
    """The test gateway's own record of every money-moving call, keyed by idempotency key.

    It stands for the provider's books: a repeated key returns the recorded answer instead of
    moving money again, and tests count charges here.
    """

    gateway = models.CharField(max_length=20)
    idempotency_key = models.CharField(max_length=200)
    operation = models.CharField(max_length=20)
    amount = models.DecimalField(**MONEY)
    result = models.CharField(max_length=10)
    reference = models.CharField(max_length=100)
    token = models.CharField(max_length=100, blank=True)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "idempotency_key"], name="unique_gateway_idempotency_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.amount} {self.result} ({self.reference})"


class WebhookDelivery(models.Model):
    """Every accepted webhook, by the provider's event ID, so that a replay changes nothing."""

    gateway = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="unique_webhook_event")
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.event_id}"
