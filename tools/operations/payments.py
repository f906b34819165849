"""Refunds as operations: in full through the gateway, or recorded as made outside it.

Process payment and record payment received are transitions (registry.py); their checks
say why an order is skipped ("there is no card on file to charge", wrong stage …).
"""

from typing import Any, cast

from django import forms

from orders.models import Order
from orders.services.payments import payment_settled_at_gateway
from orders.services.refunds import REFUNDABLE_STATUSES, order_refund
from orders.states import GATEWAY_METHODS, PAID_STAGES, PaymentStatus
from tools.job_types import ItemResult

from .base import MerchantForm, Operation, job_via, live_check, simple_form


class RefundForm(MerchantForm):
    reason = forms.ChoiceField(label="Reason code")
    notify = forms.BooleanField(
        label="Email the customer about the refund", required=False, initial=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = list(self.merchant.refund_reason_codes or [])
        field = cast(forms.ChoiceField, self.fields["reason"])
        field.choices = [("", "—"), *((code, code.replace("_", " ")) for code in codes)]
        field.required = self.merchant.reason_required
        field.error_messages["required"] = "Choose a reason code."


def _refundable(order: Order) -> str | None:
    if order.payment_status not in REFUNDABLE_STATUSES:
        if order.payment_status == PaymentStatus.REFUNDED:
            return "already refunded"
        return f"no payment to refund ({order.get_payment_status_display().lower()})"
    if order.total - order.refunded_total <= 0:
        return "already refunded"
    return None


def _gateway_refund_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    reason = _refundable(order)
    if reason is not None:
        return reason
    if order.payment_method not in GATEWAY_METHODS or payment_settled_at_gateway(order) is None:
        return "not paid through the gateway: record the refund made outside it"
    if user is not None and not user.has_perm("orders.refund_order", order):
        return "not permitted"
    return None


def _external_refund_check(order: Order, inputs: dict[str, Any], user) -> str | None:
    reason = _refundable(order)
    if reason is None and user is not None and not user.has_perm("orders.refund_order", order):
        return "not permitted"
    return reason


def _refund_apply(external: bool):
    def apply(order: Order, inputs: dict[str, Any], job) -> ItemResult:
        outcome = order_refund(
            order=order,
            by=job.created_by,
            via=job_via(job),
            full=True,
            external=external,
            reason=inputs.get("reason", ""),
            notify=bool(inputs.get("notify")),
            job_id=job.pk,
        )
        return ItemResult.succeeded(outcome.summary)

    return apply


OPERATIONS = [
    Operation(
        name="full_refund",
        label="Refund in full through the gateway",
        permission="orders.refund_order",
        check=live_check(_gateway_refund_check),
        apply=_refund_apply(external=False),
        form=simple_form(RefundForm),
        explicit_ids_only=True,
        moves_money=True,
        stages=PAID_STAGES,
    ),
    Operation(
        name="record_external_refund",
        label="Record a refund made outside the gateway",
        permission="orders.refund_order",
        check=live_check(_external_refund_check),
        apply=_refund_apply(external=True),
        form=simple_form(RefundForm),
        stages=PAID_STAGES,
        danger=True,  # recorded as money returned: there is no taking it back
    ),
]
