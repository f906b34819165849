"""Chargeback disputes: the bank's reversal of a card payment, and the merchant's answer."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .merchant import Merchant
from .order import MONEY, Order


class ChargebackReasonCode(models.Model):
    """The card networks' common reason codes with their descriptions (editable in the admin)."""

    code = models.CharField(max_length=20, unique=True)
    network = models.CharField(max_length=30, blank=True)
    description = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} · {self.description}"


class RebuttalText(models.Model):
    """A merchant's saved rebuttal paragraph, offered in the dispute page's editor."""

    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="rebuttals")
    title = models.CharField(max_length=100)
    text = models.TextField()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["merchant", "title"], name="unique_rebuttal_title")
        ]

    def __str__(self) -> str:
        return self.title


def _system_only(chargeback: "Chargeback", user) -> bool:
    """Expiry is beat's work: never offered to staff."""
    return False


def _has_rebuttal(chargeback: "Chargeback") -> bool:
    return bool(chargeback.rebuttal.strip())


class Chargeback(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        NOT_DISPUTED = "not_disputed", "Not disputed"
        EVIDENCE_SENT = "evidence_sent", "Evidence sent"
        WON = "won", "Won"
        LOST = "lost", "Lost"
        EXPIRED = "expired", "Expired"

    UNRESOLVED = (Status.OPEN, Status.EVIDENCE_SENT)
    # Not fields: set on a list's rows by orders.selectors.chargebacks.chargeback_deadline_mark.
    is_overdue: bool
    is_due_soon: bool

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="chargebacks")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="chargebacks")
    case_number = models.CharField(max_length=64)
    reason_code = models.CharField(max_length=20)
    reason_description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default="USD")
    received_on = models.DateField(default=timezone.localdate)
    respond_by = models.DateField()
    status = FSMField(max_length=20, choices=Status.choices, default=Status.OPEN, protected=True)
    outcome_on = models.DateField(null=True, blank=True)
    rebuttal = models.TextField(blank=True)
    internal_notes = models.TextField(blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["respond_by", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "case_number"], name="unique_chargeback_case_number"
            )
        ]
        indexes = [models.Index(fields=["merchant", "status", "respond_by"], name="cb_due_idx")]

    def __str__(self) -> str:
        return f"Chargeback {self.case_number}"

    @property
    def is_unresolved(self) -> bool:
        return self.status in self.UNRESOLVED

    # ---- transitions: bodies only change fields; chargeback_transition saves and records ----
    @transition(
        "status",
        source=Status.OPEN,
        target=Status.NOT_DISPUTED,
        permission="orders.manage_chargebacks",
        custom={"label": "Accept (do not dispute)", "danger": True},
    )
    def accept(self) -> None:
        pass

    @transition(
        "status",
        source=Status.OPEN,
        target=Status.EVIDENCE_SENT,
        conditions=[_has_rebuttal],
        permission="orders.manage_chargebacks",
        custom={"label": "Mark evidence sent", "unavailable": "write the rebuttal first"},
    )
    def send_evidence(self) -> None:
        pass

    @transition(
        "status",
        source=[Status.EVIDENCE_SENT, Status.LOST],
        target=Status.WON,
        permission="orders.manage_chargebacks",
        custom={"label": "Mark won"},
    )
    def mark_won(self) -> None:
        self.outcome_on = timezone.localdate()

    @transition(
        "status",
        source=[Status.OPEN, Status.EVIDENCE_SENT, Status.NOT_DISPUTED, Status.EXPIRED],
        target=Status.LOST,
        permission="orders.manage_chargebacks",
        custom={"label": "Mark lost", "danger": True},
    )
    def mark_lost(self) -> None:
        self.outcome_on = timezone.localdate()

    @transition(
        "status",
        source=Status.OPEN,
        target=Status.EXPIRED,
        permission=_system_only,
        custom={"label": "Expire", "system": True},
    )
    def expire(self) -> None:
        pass


def evidence_upload_to(instance: "ChargebackEvidence", filename: str) -> str:
    # The stored name never reuses the uploaded name: it is random, scoped by merchant.
    return f"evidence/{instance.chargeback.merchant_id}/{instance.chargeback_id}/{filename}"


class ChargebackEvidence(models.Model):
    """An uploaded PDF or image; served only through the merchant's evidence view."""

    chargeback = models.ForeignKey(Chargeback, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
