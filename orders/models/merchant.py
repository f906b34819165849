from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models


def default_ar_retry_days() -> list[int]:
    return [1, 3, 7]


def default_reason_codes() -> list[str]:
    return ["customer_request", "payment_failed", "out_of_stock", "duplicate", "other"]


def default_free_email_domains() -> list[str]:
    return ["mailinator.com", "guerrillamail.com", "10minutemail.com", "yopmail.com"]


class Merchant(models.Model):
    class FraudReviewAction(models.TextChoices):
        CHARGE_THEN_REVIEW = "charge_then_review", "Charge, then hold in Fraud Review"
        HOLD_WITHOUT_CHARGE = "hold_without_charge", "Do not charge; send to Accounts Receivable"

    class ShipmentCapture(models.TextChoices):
        ALL_AT_FIRST = "all_at_first", "Capture everything at the first shipment"
        EACH_SHIPMENT = "each_shipment", "Capture the shipped part at each shipment"

    class Gateway(models.TextChoices):
        TEST = "test", "Test gateway"
        TEST_LIVE = "test_live", "Test gateway in live mode"

    code = models.CharField(
        max_length=10,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,10}$", "2 to 10 upper-case letters.")],
        help_text="Order ID prefix: 2 to 10 upper-case letters.",
    )
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, default="USD")
    time_zone = models.CharField(max_length=64, default="UTC")
    gateway = models.CharField(max_length=20, choices=Gateway.choices, default=Gateway.TEST)
    capture_at_shipment = models.BooleanField(
        default=False, help_text="Authorize cards at placement and capture when shipped."
    )
    # With capture at shipment: how an order shipped in parts is captured.
    shipment_capture = models.CharField(
        max_length=20, choices=ShipmentCapture.choices, default=ShipmentCapture.ALL_AT_FIRST
    )

    # Fraud scoring.
    fraud_review_threshold = models.PositiveSmallIntegerField(
        default=50, validators=[MaxValueValidator(100)]
    )
    fraud_decline_threshold = models.PositiveSmallIntegerField(
        default=90, validators=[MaxValueValidator(100)]
    )
    fraud_review_action = models.CharField(
        max_length=30,
        choices=FraudReviewAction.choices,
        default=FraudReviewAction.CHARGE_THEN_REVIEW,
    )
    fraud_amount_multiple = models.DecimalField(
        max_digits=6,
        decimal_places=2,
        default=Decimal("3.00"),
        help_text="An order over this many times the average order scores points.",
    )
    fraud_velocity_limit = models.PositiveSmallIntegerField(
        default=3, help_text="Orders from one email, IP or card in 24 hours before it scores."
    )
    fraud_free_email_domains = models.JSONField(default=default_free_email_domains, blank=True)

    # Accounts receivable retry schedule: day offsets after placement, at most 7 tries.
    ar_retry_days = models.JSONField(default=default_ar_retry_days, blank=True)
    ar_reject_at_end = models.BooleanField(default=False)

    # Auto orders.
    auto_order_retry_delay_days = models.PositiveSmallIntegerField(default=3)
    auto_order_max_attempts = models.PositiveSmallIntegerField(default=4)

    quote_expiry_days = models.PositiveSmallIntegerField(default=30)
    # {"accounts_receivable": 5, ...}: days in a stage before an order counts as overdue.
    stage_age_limits = models.JSONField(default=dict, blank=True)
    # {"1": {"label": "Gift message", "values": []}, "3": {"label": "Channel", "values": [...]}}
    custom_fields = models.JSONField(default=dict, blank=True)
    refund_reason_codes = models.JSONField(default=default_reason_codes, blank=True)
    reject_reason_codes = models.JSONField(default=default_reason_codes, blank=True)
    reason_required = models.BooleanField(default=True)
    customer_service_refund_limit = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("100.00")
    )
    tax_rate = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="0.0825 for 8.25%",
    )
    retention_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Purge deleted orders after this many days; empty: never."
    )

    # Chargebacks: reason codes the import reports instead of importing (handled elsewhere),
    # and codes the merchant never disputes (imported straight as not disputed).
    chargeback_filtered_reason_codes = models.JSONField(default=list, blank=True)
    chargeback_never_dispute_codes = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def custom_field_label(self, number: int) -> str:
        config = self.custom_fields.get(str(number)) or {}
        return config.get("label") or f"Custom field {number}"

    def custom_field_values(self, number: int) -> list[str]:
        config = self.custom_fields.get(str(number)) or {}
        return list(config.get("values") or [])

    def stage_age_limit(self, stage: str) -> int | None:
        value = self.stage_age_limits.get(stage)
        return int(value) if value else None


class OrderSequence(models.Model):
    """The last order number handed out for a merchant; its row lock serialises allocation."""

    merchant = models.OneToOneField(Merchant, on_delete=models.CASCADE, primary_key=True)
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.merchant_id}: {self.last_number}"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ORDER_MANAGER = "manager", "Order manager"
    SHIPPING_CLERK = "shipping", "Shipping clerk"
    CUSTOMER_SERVICE = "service", "Customer service"
    BOOKKEEPER = "bookkeeper", "Bookkeeper"


class Membership(models.Model):
    """A user working for a merchant in a role; the role's group carries the permissions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "merchant"], name="one_role_per_merchant")
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.merchant.code} as {self.get_role_display()}"

    @property
    def group(self) -> Group:
        return Group.objects.get(name=self.get_role_display())


class BlockListEntry(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "Email"
        ADDRESS = "address", "Shipping address"
        CARD = "card", "Card fingerprint"
        IP = "ip", "IP address"

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="block_list")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=300)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name_plural = "block list entries"
        constraints = [
            models.UniqueConstraint(fields=["merchant", "kind", "value"], name="unique_block")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"
