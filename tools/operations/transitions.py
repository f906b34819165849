"""Every stage transition staff may run is an operation; its facts and its check are the
transition's own (orders.fsm)."""

from typing import Any

from orders.exceptions import PaymentFailed
from orders.fsm import TransitionSpec, transition_refusal, transition_specs
from orders.models import Merchant, Order
from orders.services.transitions import order_transition
from tools.job_types import ItemResult
from tools.models import JobItemOutcome

from .base import Check, Operation, job_via


def transition_check(name: str) -> Check:
    def check(order: Order, inputs: dict[str, Any], user) -> str | None:
        refusal = transition_refusal(order, name, user)
        return None if refusal is None else refusal.reason

    return check


def transition_run(order: Order, name: str, job, **inputs: Any) -> ItemResult:
    try:
        result = order_transition(
            order=order,
            name=name,
            by=job.created_by,
            via=job_via(job),
            job_id=job.pk,
            expected_stage=order.stage,
            lock_held=True,
            **inputs,
        )
    except PaymentFailed as exc:
        # The gateway refused (e.g. a capture at shipment): the item fails, but what the
        # transition recorded of the attempt (the declined transaction, its event, the
        # payment status) must stay, so the item's savepoint is not rolled back.
        return ItemResult(JobItemOutcome.Outcome.FAILED, str(exc))
    if result.payment is not None and result.payment.failed:
        # A declined charge is no skip: the order was tried and no money moved.
        return ItemResult(JobItemOutcome.Outcome.FAILED, result.message)
    if result.target == result.source:
        return ItemResult.skipped(result.message)
    return ItemResult.succeeded(result.message)


def _transition_apply(name: str):
    def apply(order: Order, inputs: dict[str, Any], job) -> ItemResult:
        return transition_run(order, name, job, **inputs)

    return apply


def _transition_form(spec: TransitionSpec):
    form_class = spec.form_class
    if form_class is None:
        return None

    def build(data, *, merchant: Merchant, order: Order | None = None, prefix=None):
        # Transition forms are built per order; for many orders any order of the merchant
        # serves, as the inputs depend only on the merchant's settings.
        order = order or Order(merchant=merchant)
        return form_class(data, order=order, name=spec.name, prefix=prefix)

    return build


def _permission(spec: TransitionSpec) -> str:
    # An operation declares one permission: a transition needing all of several (refund and
    # reject) is offered to those who run tools, and its check then asks for each of them.
    permissions = spec.permissions or ()
    return permissions[0] if len(permissions) == 1 else "orders.run_tools"


def transition_operations() -> list[Operation]:
    return [
        Operation(
            name=spec.name,
            label=spec.label,
            permission=_permission(spec),
            check=transition_check(spec.name),
            apply=_transition_apply(spec.name),
            form=_transition_form(spec),
            moves_money=spec.moves_money,
            stages=spec.sources,
            danger=spec.danger,
        )
        for spec in transition_specs().values()
        if not spec.system and not spec.one_order
    ]
