"""order_transition: the one way an order changes stage.

It locks the row, checks that the transition is available from the order's stage and
permitted for the person acting, does the transition's money work (charge, capture, refund),
runs the django-fsm transition, saves, writes the event and schedules side effects (emails)
for after the commit. The merchant screens, the admin, jobs, beat and webhooks all call it.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from orders.events import order_transitioned_event
from orders.exceptions import (
    InvalidInput,
    OrderChanged,
    OrderError,
    TransitionNotAvailable,
    TransitionNotPermitted,
)
from orders.models import Order
from orders.models.transitions import AllOf
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


def transition_names() -> list[str]:
    return list(Order._meta.get_field("stage").transitions[Order])


def transition_permissions(name: str) -> tuple[str, ...] | None:
    """The permissions a person needs to run the transition; None: only the system runs it."""
    # One method is one transition: every source shares its permission.
    meta = getattr(Order, name)._django_fsm
    permission = next(iter(meta.transitions.values())).permission
    if isinstance(permission, str):
        return (permission,)
    if isinstance(permission, AllOf):
        return permission.permissions
    return None


def transition_label(name: str) -> str:
    method = getattr(Order, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        return name.replace("_", " ")
    for item in meta.transitions.values():
        return item.custom.get("label", name.replace("_", " "))
    return name


def order_transitions_for_user(*, order: Order, user) -> list:
    """The transitions this user may run on this order now, for buttons."""
    if order.deleted_at is not None:
        return []
    return [
        t for t in order.get_available_user_stage_transitions(user) if not t.custom.get("system")
    ]


def order_transition(
    *,
    order: Order | int,
    name: str,
    by=None,
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
    if name not in transition_names():
        raise TransitionNotAvailable(f"Unknown action “{name}”.")
    refusal: OrderError | None = None
    try:
        with order_change_atomic(lock_held=lock_held):
            locked = order_lock(order, lock_held=lock_held)
            source = locked.stage
            _check(locked, name, by, expected_stage)
            before = locked.field_values()
            step = transition_steps.prepare(locked, name, by=by, via=via, inputs=inputs)
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
        message=_message(locked, name, source),
    )


def _check(order: Order, name: str, by, expected_stage: str | None) -> None:
    if expected_stage is not None and order.stage != expected_stage:
        raise OrderChanged()
    if order.deleted_at is not None:
        raise TransitionNotAvailable(f"{order.order_id} is deleted.")
    method = getattr(order, name)
    label = transition_label(name)
    if not can_proceed(method, check_conditions=False):
        raise TransitionNotAvailable(
            f"“{label}” is not possible for {order.order_id} in {Stage(order.stage).label}."
        )
    if not can_proceed(method):
        meta = method._django_fsm.get_transition(order.stage)
        why = meta.custom.get("unavailable", "its conditions are not met")
        raise TransitionNotAvailable(f"“{label}” is not possible for {order.order_id}: {why}.")
    if by is not None and not has_transition_perm(method, by):
        raise TransitionNotPermitted(f"You may not “{label}” orders.")


def _message(order: Order, name: str, source: str) -> str:
    label = transition_label(name)
    if order.stage == source:
        return f"{order.order_id}: {label} done; it stays in {Stage(source).label}."
    return f"{order.order_id}: {label} done; now in {Stage(order.stage).label}."


def order_transition_inputs_required(name: str) -> str | None:
    """The input form a transition needs, if any (e.g. a reason or tracking numbers)."""
    for item in getattr(Order, name)._django_fsm.transitions.values():
        return item.custom.get("form")
    return None


__all__ = [
    "InvalidInput",
    "Step",
    "TransitionResult",
    "order_transition",
    "order_transition_inputs_required",
    "order_transitions_for_user",
    "transition_label",
    "transition_names",
]
