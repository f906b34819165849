import enum
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


class PaymentReason(enum.StrEnum):
    """Why a gateway refused (or flagged) a payment, in words shared by every gateway."""

    DECLINED = "declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    PROCESSING_ERROR = "processing_error"
    AUTHORIZATION_EXPIRED = "authorization_expired"
    CVV_MISMATCH = "cvv_mismatch"
    AVS_MISMATCH = "avs_mismatch"


@dataclass(frozen=True)
class CardDetails:
    """A card as typed by staff or a customer. Only used to tokenize; never stored."""

    number: str
    exp_month: int
    exp_year: int
    cvv: str = ""
    postal_code: str = ""

    @property
    def digits(self) -> str:
        return "".join(ch for ch in self.number if ch.isdigit())


@dataclass(frozen=True)
class CardToken:
    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    fingerprint: str
    is_test_card: bool


@dataclass(frozen=True)
class GatewayResult:
    result: str  # approved | declined | pending | error
    reference: str
    amount: Decimal
    message: str = ""
    avs_result: str = ""
    cvv_result: str = ""
    # A PaymentReason when the gateway refused; "" when it approved or said nothing more.
    reason: str = ""
    raw: dict = field(default_factory=dict)

    @property
    def approved(self) -> bool:
        return self.result == "approved"


class Gateway(Protocol):
    """Every call that moves money takes an idempotency key: the same key never moves it twice."""

    name: str
    live: bool

    def tokenize(self, card: CardDetails) -> CardToken: ...

    def card_for_token(self, token: str) -> CardToken: ...

    def charge(self, *, token: str, amount: Decimal, idempotency_key: str) -> GatewayResult: ...

    def authorize(self, *, token: str, amount: Decimal, idempotency_key: str) -> GatewayResult: ...

    def capture(
        self, *, reference: str, amount: Decimal, idempotency_key: str
    ) -> GatewayResult: ...

    def refund(self, *, reference: str, amount: Decimal, idempotency_key: str) -> GatewayResult: ...

    def void(self, *, reference: str, idempotency_key: str) -> GatewayResult: ...

    def debit_bank(
        self, *, account: str, amount: Decimal, idempotency_key: str
    ) -> GatewayResult: ...
