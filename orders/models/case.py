"""Cases: correspondence with a customer about an order, kept with the order."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from .merchant import Merchant
from .order import Order


def _system_only(case: "Case", user) -> bool:
    """The customer's reply arrives through the case link, never from a staff button."""
    return False


def case_nonce() -> str:
    return secrets.token_urlsafe(16)


class Case(ConcurrentTransitionMixin, models.Model):
    class Status(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        WAITING = "waiting", "Waiting for customer"
        REPLY_RECEIVED = "reply_received", "Reply received"
        CLOSED = "closed", "Closed"

    ACTIVE = (Status.NEW, Status.OPEN, Status.WAITING, Status.REPLY_RECEIVED)

    merchant = models.ForeignKey(Merchant, on_delete=models.PROTECT, related_name="cases")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="cases")
    email = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    status = FSMField(max_length=20, choices=Status.choices, default=Status.OPEN, protected=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A customer message nobody on the merchant's side has read yet.
    unread = models.BooleanField(default=False)
    # Part of every case link: a link names its case and this secret, so links cannot be guessed.
    link_nonce = models.CharField(max_length=40, default=case_nonce, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-status_changed_at", "-id"]
        indexes = [
            models.Index(fields=["merchant", "status"], name="case_status_idx"),
            models.Index(F("merchant"), Lower("email"), name="case_email_lower_idx"),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}: {self.subject}"

    def _moved(self) -> None:
        self.status_changed_at = timezone.now()

    @transition(
        "status",
        source=[Status.NEW, Status.OPEN, Status.WAITING, Status.REPLY_RECEIVED],
        target=Status.WAITING,
        permission="orders.manage_cases",
        custom={"label": "Reply"},
    )
    def reply(self) -> None:
        self._moved()

    @transition(
        "status",
        source=[Status.OPEN, Status.WAITING, Status.REPLY_RECEIVED, Status.CLOSED],
        target=Status.REPLY_RECEIVED,
        permission=_system_only,
        custom={"label": "Customer reply", "system": True},
    )
    def receive_reply(self) -> None:
        self.unread = True
        self._moved()

    @transition(
        "status",
        source=[Status.NEW, Status.OPEN, Status.WAITING, Status.REPLY_RECEIVED],
        target=Status.CLOSED,
        permission="orders.manage_cases",
        custom={"label": "Close"},
    )
    def close(self) -> None:
        self.unread = False
        self._moved()

    @transition(
        "status",
        source=Status.CLOSED,
        target=Status.OPEN,
        permission="orders.manage_cases",
        custom={"label": "Reopen"},
    )
    def reopen(self) -> None:
        self._moved()


class CaseMessage(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "customer", "From the customer"
        MERCHANT = "merchant", "From the merchant"
        INTERNAL = "internal", "Internal note"

    class EmailStatus(models.TextChoices):
        # The email a message causes: a reply to the customer, or a customer's reply to the
        # assignee. Sent by a task after commit, so the page must not claim more than this.
        NONE = "", "No email"
        QUEUED = "queued", "Email queued"
        SENT = "sent", "Emailed"
        FAILED = "failed", "Email failed to send"

    CUSTOMER_VISIBLE = (Kind.CUSTOMER, Kind.MERCHANT)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    email_status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.NONE, blank=True
    )
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.body[:40]}"

    @property
    def author_display(self) -> str:
        if self.kind == self.Kind.CUSTOMER:
            return self.case.email
        return self.author.get_username() if self.author_id else "staff"


def attachment_upload_to(instance: "CaseAttachment", filename: str) -> str:
    # The stored name never reuses the uploaded name: it is random, scoped by merchant and case.
    case = instance.message.case
    return f"cases/{case.merchant_id}/{case.pk}/{filename}"


class CaseAttachment(models.Model):
    """A PDF or image sent with a case message, by staff or by the customer; served only
    through the app (staff: any message's; the customer: those of messages they can see)."""

    message = models.ForeignKey(CaseMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
