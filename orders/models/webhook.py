"""Outgoing webhooks: the endpoints a merchant registers, the outbox of business changes, and
each endpoint's delivery of each change.

A service that changes an order writes an `OutboxMessage` in its own transaction (through
orders.events), so a change that rolls back sends nothing and one that commits is never lost.
orders.services.webhooks fans each message out to the endpoints that want its topic and
delivers it, in order per order and endpoint, with retries.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .merchant import Merchant


class WebhookTopic(models.TextChoices):
    ORDER_PLACED = "order.placed", "Order placed"
    ORDER_STAGE_CHANGED = "order.stage_changed", "Order stage changed"
    PAYMENT_CAPTURED = "payment.captured", "Payment captured"
    PAYMENT_DECLINED = "payment.declined", "Payment declined"
    ORDER_REFUNDED = "order.refunded", "Order refunded"
    ORDER_SHIPPED = "order.shipped", "Order shipped"
    ORDER_SHIPMENT_CREATED = "order.shipment_created", "Part of an order shipped"
    ORDER_EDITED = "order.edited", "Order edited"
    ORDER_DELETED = "order.deleted", "Order deleted"
    ORDER_UNDELETED = "order.undeleted", "Order undeleted"
    COSTS_IMPORTED = "order.costs_imported", "Actual costs imported"
    COSTS_IMPORT_UNDONE = "order.costs_import_undone", "Actual-cost import undone"
    AUTO_ORDER_REBILLED = "auto_order.rebilled", "Auto order rebilled"
    AUTO_ORDER_REBILL_FAILED = "auto_order.rebill_failed", "Auto order rebill failed"
    AUTO_ORDER_CANCELLED = "auto_order.cancelled", "Auto order cancelled"
    CHARGEBACK_OPENED = "chargeback.opened", "Chargeback opened"
    CHARGEBACK_CHANGED = "chargeback.changed", "Chargeback changed"
    CASE_MESSAGE_RECEIVED = "case.message_received", "Case message received"
    RETURN_REQUESTED = "return.requested", "Return requested"
    RETURN_AUTHORIZED = "return.authorized", "Return authorized"
    RETURN_RECEIVED = "return.received", "Return received"
    RETURN_REFUNDED = "return.refunded", "Return refunded"
    RETURN_REJECTED = "return.rejected", "Return rejected"
    RETURN_CANCELLED = "return.cancelled", "Return cancelled"


class WebhookEndpoint(models.Model):
    """Where a merchant wants its changes sent. The secret signs every body; after a rotation
    the previous secret signs too until `previous_secret_until`, so receivers can switch."""

    merchant = models.ForeignKey(
        Merchant, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    topics = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    paused_reason = models.CharField(max_length=300, blank=True)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    # Set by the first failure after a success; an endpoint failing for a day is paused.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, topic: str) -> bool:
        return topic in self.topics


class OutboxMessage(models.Model):
    """One business change, as receivers will see it; written in the change's transaction.
    `body` is filled when the message is fanned out (the object as the read API shows it
    then), so every endpoint and every retry receives the same bytes."""

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=40, choices=WebhookTopic.choices)
    # Kept as a plain column, not a foreign key: a purged order must not take its history.
    order_pk = models.BigIntegerField(null=True, blank=True)
    change = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    body = models.JSONField(null=True, blank=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The fan-out's queue: messages not yet fanned out, oldest first.
            models.Index(
                fields=["id"],
                name="outbox_pending_idx",
                condition=models.Q(fanned_out_at__isnull=True),
            ),
            models.Index(fields=["created_at"], name="outbox_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.event_id}"


class EndpointDelivery(models.Model):
    """One message to one endpoint: its state, attempts and the last answer."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="deliveries")
    # Copied from the message: deliveries of one order to one endpoint go out in message order.
    order_pk = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A worker owns a sending delivery until then; a worker that dies lets it go.
    lease_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_response = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "message"], name="delivery_once_per_endpoint"
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["endpoint", "order_pk", "message"], name="delivery_order_idx"),
            models.Index(fields=["endpoint", "-created_at"], name="delivery_log_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.message} → {self.endpoint} ({self.status})"
