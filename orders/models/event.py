from django.conf import settings
from django.db import models
from django.utils import timezone

from .merchant import Merchant
from .order import Order


class OrderEventType(models.TextChoices):
    """What a line of an order's timeline records (the label names it in the admin's filter).
    Each member's sentence, made from the payload, is in orders.timeline.EVENT_SENTENCES; each
    is recorded by one recorder of orders.events."""

    PLACED = "order_placed", "Placed"
    TRANSITIONED = "order_transitioned", "Stage changed"
    PAYMENT = "order_payment", "Payment"
    REFUNDED = "order_refunded", "Refunded"
    NOTE_ADDED = "order_note_added", "Note added"
    EDITED = "order_edited", "Edited"
    DELETED = "order_deleted", "Deleted"
    UNDELETED = "order_undeleted", "Undeleted"
    EMAIL_SENT = "order_email_sent", "Email sent"
    EMAIL_FAILED = "order_email_failed", "Email failed"
    EMAIL_QUEUED = "order_email_queued", "Email to be sent again"
    EMAIL_NOT_QUEUED = "order_email_not_queued", "Email not sent"
    AR_RETRIED = "order_ar_retried", "Payment retried"
    SHIPPED_PART = "order_shipped_part", "Shipped in part"
    REPLACEMENT_CREATED = "order_replacement_created", "Replacement created"
    COSTS_IMPORTED = "order_costs_imported", "Actual costs imported"
    COSTS_IMPORT_UNDONE = "order_costs_import_undone", "Actual-cost import undone"
    AUTO_ORDER_CREATED = "auto_order_created", "Auto order started"
    AUTO_ORDER_CHANGED = "auto_order_changed", "Auto order changed"
    REBILLED = "order_rebilled", "Auto order rebilled"
    CHARGEBACK_OPENED = "order_chargeback_opened", "Chargeback opened"
    CHARGEBACK_CHANGED = "order_chargeback_changed", "Chargeback changed"
    CASE_OPENED = "order_case_opened", "Case opened"
    CASE_MESSAGE = "order_case_message", "Case message"
    CASE_CHANGED = "order_case_changed", "Case changed"
    RETURN_OPENED = "order_return_opened", "Return requested"
    RETURN_CHANGED = "order_return_changed", "Return changed"


class MerchantEventType(models.TextChoices):
    """What a line of a merchant's audit trail records; its sentence is in orders.timeline."""

    ORDERS_EXPORTED = "orders_exported", "Orders exported"
    WEBHOOK_ENDPOINT_CHANGED = "webhook_endpoint_changed", "Webhook endpoint changed"
    SETTINGS_CHANGED = "merchant_settings_changed", "Merchant settings changed"
    STAFF_INVITED = "staff_invited", "Staff member invited"
    STAFF_ROLE_CHANGED = "staff_role_changed", "Staff member's role changed"
    STAFF_REMOVED = "staff_removed", "Staff member removed"
    API_TOKEN_CREATED = "api_token_created", "API token created"
    API_TOKEN_REVOKED = "api_token_revoked", "API token revoked"
    CARRIER_CHANGED = "carrier_changed", "Carrier changed"


class AuditEvent(models.Model):
    """What every audit line holds: what happened, who did it, when, and its details."""

    type = models.CharField(max_length=50)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Who acted when it was not a signed-in user: "system", "beat", "customer", "job 12" …
    actor_label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def actor_display(self) -> str:
        if self.actor_id:
            return self.actor.get_username()
        return self.actor_label or "system"


class OrderEvent(AuditEvent):
    """One line of an order's audit timeline; written by orders.events, never edited."""

    type = models.CharField(max_length=50, choices=OrderEventType.choices)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["order", "-created_at"], name="event_order_time_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.type}"


class MerchantEvent(AuditEvent):
    """One line of a merchant's audit trail: an action over many orders at once that changes
    none of them (an export), or a change to the merchant itself (its settings, staff, API
    tokens); written by orders.events, never edited."""

    type = models.CharField(max_length=50, choices=MerchantEventType.choices)
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="events")
    # The job that acted, by its ID (orders knows nothing of tools). One event of a type per
    # job: a job delivered twice records its action once.
    job_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["merchant", "-created_at"], name="merchant_event_time_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "job_id"],
                condition=models.Q(job_id__isnull=False),
                name="one_merchant_event_per_job",
            )
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id} {self.type}"
