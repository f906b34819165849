"""The life-cycle state machine: the transitions of Order.stage, declared in one place.

Bodies only change fields; the order_transition service locks, checks, saves, writes the event
and schedules side effects. Order inherits these methods; django-fsm finds them by field name.
Each transition carries its facts (label, form, preparer, moves money, danger, screens) in its
`custom` and its permission in `permission=`; orders.fsm reads them, nothing else does.
"""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django_fsm import GET_STATE, transition

from orders.states import GATEWAY_METHODS, PaymentMethod, PaymentStatus, Stage

if TYPE_CHECKING:
    from .order import Order

S = Stage
AFTER_PAYMENT = [S.SHIPPING, S.FRAUD_REVIEW, S.COMPLETED, S.ACCOUNTS_RECEIVABLE]
HOLD_SOURCES = [S.SHIPPING, S.FRAUD_REVIEW, S.ACCOUNTS_RECEIVABLE]


def _routed(order: "Order", *args, next_stage: str, **kwargs) -> str:
    """The target of a transition whose destination the routing rules chose."""
    return next_stage


class AllOf:
    """A transition permission that needs every one of these permissions; readable, so the
    screens can declare what a transition needs."""

    def __init__(self, *permissions: str) -> None:
        self.permissions = permissions

    def __call__(self, order: "Order", user) -> bool:
        return all(user.has_perm(permission, order) for permission in self.permissions)


# Both permissions: refunding alone (customer service) is capped by the merchant's limit.
_may_refund_and_reject = AllOf("orders.refund_order", "orders.reject_order")


def _has_card_on_file(order: "Order") -> bool:
    """Process payment charges a saved card or wallet; offline payments are recorded instead."""
    return bool(order.gateway_token) and order.payment_method in GATEWAY_METHODS - {
        PaymentMethod.ECHECK
    }


def _system_only(order: "Order", user) -> bool:
    """Transitions driven by beat, webhooks or customers: never offered to staff."""
    return False


