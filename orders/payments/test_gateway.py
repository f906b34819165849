"""The built-in test gateway: behaves like a provider, keeps its books in GatewayLedgerEntry.

Card behaviour follows the card number, as providers' sandboxes do:
4000 0000 0000 0002 declines, …9995 declines for insufficient funds, …0119 fails with a
processing error, any other valid number approves. CVV "000" simulates a CVV mismatch and a
billing postal code "00000" an AVS mismatch. E-checks are accepted as pending and settle when
the settlement webhook arrives.
"""

import hashlib
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from orders.models import GatewayLedgerEntry

from .base import CardDetails, CardToken, GatewayResult, PaymentReason

DECLINE = "0002"
INSUFFICIENT_FUNDS = "9995"
PROCESSING_ERROR = "0119"
# Authorizes, but the capture at shipment fails (the authorization has expired).
CAPTURE_FAILS = "0341"
EXPIRED = PaymentReason.AUTHORIZATION_EXPIRED
ERROR = PaymentReason.PROCESSING_ERROR
TEST_CARD_NUMBERS = frozenset(
    {
        "4111111111111111",
        "4242424242424242",
        "5555555555554444",
        "378282246310005",
        "6011111111111117",
        "4000000000000002",
        "4000000000009995",
        "4000000000000119",
        "4000000000000341",
    }
)


def luhn_valid(digits: str) -> bool:
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        return False
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str:
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in {"51", "52", "53", "54", "55"} or digits[:2] == "22":
        return "mastercard"
    if digits[:2] in {"34", "37"}:
        return "amex"
    if digits.startswith("6011") or digits.startswith("65"):
        return "discover"
    return "card"


