"""What a payment attempt came to, in the one sentence every screen shows.

A PaymentOutcome is read from the PaymentTransaction a charge, authorization, capture, refund,
void or bank debit recorded: the order entry, the order page, bulk job items, the auto order
page and the customer's quote page all show its `summary`, in a warning style (`level`) when
money did not move or the gateway flagged the card.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .base import PaymentReason

if TYPE_CHECKING:
    from orders.models import PaymentTransaction

REASON_LABELS = {
    PaymentReason.DECLINED: "Card declined",
    PaymentReason.INSUFFICIENT_FUNDS: "Declined for insufficient funds",
    PaymentReason.PROCESSING_ERROR: "Processing error at the gateway",
    PaymentReason.AUTHORIZATION_EXPIRED: "Capture declined: the authorization has expired",
    PaymentReason.CVV_MISMATCH: "the card's security code (CVV) did not match",
    PaymentReason.AVS_MISMATCH: "the billing address (AVS) did not match the card",
}
BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "Amex", "discover": "Discover"}
# What each kind of call is called in a sentence about it.
NOUNS = {
    "charge": "charge",
    "authorize": "authorization",
    "capture": "capture",
    "refund": "refund",
    "void": "void",
}


def card_label(brand: str, last4: str) -> str:
    """ "Visa ending 4242"; "" when the card is not known."""
    if not last4:
        return ""
    return f"{BRANDS.get(brand, 'Card')} ending {last4}"


def money_text(amount: Decimal) -> str:
    return f"{amount:,.2f}"


@dataclass(frozen=True)
class PaymentOutcome:
    kind: str  # a PaymentTransaction.Kind
    result: str  # approved | declined | pending | error
    amount: Decimal
    message: str = ""  # the gateway's own words
    reason: str = ""  # a PaymentReason for a refusal
    card: str = ""  # "Visa ending 4242"
    avs_result: str = ""
    cvv_result: str = ""

    @classmethod
    def of(cls, row: "PaymentTransaction") -> "PaymentOutcome":
        return cls(
            kind=row.kind,
            result=row.result,
            amount=row.amount,
            message=row.message,
            reason=row.reason or _reason_from_result(row.result),
            card=card_label(row.card_brand, row.card_last4),
            avs_result=row.avs_result,
            cvv_result=row.cvv_result,
        )

    @property
    def moved_money(self) -> bool:
        return self.result == "approved"

    @property
    def failed(self) -> bool:
        return self.result in {"declined", "error"}

    @property
    def mismatches(self) -> list[str]:
        """The card checks the gateway flagged on a payment it approved."""
        flagged = []
        if self.cvv_result == "N":
            flagged.append(PaymentReason.CVV_MISMATCH)
        if self.avs_result == "N":
            flagged.append(PaymentReason.AVS_MISMATCH)
        return flagged

    @property
    def reason_label(self) -> str:
        if self.failed:
            return REASON_LABELS.get(PaymentReason(self.reason), "Declined")
        return " and ".join(REASON_LABELS[reason] for reason in self.mismatches)

    @property
    def level(self) -> str:
        """success, or warning when money did not move as asked or the card was flagged."""
        return "warning" if self.failed or self.mismatches else "success"

    @property
    def summary(self) -> str:
        if self.failed:
            return self._refusal_sentence()
        sentence = self._success_sentence()
        if self.mismatches:
            sentence = f"{sentence[:-1]}, but {self.reason_label}."
        return sentence

    def _on_card(self, preposition: str) -> str:
        return f" {preposition} {self.card}" if self.card else ""

    def _success_sentence(self) -> str:
        amount = money_text(self.amount)
        if self.result == "pending":
            return f"Bank debit of {amount} submitted; it is paid once the bank settles it."
        if self.kind == "authorize":
            return f"Authorized {amount}{self._on_card('on')}; it is captured at shipment."
        if self.kind == "capture":
            return f"Captured {amount}."
        if self.kind == "refund":
            return f"Refunded {amount}{self._on_card('to')}."
        if self.kind == "void":
            return "Voided the authorization; the customer was never charged."
        return f"Charged {amount}{self._on_card('to')}."

    def _refusal_sentence(self) -> str:
        noun = NOUNS.get(self.kind, "payment")
        card = self._on_card("to" if self.kind in {"charge", "refund"} else "on")
        gateway_words = f" (the gateway said: {self.message.rstrip('.')})" if self.message else ""
        return (
            f"{self.reason_label}: the {noun} of {money_text(self.amount)}{card} did not go "
            f"through{gateway_words}. No money moved."
        )


def _reason_from_result(result: str) -> str:
    # Rows recorded before gateways gave reasons: a decline, or an error.
    if result == "declined":
        return PaymentReason.DECLINED
    if result == "error":
        return PaymentReason.PROCESSING_ERROR
    return ""


@dataclass(frozen=True)
class RefundOutcome(PaymentOutcome):
    """A refund through the gateway, made of one gateway refund per settled payment it returns
    money from (an order captured in parts). `amount` is what the gateway refunded; when it
    refused a part, `refusal` is that part's outcome and `not_refunded` what was left undone."""

    parts: int = 1
    asked: Decimal = Decimal("0.00")
    not_refunded: Decimal = Decimal("0.00")
    refusal: PaymentOutcome | None = None

    @classmethod
    def of_parts(cls, rows: "list[PaymentTransaction]", *, asked: Decimal) -> "RefundOutcome":
        outcomes = [PaymentOutcome.of(row) for row in rows]
        approved = [outcome for outcome in outcomes if outcome.moved_money]
        refused = next((outcome for outcome in outcomes if not outcome.moved_money), None)
        refunded = sum((outcome.amount for outcome in approved), Decimal("0.00"))
        first = outcomes[0]
        return cls(
            kind=first.kind,
            result="approved" if approved else first.result,
            amount=refunded,
            message=first.message,
            reason=first.reason if not approved else "",
            card=first.card,
            parts=len(approved),
            asked=asked,
            not_refunded=asked - refunded,
            refusal=refused,
        )

    @property
    def level(self) -> str:
        return "warning" if self.not_refunded > 0 else super().level

    @property
    def summary(self) -> str:
        if not self.moved_money or (self.refusal is None and self.not_refunded <= 0):
            sentence = super().summary
            if self.parts > 1:
                parts = f"in {self.parts} refunds, one per payment it returns from"
                sentence = f"{sentence[:-1]}, {parts}."
            return sentence
        card = self._on_card("to")
        done = f"Refunded {money_text(self.amount)} of {money_text(self.asked)}{card}"
        why = ""
        if self.refusal is not None:
            gateway_words = self.refusal.message.rstrip(".")
            why = f": the gateway refused the refund of {money_text(self.refusal.amount)}" + (
                f" ({gateway_words})" if gateway_words else ""
            )
        return f"{done}{why}. {money_text(self.not_refunded)} was not refunded."
