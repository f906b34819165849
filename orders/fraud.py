"""Explainable fraud scoring: each rule that fires adds points and a sentence."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db.models import Avg, Q
from django.utils import timezone

from backoffice.common.words import counted

from .models import BlockListEntry, Merchant, Order

POINTS = {
    "amount": 25,
    "countries_differ": 20,
    "block_list": 60,
    "velocity": 20,
    "free_email": 10,
    "avs_mismatch": 15,
    "cvv_mismatch": 20,
}


@dataclass(frozen=True)
class FraudSignals:
    email: str
    total: Decimal
    billing_country: str = ""
    shipping_country: str = ""
    shipping_address: str = ""
    ip_address: str | None = None
    card_fingerprint: str = ""


@dataclass
class FraudAssessment:
    score: int = 0
    hits: list[dict] = field(default_factory=list)

    def add(self, rule: str, sentence: str) -> None:
        points = POINTS[rule]
        self.hits.append({"rule": rule, "points": points, "reason": sentence})
        self.score = min(100, self.score + points)


def shipping_address_key(address1: str, postal_code: str, country: str) -> str:
    return " ".join(f"{address1} {postal_code} {country}".lower().split())


def _normal_email(email: str) -> str:
    return email.strip().lower()


AVERAGE_OVER_RECENT_ORDERS = 1000


def fraud_assess(*, merchant: Merchant, signals: FraudSignals) -> FraudAssessment:
    """Score an order before payment (the gateway's AVS/CVV answers are added after)."""
    assessment = FraudAssessment()
    orders = Order.objects.filter(merchant=merchant, deleted_at__isnull=True)

    # The average of the most recent orders: placement must not scan a merchant's whole history.
    recent_pks = orders.order_by("-order_number").values("pk")[:AVERAGE_OVER_RECENT_ORDERS]
    average = Order.objects.filter(pk__in=recent_pks).aggregate(avg=Avg("total"))["avg"]
    if average and signals.total > merchant.fraud_amount_multiple * Decimal(average):
        assessment.add(
            "amount",
            f"Total {signals.total} is over {merchant.fraud_amount_multiple}× the average "
            f"order ({Decimal(average).quantize(Decimal('0.01'))}).",
        )
    if (
        signals.billing_country
        and signals.shipping_country
        and signals.billing_country != signals.shipping_country
    ):
        assessment.add(
            "countries_differ",
            f"Billing country {signals.billing_country} differs from shipping country "
            f"{signals.shipping_country}.",
        )
    _block_list_rule(assessment, merchant, signals)
    _velocity_rule(assessment, merchant, orders, signals)
    domain = _normal_email(signals.email).rsplit("@", 1)[-1]
    if domain in {d.lower() for d in merchant.fraud_free_email_domains}:
        assessment.add("free_email", f"The email domain {domain} is a disposable address.")
    return assessment


def fraud_add_gateway_answers(
    assessment: FraudAssessment, *, avs_result: str, cvv_result: str
) -> FraudAssessment:
    if avs_result == "N":
        assessment.add("avs_mismatch", "The billing address did not match the card (AVS).")
    if cvv_result == "N":
        assessment.add("cvv_mismatch", "The security code did not match the card (CVV).")
    return assessment


def _block_list_rule(assessment, merchant, signals) -> None:
    candidates = {
        BlockListEntry.Kind.EMAIL: _normal_email(signals.email),
        BlockListEntry.Kind.CARD: signals.card_fingerprint,
        BlockListEntry.Kind.IP: signals.ip_address or "",
        BlockListEntry.Kind.ADDRESS: signals.shipping_address,
    }
    query = Q()
    for kind, value in candidates.items():
        if value:
            query |= Q(kind=kind, value=value)
    if not query:
        return
    for entry in BlockListEntry.objects.filter(query, merchant=merchant):
        assessment.add(
            "block_list", f"The {entry.get_kind_display().lower()} {entry.value} is blocked."
        )


def _velocity_rule(assessment, merchant, orders, signals) -> None:
    since = timezone.now() - timedelta(hours=24)
    recent = orders.filter(placed_at__gte=since)
    checks = [("email", "email__iexact", _normal_email(signals.email))]
    if signals.ip_address:
        checks.append(("IP address", "ip_address", signals.ip_address))
    if signals.card_fingerprint:
        checks.append(("card", "card_fingerprint", signals.card_fingerprint))
    for label, field_name, value in checks:
        count = recent.filter(**{field_name: value}).count()
        if count >= merchant.fraud_velocity_limit:
            assessment.add(
                "velocity", f"{counted(count, 'order')} from this {label} in the last 24 hours."
            )
            return