class OrderTransitions:
    """The transitions of Order.stage (a plain mixin: no fields of its own)."""

    def _enter(self) -> None:
        self.stage_entered_at = timezone.now()

    def _mark_rejected(self, reason: str, rejected_by) -> None:
        self.reject_reason = reason
        self.rejected_at = timezone.now()
        self.rejected_by = rejected_by
        self._enter()

    @transition(
        "stage",
        source=S.QUOTE_REQUEST,
        target=S.QUOTE_SENT,
        permission="orders.send_quote",
        custom={
            "label": "Send quote",
            "preparer": "orders.services.transition_steps.send_quote",
            "screens": {"quote-requests": 0},
        },
    )
    def send_quote(self) -> None:
        self.quote_sent_at = timezone.now()
        self._enter()

    @transition(
        "stage",
        source=S.QUOTE_SENT,
        target=GET_STATE(_routed, states=AFTER_PAYMENT),
        permission=_system_only,
        custom={
            "label": "Accept quote",
            "system": True,
            "preparer": "orders.services.transition_steps.accept_quote",
            "moves_money": True,
        },
    )
    def accept_quote(self, *, next_stage: str) -> None:
        self._enter()

    @transition(
        "stage",
        source=[S.QUOTE_REQUEST, S.QUOTE_SENT],
        target=S.REJECTED,
        permission=_system_only,
        custom={"label": "Expire quote", "system": True},
    )
    def expire_quote(self) -> None:
        self._mark_rejected("quote_expired", None)

    @transition(
        "stage",
        source=S.PRE_ORDER,
        target=GET_STATE(_routed, states=AFTER_PAYMENT),
        permission="orders.release_preorder",
        custom={
            "label": "Release pre-order",
            "preparer": "orders.services.transition_steps.charge_and_route",
            "moves_money": True,
            "screens": {"pre-orders": 0},
        },
    )
    def release_preorder(self, *, next_stage: str) -> None:
        self._enter()

    @transition(
        "stage",
        source=S.ACCOUNTS_RECEIVABLE,
        target=GET_STATE(_routed, states=AFTER_PAYMENT),
        conditions=[_has_card_on_file],
        permission="orders.process_payment",
        custom={
            "label": "Process payment",
            "unavailable": "there is no card on file to charge; record the payment received",
            "preparer": "orders.services.transition_steps.process_payment",
            "moves_money": True,
            "screens": {"accounts-receivable": 0},
        },
    )
    def process_payment(self, *, next_stage: str) -> None:
        if next_stage != S.ACCOUNTS_RECEIVABLE:
            self._enter()

    @transition(
        "stage",
        source=S.ACCOUNTS_RECEIVABLE,
        target=GET_STATE(_routed, states=AFTER_PAYMENT),
        permission="orders.process_payment",
        custom={
            "label": "Charge another card",
            "form": "orders.forms.OtherCardForm",
            "preparer": "orders.services.transition_steps.charge_other_card",
            "moves_money": True,
            # Its input is one customer's card: never an operation over many orders.
            "one_order": True,
        },
    )
    def charge_other_card(self, *, next_stage: str) -> None:
        if next_stage != S.ACCOUNTS_RECEIVABLE:
            self._enter()

    @transition(
        "stage",
        source=S.ACCOUNTS_RECEIVABLE,
        target=GET_STATE(_routed, states=[S.SHIPPING, S.COMPLETED]),
        permission="orders.record_payment",
        custom={
            "label": "Record payment received",
            "form": "orders.forms.RecordPaymentForm",
            "preparer": "orders.services.transition_steps.record_payment",
            "screens": {"accounts-receivable": 1},
        },
    )
    def record_payment(self, *, next_stage: str, reference: str) -> None:
        self.payment_status = PaymentStatus.PROCESSED
        # The whole total was received: no balance a line edit left is owed any more.
        self.balance_due = Decimal("0.00")
        self.payment_reference = reference
        self.paid_at = timezone.now()
        self._enter()

    @transition(
        "stage",
        source=S.ACCOUNTS_RECEIVABLE,
        target=S.PENDING_CLEARANCE,
        permission="orders.process_payment",
        custom={
            "label": "Submit e-check",
            "form": "orders.forms.SubmitEcheckForm",
            "preparer": "orders.services.transition_steps.submit_echeck",
            "moves_money": True,
        },
    )
    def submit_echeck(self) -> None:
        self.payment_status = PaymentStatus.PENDING
        self._enter()

    @transition(
        "stage",
        source=S.PENDING_CLEARANCE,
        target=GET_STATE(_routed, states=[S.SHIPPING, S.COMPLETED]),
        permission=_system_only,
        custom={
            "label": "Payment cleared",
            "system": True,
            "preparer": "orders.services.transition_steps.confirm_clearance",
        },
    )
    def confirm_clearance(self, *, next_stage: str) -> None:
        self.payment_status = PaymentStatus.PROCESSED
        self.balance_due = Decimal("0.00")  # the debit of the whole total cleared
        self.paid_at = timezone.now()
        self._enter()

    @transition(
        "stage",
        source=S.PENDING_CLEARANCE,
        target=S.ACCOUNTS_RECEIVABLE,
        permission=_system_only,
        custom={"label": "Payment returned", "system": True},
    )
    def fail_clearance(self) -> None:
        self.payment_status = PaymentStatus.DECLINED
        self._enter()

    @transition(
        "stage",
        source=S.FRAUD_REVIEW,
        target=S.SHIPPING,
        permission="orders.approve_order",
        custom={"label": "Approve", "screens": {"fraud-review": 0}},
    )
    def approve(self) -> None:
        self._enter()

    @transition(
        "stage",
        source=S.FRAUD_REVIEW,
        target=S.REJECTED,
        permission="orders.reject_fraud",
        custom={
            "label": "Reject as fraud",
            "form": "orders.forms.RejectAsFraudForm",
            "preparer": "orders.services.transition_steps.reject_as_fraud",
            "moves_money": True,
            "danger": True,
            "screens": {"fraud-review": 1},
        },
    )
    def reject_as_fraud(self, *, reason: str = "fraud", rejected_by=None) -> None:
        self._mark_rejected(reason or "fraud", rejected_by)

    @transition(
        "stage",
        source=HOLD_SOURCES,
        target=S.HOLD,
        permission="orders.hold_order",
        custom={
            "label": "Hold",
            "form": "orders.forms.HoldForm",
            "preparer": "orders.services.transition_steps.hold",
            "screens": {"shipping": 1},
        },
    )
    def hold(self, *, reason: str, until=None) -> None:
        self.held_from_stage = self.stage
        self.hold_reason = reason
        self.hold_until = until
        self._enter()

    @transition(
        "stage",
        source=S.HOLD,
        target=GET_STATE(_routed, states=HOLD_SOURCES),
        permission="orders.release_hold",
        custom={
            "label": "Release hold",
            "preparer": "orders.services.transition_steps.release_hold",
            "screens": {"hold": 0},
        },
    )
    def release_hold(self, *, next_stage: str) -> None:
        # The target is computed after this body runs, so the step passes held_from_stage in.
        self.held_from_stage = ""
        self.hold_reason = ""
        self.hold_until = None
        self._enter()

    @transition(
        "stage",
        source=S.SHIPPING,
        target=S.COMPLETED,
        permission="orders.ship_order",
        custom={
            "label": "Mark shipped",
            "form": "orders.forms.MarkShippedForm",
            "preparer": "orders.services.transition_steps.mark_shipped",
            "moves_money": True,
            "screens": {"shipping": 0},
        },
    )
    def mark_shipped(self, **inputs) -> None:
        self.shipped_at = timezone.now()
        self._enter()

    @transition(
        "stage",
        source=S.COMPLETED,
        target=S.SHIPPING,
        permission="orders.move_back_to_shipping",
        custom={"label": "Move back to shipping"},
    )
    def move_back_to_shipping(self) -> None:
        self._enter()

    @transition(
        "stage",
        source=[S.SHIPPING, S.COMPLETED],
        target=S.REJECTED,
        permission=_may_refund_and_reject,
        custom={
            "label": "Refund in full and reject",
            "form": "orders.forms.RejectForm",
            "preparer": "orders.services.transition_steps.refund_and_reject",
            "moves_money": True,
            "danger": True,
        },
    )
    def refund_and_reject(self, *, reason: str = "", rejected_by=None) -> None:
        self._mark_rejected(reason, rejected_by)

    @transition(
        "stage",
        source=[
            S.ACCOUNTS_RECEIVABLE,
            S.QUOTE_REQUEST,
            S.QUOTE_SENT,
            S.PRE_ORDER,
            S.PENDING_CLEARANCE,
        ],
        target=S.REJECTED,
        permission="orders.reject_order",
        custom={
            "label": "Reject",
            "form": "orders.forms.RejectForm",
            "preparer": "orders.services.transition_steps.reject",
            "moves_money": True,
            "danger": True,
            "screens": {"accounts-receivable": 2, "quote-requests": 1},
        },
    )
    def reject(self, *, reason: str = "", rejected_by=None) -> None:
        self._mark_rejected(reason, rejected_by)

    @transition(
        "stage",
        source=S.REJECTED,
        target=S.ACCOUNTS_RECEIVABLE,
        permission="orders.unreject_order",
        custom={"label": "Un-reject", "screens": {"rejected": 0}},
    )
    def unreject(self) -> None:
        self.reject_reason = ""
        self.rejected_at = None
        self.rejected_by = None
        self._enter()