class TestGateway:
    __test__ = False  # not a pytest test class

    name = "test"

    def __init__(self, *, live: bool = False) -> None:
        self.live = live

    def tokenize(self, card: CardDetails) -> CardToken:
        digits = card.digits
        if not luhn_valid(digits):
            raise ValueError("The card number is not valid.")
        fingerprint = hashlib.sha256(f"test-gateway:{digits}".encode()).hexdigest()[:32]
        behaviour = "cvv" if card.cvv == "000" else ("avs" if card.postal_code == "00000" else "ok")
        return CardToken(
            token=f"tgw_{fingerprint}_{behaviour}_{digits[-4:]}",
            brand=card_brand(digits),
            last4=digits[-4:],
            exp_month=card.exp_month,
            exp_year=card.exp_year,
            fingerprint=fingerprint,
            is_test_card=digits in TEST_CARD_NUMBERS,
        )

    def card_for_token(self, token: str) -> CardToken:
        """What the gateway knows of a saved card, for a returning customer's order."""
        try:
            _, fingerprint, _, last4 = token.split("_")
        except ValueError as exc:
            raise ValueError("Unknown saved card.") from exc
        return CardToken(
            token=token,
            brand="card",
            last4=last4,
            exp_month=0,
            exp_year=0,
            fingerprint=fingerprint,
            is_test_card=False,
        )

    # ---- money-moving calls --------------------------------------------------------------
    def charge(self, *, token: str, amount: Decimal, idempotency_key: str) -> GatewayResult:
        return self._once(
            "charge", idempotency_key, amount, lambda: self._card_answer(token), token=token
        )

    def authorize(self, *, token: str, amount: Decimal, idempotency_key: str) -> GatewayResult:
        return self._once(
            "authorize", idempotency_key, amount, lambda: self._card_answer(token), token=token
        )

    def capture(self, *, reference: str, amount: Decimal, idempotency_key: str) -> GatewayResult:
        # An authorization may be captured in parts (an order shipped in parts), never beyond
        # what it authorized: each capture keeps the authorization's reference in `token`.
        def answer():
            authorization = GatewayLedgerEntry.objects.filter(
                gateway=self.name, reference=reference, operation="authorize", result="approved"
            ).first()
            if authorization is None:
                return "error", "No such authorization.", "", "", ERROR
            if authorization.token.endswith(f"_{CAPTURE_FAILS}"):
                return "declined", "The authorization has expired.", "", "", EXPIRED
            if amount <= 0:
                return "error", "A capture must be more than zero.", "", "", ERROR
            if amount > authorization.amount - self.captured(reference):
                return "declined", "More than is left of the authorization.", "", "", ERROR
            return "approved", "Captured.", "", "", ""

        return self._once("capture", idempotency_key, amount, answer, token=reference)

    def captured(self, reference: str) -> Decimal:
        """What the books say has been captured of one authorization."""
        total = GatewayLedgerEntry.objects.filter(
            gateway=self.name, operation="capture", result="approved", token=reference
        ).aggregate(total=Sum("amount"))["total"]
        return total or Decimal("0.00")

    def refund(self, *, reference: str, amount: Decimal, idempotency_key: str) -> GatewayResult:
        # Like a provider, a refund names one payment (a charge, a capture, a settled bank
        # debit) and returns at most what is left of it: an order captured in parts is refunded
        # capture by capture. Each refund keeps the payment's reference in `token`.
        def answer():
            # A bank debit is refundable once settle() has recorded the bank's approval.
            original = (
                GatewayLedgerEntry.objects.filter(
                    gateway=self.name, reference=reference, result="approved"
                )
                .exclude(operation__in=["refund", "void", "authorize"])
                .first()
            )
            if original is None:
                return "error", "No such payment to refund.", "", "", ERROR
            if amount <= 0:
                return "error", "A refund must be more than zero.", "", "", ERROR
            if amount > original.amount - self.refunded(reference):
                return "declined", "More than is left of the payment to refund.", "", "", ERROR
            return "approved", "Refunded.", "", "", ""

        return self._once("refund", idempotency_key, amount, answer, token=reference)

    def refunded(self, reference: str) -> Decimal:
        """What the books say has been refunded of one payment."""
        total = GatewayLedgerEntry.objects.filter(
            gateway=self.name, operation="refund", result="approved", token=reference
        ).aggregate(total=Sum("amount"))["total"]
        return total or Decimal("0.00")

    def void(self, *, reference: str, idempotency_key: str) -> GatewayResult:
        return self._once(
            "void", idempotency_key, Decimal("0"), lambda: ("approved", "Voided.", "", "", "")
        )

    def debit_bank(self, *, account: str, amount: Decimal, idempotency_key: str) -> GatewayResult:
        return self._once(
            "echeck",
            idempotency_key,
            amount,
            lambda: ("pending", "Submitted; waiting for settlement.", "", "", ""),
            token=account,
        )

    def settle(self, *, reference: str, returned: bool = False) -> None:
        """The bank's answer to a pending debit, kept in the books before the webhook is sent."""
        GatewayLedgerEntry.objects.filter(
            gateway=self.name, reference=reference, result="pending"
        ).update(result="declined" if returned else "approved")

    def charges_for_key_prefix(self, prefix: str) -> int:
        return GatewayLedgerEntry.objects.filter(
            gateway=self.name,
            idempotency_key__startswith=prefix,
            operation="charge",
            result="approved",
        ).count()

    # ---- internals -----------------------------------------------------------------------
    @staticmethod
    def _card_answer(token: str) -> tuple[str, str, str, str, str]:
        last4 = token.rsplit("_", 1)[-1]
        behaviour = token.split("_")[2] if token.count("_") >= 3 else "ok"
        avs = "N" if behaviour == "avs" else "Y"
        cvv = "N" if behaviour == "cvv" else "M"
        if last4 == DECLINE:
            return "declined", "Card declined.", avs, cvv, PaymentReason.DECLINED
        if last4 == INSUFFICIENT_FUNDS:
            return "declined", "Insufficient funds.", avs, cvv, PaymentReason.INSUFFICIENT_FUNDS
        if last4 == PROCESSING_ERROR:
            return "error", "Processing error at the card network.", avs, cvv, ERROR
        return "approved", "Approved.", avs, cvv, ""

    def _once(self, operation, idempotency_key, amount, answer, token: str = "") -> GatewayResult:
        if not idempotency_key:
            raise ValueError("Every money-moving call needs an idempotency key.")
        existing = GatewayLedgerEntry.objects.filter(
            gateway=self.name, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            result, message, avs, cvv, reason = answer()
            try:
                with transaction.atomic():
                    existing = GatewayLedgerEntry.objects.create(
                        gateway=self.name,
                        idempotency_key=idempotency_key,
                        operation=operation,
                        amount=amount,
                        result=result,
                        reference=f"tgw_{operation[:3]}_{secrets.token_hex(8)}",
                        token=token,
                        response={"message": message, "avs": avs, "cvv": cvv, "reason": reason},
                    )
            except IntegrityError:
                # Another caller used the same key at the same moment: its answer is ours.
                existing = GatewayLedgerEntry.objects.get(
                    gateway=self.name, idempotency_key=idempotency_key
                )
        return GatewayResult(
            result=existing.result,
            reference=existing.reference,
            amount=existing.amount,
            message=existing.response.get("message", ""),
            avs_result=existing.response.get("avs", ""),
            cvv_result=existing.response.get("cvv", ""),
            reason=existing.response.get("reason", ""),
            raw={"ledger_id": existing.pk, "operation": existing.operation},
        )
