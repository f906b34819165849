"""Reads for chargeback screens: the merchant's list, one dispute, its evidence packet."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from orders.models import (
    CaseMessage,
    Chargeback,
    ChargebackEvidence,
    ChargebackReasonCode,
    Merchant,
    Order,
    OrderEvent,
    OrderEventType,
    PaymentTransaction,
    RebuttalText,
)

DEADLINE_SOON_DAYS = 3
# Timeline entries that are the merchant's own internal notes stay out of the packet.
PRIVATE_EVENT_TYPES = {OrderEventType.NOTE_ADDED}


def chargeback_list(*, merchant: Merchant) -> QuerySet[Chargeback]:
    return (
        Chargeback.objects.filter(merchant=merchant)
        .select_related("order", "handled_by")
        .order_by("respond_by", "id")
    )


def chargeback_get(*, merchant: Merchant, pk: int) -> Chargeback:
    """One of the merchant's chargebacks (Chargeback.DoesNotExist otherwise)."""
    return (
        Chargeback.objects.select_related("order", "merchant", "handled_by")
        .prefetch_related("evidence")
        .get(merchant=merchant, pk=pk)
    )


def chargeback_reason_get(*, code: str) -> ChargebackReasonCode | None:
    """What a reason code means (the codes are the card networks', shared by every merchant)."""
    return ChargebackReasonCode.objects.filter(code=code).first()


def rebuttal_text_list(*, merchant: Merchant) -> list[RebuttalText]:
    """The merchant's saved rebuttal texts."""
    return list(RebuttalText.objects.filter(merchant=merchant))


def chargeback_evidence_get(*, merchant: Merchant, pk: int) -> ChargebackEvidence:
    return ChargebackEvidence.objects.select_related("chargeback").get(
        chargeback__merchant=merchant, pk=pk
    )


def chargeback_deadline_mark(rows: Iterable[Chargeback], *, today: date | None = None) -> None:
    """Flag each unresolved chargeback whose deadline is past or within a few days."""
    today = today or timezone.localdate()
    for row in rows:
        row.is_overdue = row.is_unresolved and row.respond_by < today
        row.is_due_soon = row.is_unresolved and (
            today <= row.respond_by <= today + timedelta(days=DEADLINE_SOON_DAYS)
        )


@dataclass
class EvidencePacket:
    chargeback: Chargeback
    order: Order
    transactions: list[PaymentTransaction]
    shipments: list
    messages: list[CaseMessage]
    timeline: list[OrderEvent]
    evidence: list[ChargebackEvidence]


def _public_event(event: OrderEvent) -> bool:
    if event.type in PRIVATE_EVENT_TYPES:
        return False
    return not (
        event.type == OrderEventType.CASE_MESSAGE and event.payload.get("kind") == "internal"
    )


def chargeback_packet_get(*, chargeback: Chargeback) -> EvidencePacket:
    """Everything the bank should see, from the order itself; never internal notes."""
    order = (
        Order.objects.select_related("merchant")
        .prefetch_related(
            "lines",
            "merchant__carriers",
            Prefetch("events", queryset=OrderEvent.objects.order_by("created_at", "id")),
        )
        .get(pk=chargeback.order_id)
    )
    messages = list(
        CaseMessage.objects.filter(case__order=order, kind__in=CaseMessage.CUSTOMER_VISIBLE)
        .select_related("case", "author")
        .prefetch_related("attachments")
    )
    return EvidencePacket(
        chargeback=chargeback,
        order=order,
        transactions=list(order.transactions.all()),
        shipments=list(order.shipments.all()),
        messages=messages,
        timeline=[event for event in order.events.all() if _public_event(event)],
        evidence=list(chargeback.evidence.all()),
    )
