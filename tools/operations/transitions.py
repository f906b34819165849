"""Every stage transition staff may run is an operation; its check is the state machine's own."""

from typing import Any

from django_fsm import can_proceed

from orders.exceptions import PaymentFailed
from orders.forms import TRANSITION_FORMS
from orders.models import Merchant, Order
from orders.services.transitions import order_transition, transition_label, transition_names
from tools.job_types import ItemResult
from tools.models import JobItemOutcome

from .base import Check, Operation, job_via

# Transitions whose step may charge, capture, void or refund through the gateway.
MONEY_TRANSITIONS = frozenset(
    {
        "process_payment", "release_preorder", "submit_echeck", "mark_shipped", "reject",
        "reject_as_fraud", "refund_and_reject",
    }
)  # fmt: skip


def _meta(name: str):
    return next(iter(getattr(Order, name)._django_fsm.transitions.values()))


def transition_check(name: str) -> Check:
    def check(order: Order, inputs: dict[str, Any], user) -> str | None:
        if order.deleted_at is not None:
            return "deleted"
        method = getattr(order, name)
        if not can_proceed(method, check_conditions=False):
            return f"not possible in {order.get_stage_display()}"
        if not can_proceed(method):
            meta = method._django_fsm.get_transition(order.stage)
            return meta.custom.get("unavailable", "its conditions are not met")
        if user is not None and name not in {
            t.name for t in order.get_available_user_stage_transitions(user)
        }:
            return "not permitted"
        return None

    return check


def transition_run(order: Order, name: str, job, **inputs: Any) -> ItemResult:
    try:
        result = order_transition(
            order=order, name=name, by=job.created_by, via=job_via(job), job_id=job.pk,
            expected_stage=order.stage, lock_held=True, **inputs,
        )  # fmt: skip
    except PaymentFailed as exc:
        # The gateway refused (e.g. a capture at shipment): the item fails, but what the
        # transition recorded of the attempt (the declined transaction, its event, the
        # payment status) must stay, so the item's savepoint is not rolled back.
        return ItemResult(JobItemOutcome.Outcome.FAILED, str(exc))
    if result.target == result.source:
        return ItemResult.skipped(result.message)
    return ItemResult.succeeded(result.message)


def _transition_apply(name: str):
    def apply(order: Order, inputs: dict[str, Any], job) -> ItemResult:
        return transition_run(order, name, job, **inputs)

    return apply


def _transition_form(name: str):
    form_class = TRANSITION_FORMS.get(_meta(name).custom.get("form") or "")
    if form_class is None:
        return None

    def build(data, *, merchant: Merchant, order: Order | None = None, prefix=None):
        # Transition forms are built per order; for many orders any order of the merchant
        # serves, as the inputs depend only on the merchant's settings.
        order = order or Order(merchant=merchant)
        return form_class(data, order=order, name=name, prefix=prefix)

    return build


def transition_operations() -> list[Operation]:
    operations = []
    for name in transition_names():
        meta = _meta(name)
        if meta.custom.get("system"):
            continue
        permission = meta.permission if isinstance(meta.permission, str) else "orders.run_tools"
        operations.append(
            Operation(
                name=name,
                label=transition_label(name),
                permission=permission,
                check=transition_check(name),
                apply=_transition_apply(name),
                form=_transition_form(name),
                moves_money=name in MONEY_TRANSITIONS,
            )
        )
    return operations
