"""order_transition: the one way an order changes stage.

It locks the row, checks that the transition is available from the order's stage and
permitted for the person acting, does the transition's money work (charge, capture, refund),
runs the django-fsm transition, saves, writes the event and schedules side effects (emails)
for after the commit. The merchant screens, the admin, jobs, beat and webhooks all call it.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django_fsm import ConcurrentTransition

from orders.actors import Actor
from orders.events import order_transitioned_event
from orders.exceptions import (
    InvalidInput,
    OrderChanged,
    OrderError,
    TransitionNotAvailable,
    TransitionNotPermitted,
)
from orders.fsm import (
    RefusalKind,
    TransitionSpec,
    transition_label,
    transition_refusal,
    transition_specs,
    transitions_for_user,
)
from orders.models import Order
from orders.payments.outcome import PaymentOutcome
from orders.states import Stage
from orders.writes import order_save_changed

from . import transition_steps
from .locking import order_change_atomic, order_lock
from .transition_steps import Step


@dataclass
class TransitionResult:
    order: Order
    name: str
    source: str
    target: str
    message: str
    # What the gateway answered when the transition charged, captured, refunded or voided.
    payment: PaymentOutcome | None = None

    @property
    def level(self) -> str:
        """success when the order moved on and any money moved as asked; else warning."""
        if self.payment is not None and self.payment.level == "warning":
            return "warning"
        return "success" if self.target != self.source else "warning"


def transition_names() -> list[str]:
    return list(transition_specs())


def order_transitions_for_user(*, order: Order, user: Actor) -> list[TransitionSpec]:
    """The transitions this user may run on this order now, for buttons."""
    return transitions_for_user(order, user)


def order_transition(
    *,
    order: Order | int,
    name: str,
    by: Actor = None,
    via: str = "",
    expected_stage: str | None = None,
    job_id: int | None = None,
    lock_held: bool = False,
    **inputs: Any,
) -> TransitionResult:
    """Run transition `name` on the order; by=None means the system (beat, webhook, customer).

    Side effects: may charge, capture, refund or void through the gateway, writes one
    order_transitioned event, and queues customer emails after commit. lock_held: see
    order_lock.
    """
    if name not in transition_specs():
        raise TransitionNotAvailable(f"Unknown action “{name}”.")
    refusal: OrderError | None = None
    payment: PaymentOutcome | None = None
    try:
        with order_change_atomic(lock_held=lock_held):
            locked = order_lock(order, lock_held=lock_held)
            source = locked.stage
            _check(locked, name, by, expected_stage)
            before = locked.field_values()
            step = transition_steps.prepare(locked, name, by=by, via=via, inputs=inputs)
            payment = step.payment
            if step.refusal is not None:
                order_save_changed(locked, before)
                refusal = step.refusal
            else:
                getattr(locked, name)(**step.kwargs)
                order_save_changed(locked, before)
                order_transitioned_event(
                    order=locked,
                    transition=name,
                    source=source,
                    target=locked.stage,
                    by=by,
                    via=via,
                    job_id=job_id,
                    **step.payload,
                )
                for callback in step.after_commit:
                    transaction.on_commit(callback)
    except ConcurrentTransition as exc:
        raise OrderChanged() from exc
    if refusal is not None:
        raise refusal
    return TransitionResult(
        order=locked,
        name=name,
        source=source,
        target=locked.stage,
        message=_message(locked, name, source, payment),
        payment=payment,
    )


def order_transition_check(
    order: Order, name: str, by: Actor, *, expected_stage: str | None = None
) -> None:
    """Raise what order_transition would say if `name` may not run on the locked order now."""
    _check(order, name, by, expected_stage)


def _check(order: Order, name: str, by, expected_stage: str | None) -> None:
    if expected_stage is not None and order.stage != expected_stage:
        raise OrderChanged()
    refusal = transition_refusal(order, name, by)
    if refusal is None:
        return
    label = transition_label(name)
    if refusal.kind == RefusalKind.DELETED:
        raise TransitionNotAvailable(f"{order.order_id} is deleted.")
    if refusal.kind == RefusalKind.STATE:
        raise TransitionNotAvailable(
            f"“{label}” is not possible for {order.order_id} in {Stage(order.stage).label}."
        )
    if refusal.kind == RefusalKind.CONDITIONS:
        raise TransitionNotAvailable(f"“{label}” is not possible for {order.order_id}: {refusal}.")
    raise TransitionNotPermitted(f"You may not “{label}” orders.")


def _message(order: Order, name: str, source: str, payment: PaymentOutcome | None) -> str:
    label = transition_label(name)
    if payment is not None:
        where = "It stays in" if order.stage == source else "Now in"
        return f"{order.order_id}: {label}: {payment.summary} {where} {Stage(order.stage).label}."
    if order.stage == source:
        return f"{order.order_id}: {label} done; it stays in {Stage(source).label}."
    return f"{order.order_id}: {label} done; now in {Stage(order.stage).label}."


__all__ = [
    "InvalidInput",
    "Step",
    "TransitionResult",
    "order_transition",
    "order_transition_check",
    "order_transitions_for_user",
    "transition_label",
    "transition_names",
]
