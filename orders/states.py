"""The order stages and the screens that list them: the one source for stage values."""

from dataclasses import dataclass

from django.db import models


class Stage(models.TextChoices):
    QUOTE_REQUEST = "quote_request", "Quote Requests"
    QUOTE_SENT = "quote_sent", "Quote Sent"
    PRE_ORDER = "pre_order", "Pre-orders"
    ACCOUNTS_RECEIVABLE = "accounts_receivable", "Accounts Receivable"
    PENDING_CLEARANCE = "pending_clearance", "Pending Clearance"
    FRAUD_REVIEW = "fraud_review", "Fraud Review"
    HOLD = "hold", "Hold"
    SHIPPING = "shipping", "Shipping"
    COMPLETED = "completed", "Completed Orders"
    REJECTED = "rejected", "Rejected"


class PaymentStatus(models.TextChoices):
    UNPROCESSED = "unprocessed", "Unprocessed"
    AUTHORIZED = "authorized", "Authorized"
    CAPTURE_FAILED = "capture_failed", "Capture failed"
    PROCESSED = "processed", "Processed"
    DECLINED = "declined", "Declined"
    PENDING = "pending", "Pending clearance"
    VOIDED = "voided", "Voided"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    SKIPPED = "skipped", "Skipped"


# An authorization not (yet) captured: rejecting voids it, shipping captures it.
UNCAPTURED_STATUSES = frozenset({PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURE_FAILED})
# A settled payment with money left that a refund can return.
REFUNDABLE_STATUSES = frozenset({PaymentStatus.PROCESSED, PaymentStatus.PARTIALLY_REFUNDED})


class PaymentMethod(models.TextChoices):
    CREDIT_CARD = "credit_card", "Credit card"
    ECHECK = "echeck", "E-check"
    PAYPAL = "paypal", "PayPal"
    AMAZON_PAY = "amazon_pay", "Amazon Pay"
    CHECK = "check", "Check"
    MONEY_ORDER = "money_order", "Money order"
    PURCHASE_ORDER = "purchase_order", "Purchase order"
    WIRE = "wire", "Wire transfer"
    COD = "cod", "COD"
    CASH = "cash", "Cash"
    QUOTE_REQUEST = "quote_request", "Quote request"


OFFLINE_METHODS = frozenset(
    {
        PaymentMethod.CHECK,
        PaymentMethod.MONEY_ORDER,
        PaymentMethod.PURCHASE_ORDER,
        PaymentMethod.WIRE,
        PaymentMethod.COD,
    }
)
# Methods whose money the gateway moves, so that process payment and refunds go through it.
GATEWAY_METHODS = frozenset(
    {
        PaymentMethod.CREDIT_CARD,
        PaymentMethod.ECHECK,
        PaymentMethod.PAYPAL,
        PaymentMethod.AMAZON_PAY,
    }
)

# Stages whose orders have no receipt yet (nothing was bought).
QUOTE_STAGES = (Stage.QUOTE_REQUEST, Stage.QUOTE_SENT)
# Stages whose orders may hold a payment received, so that a refund can apply; quotes, unpaid
# receivables and payments still clearing have nothing to refund.
PAID_STAGES = (
    Stage.PRE_ORDER,
    Stage.FRAUD_REVIEW,
    Stage.HOLD,
    Stage.SHIPPING,
    Stage.COMPLETED,
    Stage.REJECTED,
)

# The card brands a gateway names, as people read them; an unknown brand reads as itself.
CARD_BRAND_LABELS = {
    "visa": "Visa",
    "mastercard": "Mastercard",
    "amex": "American Express",
    "discover": "Discover",
    "card": "Card",
}


def card_brand_label(brand: str) -> str:
    return CARD_BRAND_LABELS.get(brand.lower(), brand) if brand else ""


class OrderSource(models.TextChoices):
    BACKEND = "backend", "Back-end entry"
    API = "api", "Intake API"
    REBILL = "rebill", "Auto-order rebill"
    REPLACEMENT = "replacement", "Replacement"
    CLONE = "clone", "Clone"
    SEED = "seed", "Demo seed"


@dataclass(frozen=True)
class StageScreen:
    slug: str
    label: str
    stages: tuple[str, ...]


STAGE_SCREENS: tuple[StageScreen, ...] = (
    StageScreen("quote-requests", "Quote Requests", (Stage.QUOTE_REQUEST, Stage.QUOTE_SENT)),
    StageScreen("pre-orders", "Pre-orders", (Stage.PRE_ORDER,)),
    StageScreen("accounts-receivable", "Accounts Receivable", (Stage.ACCOUNTS_RECEIVABLE,)),
    StageScreen("pending-clearance", "Pending Clearance", (Stage.PENDING_CLEARANCE,)),
    StageScreen("fraud-review", "Fraud Review", (Stage.FRAUD_REVIEW,)),
    StageScreen("hold", "Hold", (Stage.HOLD,)),
    StageScreen("shipping", "Shipping", (Stage.SHIPPING,)),
    StageScreen("completed", "Completed Orders", (Stage.COMPLETED,)),
    StageScreen("rejected", "Rejected", (Stage.REJECTED,)),
)
SCREEN_BY_SLUG = {screen.slug: screen for screen in STAGE_SCREENS}
SCREEN_BY_STAGE = {stage: screen for screen in STAGE_SCREENS for stage in screen.stages}
